package io.chargerstatus.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chargerstatus.bus.Bus;
import io.chargerstatus.infra.Config;
import io.chargerstatus.infra.Membership;
import io.chargerstatus.infra.Metrics;
import io.chargerstatus.status.Fact;
import io.chargerstatus.store.Database;
import io.chargerstatus.store.Wiring;
import io.chargerstatus.testkit.PgInstance;
import io.chargerstatus.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The status engine alone, on a PostgreSQL of the test's own that it stops. */
@ExtendWith(VertxExtension.class)
@DisplayName("The status engine")
class StatusEngineTest {

    @Test
    @DisplayName(
            "keeps its state as it was when a commit fails: the same report, once the database is back, is still a change")
    void rollbackOnFailedCommit(Vertx vertx) throws Exception {
        try (PgInstance pg = PgInstance.start();
                Database db = Database.open(
                        pg.url(), Files.createTempDirectory("cs-engine").toString(), 2)) {
            deployEngine(vertx, pg.url(), db, Map.of("DB_TIMEOUT_S", "2"), new Metrics(), "CP-1");
            Instant t = Instant.now();
            fact(vertx, new Fact.Connected("CP-1", "s1", "1.6", t));
            fact(vertx, new Fact.Booted("CP-1", "ACME", "AC22", "1", t));
            assertEquals(true, fact(vertx, status("Charging", t.plusSeconds(1))));

            pg.stop();
            ExecutionException refused =
                    assertThrows(ExecutionException.class, () -> fact(vertx, status("SuspendedEV", t.plusSeconds(2))));
            assertEquals(Bus.Failure.UNAVAILABLE, Bus.Failure.of((ReplyException) refused.getCause()));

            pg.startServer();
            assertEquals(
                    true, fact(vertx, status("SuspendedEV", t.plusSeconds(2))), "the refused report was not applied");
            assertEquals(
                    false, fact(vertx, status("SuspendedEV", t.plusSeconds(3))), "now it was: a repeat is no change");
        }
    }

    @Test
    @DisplayName("an engine that lost its charger to another instance cannot overwrite it: the fence refuses its "
            + "batch, and it applies the report again on the state the other engine committed")
    void fencedOut() throws Exception {
        String pgUrl = TestDatabase.fresh();
        Vertx a = Vertx.vertx();
        Vertx b = Vertx.vertx();
        try (Database db =
                Database.open(pgUrl, Files.createTempDirectory("cs-fence").toString(), 5)) {
            TestDatabase.sql(pgUrl, "INSERT INTO accounts (id, name) VALUES ('a', 'A')");
            TestDatabase.sql(pgUrl, "INSERT INTO chargers (id, account_id) VALUES ('CP-1', 'a')");
            for (Vertx v : new Vertx[] {a, b}) {
                Bus.registerCodecs(v.eventBus());
                Wiring wiring =
                        new Wiring(db, Config.load(Map.of()), Clock.systemUTC(), new Metrics(), Membership.alone());
                await(v.deployVerticle(new StatusEngine(
                                wiring,
                                wiring.config().engine(),
                                wiring.config().database().timeoutS()))
                        .toCompletionStage()
                        .toCompletableFuture());
            }
            Instant t = Instant.now();
            fact(a, new Fact.Connected("CP-1", "s1", "1.6", t));
            fact(a, new Fact.Booted("CP-1", "ACME", "AC22", "1", t));
            fact(a, new Fact.StatusReported("CP-1", 1, "Available", "NoError", null, null, t, t));
            fact(a, new Fact.StatusReported("CP-1", 2, "Available", "NoError", null, null, t, t));
            // The charger reconnects to instance B, which claims it and commits a charging connector 1.
            fact(b, new Fact.Connected("CP-1", "s2", "1.6", t.plusSeconds(1)));
            assertEquals(
                    true,
                    fact(
                            b,
                            new Fact.StatusReported(
                                    "CP-1", 1, "Charging", "NoError", null, null, t.plusSeconds(2), t.plusSeconds(2))));
            assertEquals("Charging", TestDatabase.sql(pgUrl, "SELECT status FROM chargers WHERE id = 'CP-1'"));
            // A late report through A, whose copy still has connector 1 Available: on that copy the charger would
            // be Preparing. The fence refuses A's batch; A claims the charger again and applies it on B's state.
            assertEquals(
                    true,
                    fact(
                            a,
                            new Fact.StatusReported(
                                    "CP-1",
                                    2,
                                    "Preparing",
                                    "NoError",
                                    null,
                                    null,
                                    t.plusSeconds(3),
                                    t.plusSeconds(3))));
            assertEquals("Charging", TestDatabase.sql(pgUrl, "SELECT status FROM chargers WHERE id = 'CP-1'"));
            assertEquals(
                    "Charging",
                    TestDatabase.sql(
                            pgUrl, "SELECT status FROM connectors WHERE charger_id = 'CP-1' AND connector_id = 1"));
            assertEquals(
                    "Preparing",
                    TestDatabase.sql(
                            pgUrl, "SELECT status FROM connectors WHERE charger_id = 'CP-1' AND connector_id = 2"));
            // One gapless sequence across both engines.
            assertEquals(
                    TestDatabase.sql(pgUrl, "SELECT count(*) FROM status_events"),
                    TestDatabase.sql(pgUrl, "SELECT max(seq) FROM status_events"));
            assertEquals(
                    TestDatabase.sql(pgUrl, "SELECT max(seq) FROM status_events"),
                    TestDatabase.sql(pgUrl, "SELECT last_seq FROM event_counter"));
        } finally {
            a.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            b.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    @DisplayName("numbers and records transactions in its own commits: ids in order, the connector's transaction, "
            + "a stop closing the record and only the connector that runs it, a start and stop of one batch one row")
    void transactionsInTheBatch(Vertx vertx) throws Exception {
        String pgUrl = TestDatabase.fresh();
        try (Database db =
                Database.open(pgUrl, Files.createTempDirectory("cs-tx").toString(), 5)) {
            deployEngine(vertx, pgUrl, db, Map.of(), new Metrics(), "CP-1", "CP-2");
            Instant t = Instant.now();
            for (String id : new String[] {"CP-1", "CP-2"}) {
                fact(vertx, new Fact.Connected(id, "s-" + id, "1.6", t));
                fact(vertx, new Fact.StatusReported(id, 1, "Available", "NoError", null, null, t, t));
                fact(vertx, new Fact.StatusReported(id, 2, "Available", "NoError", null, null, t, t));
            }
            // Two starts sent together (one batch, or two): two numbers, in the order they were sent.
            var first = request(vertx, new Fact.TransactionStarted("CP-1", 1, "TAG-1", 100, t, t));
            var second = request(vertx, new Fact.TransactionStarted("CP-1", 2, "TAG-2", 200, t, t));
            int tx1 = (Integer) await(first);
            int tx2 = (Integer) await(second);
            assertEquals(tx1 + 1, tx2);
            assertEquals(
                    "1|TAG-1|100",
                    TestDatabase.sql(
                            pgUrl,
                            "SELECT connector_id || '|' || id_tag || '|' || meter_start FROM transactions WHERE id = "
                                    + tx1));
            assertEquals(
                    String.valueOf(tx2),
                    TestDatabase.sql(
                            pgUrl,
                            "SELECT transaction_id FROM connectors WHERE charger_id = 'CP-1' AND connector_id = 2"));

            // Another charger cannot close CP-1's transaction.
            assertEquals(false, fact(vertx, new Fact.TransactionStopped("CP-2", tx1, 999, t, "Local", t)));
            assertEquals(null, TestDatabase.sql(pgUrl, "SELECT meter_stop FROM transactions WHERE id = " + tx1));

            fact(vertx, new Fact.TransactionStopped("CP-1", tx1, 900, t.plusSeconds(60), "EVDisconnected", t));
            assertEquals(
                    "900|EVDisconnected",
                    TestDatabase.sql(
                            pgUrl, "SELECT meter_stop || '|' || stop_reason FROM transactions WHERE id = " + tx1));
            assertEquals(
                    null,
                    TestDatabase.sql(
                            pgUrl,
                            "SELECT transaction_id FROM connectors WHERE charger_id = 'CP-1' AND connector_id = 1"));
            assertEquals(
                    String.valueOf(tx2),
                    TestDatabase.sql(
                            pgUrl,
                            "SELECT transaction_id FROM connectors WHERE charger_id = 'CP-1' AND connector_id = 2"),
                    "a stop closes only the connector that runs the transaction");

            // A stop sent right behind its start (its number guessed) lands in the same row. Both queue behind the
            // commit of the report sent first, so they are one batch: an update there could not see the insert.
            var busy = request(vertx, new Fact.StatusReported("CP-2", 2, "Preparing", "NoError", null, null, t, t));
            var start = request(vertx, new Fact.TransactionStarted("CP-2", 1, "TAG-3", 5, t, t));
            var stop = request(vertx, new Fact.TransactionStopped("CP-2", tx2 + 1, 55, t.plusSeconds(5), "Local", t));
            await(busy);
            assertEquals(tx2 + 1, await(start));
            await(stop);
            assertEquals(
                    "5|55|Local",
                    TestDatabase.sql(
                            pgUrl,
                            "SELECT meter_start || '|' || meter_stop || '|' || stop_reason FROM transactions WHERE id = "
                                    + (tx2 + 1)));
            assertEquals(
                    null,
                    TestDatabase.sql(
                            pgUrl,
                            "SELECT transaction_id FROM connectors WHERE charger_id = 'CP-2' AND connector_id = 1"));
        }
    }

    @Test
    @DisplayName("plans its statements once per connection: the batch statement stays in the client's statement "
            + "cache, and its sessions use generic plans without sequential scans")
    void plannedOnce(Vertx vertx) throws Exception {
        assertTrue(
                BatchCommit.STATEMENT.length() <= Database.STATEMENT_CACHE_SQL_LIMIT,
                "a longer batch statement is parsed and planned again for every batch");
        String pgUrl = TestDatabase.fresh();
        try (Database db =
                Database.open(pgUrl, Files.createTempDirectory("cs-plan").toString(), 5)) {
            Wiring wiring = new Wiring(db, Config.load(Map.of()), Clock.systemUTC(), new Metrics(), Membership.alone());
            var pool = wiring.engineSql(vertx).pool();
            var row = await(pool.query("SELECT current_setting('plan_cache_mode'), current_setting('enable_seqscan')")
                            .execute()
                            .toCompletionStage()
                            .toCompletableFuture())
                    .iterator()
                    .next();
            assertEquals("force_generic_plan", row.getString(0));
            assertEquals("off", row.getString(1));
            await(pool.close().toCompletionStage().toCompletableFuture());
        }
    }

    @Test
    @DisplayName("while facts keep coming, a small batch waits STATUS_BATCH_LINGER_MS for more: three facts sent right "
            + "behind a commit are one batch, not one alone and then two; a reconnect waits for its disconnect's batch")
    void lingers(Vertx vertx) throws Exception {
        String pgUrl = TestDatabase.fresh();
        try (Database db =
                Database.open(pgUrl, Files.createTempDirectory("cs-linger").toString(), 5)) {
            Metrics metrics = new Metrics();
            // Long enough that the three sends below always fit in it, however busy the machine.
            deployEngine(vertx, pgUrl, db, Map.of("STATUS_BATCH_LINGER_MS", "3000"), metrics, "CP-1");
            Instant t = Instant.now();
            fact(vertx, new Fact.Connected("CP-1", "s1", "1.6", t)); // the engine was idle: committed at once
            fact(vertx, new Fact.Booted("CP-1", "ACME", "AC22", "1", t));
            var batches = metrics.registry().get("charger_status_batch_facts").summary();
            long before = batches.count();
            var a = request(vertx, new Fact.StatusReported("CP-1", 1, "Available", "NoError", null, null, t, t));
            var b = request(vertx, new Fact.StatusReported("CP-1", 2, "Available", "NoError", null, null, t, t));
            var c = request(vertx, new Fact.StatusReported("CP-1", 1, "Preparing", "NoError", null, null, t, t));
            await(a);
            await(b);
            await(c);
            assertEquals(1, batches.count() - before, "one batch for the three facts");

            // A charger that closes its socket and is back at once (a reboot): its Disconnected and the new
            // session's Connected arrive together, and Offline is still recorded between the two sessions.
            var closed = request(vertx, new Fact.Disconnected("CP-1", "s1", "socket closed", t.plusSeconds(1)));
            var back = request(vertx, new Fact.Connected("CP-1", "s2", "1.6", t.plusSeconds(1)));
            await(closed);
            await(back);
            assertEquals(
                    "Offline,Preparing",
                    TestDatabase.sql(
                            pgUrl,
                            "SELECT string_agg(status, ',' ORDER BY seq) FROM status_events WHERE charger_id = 'CP-1' "
                                    + "AND connector_id IS NULL AND seq > (SELECT min(seq) FROM status_events "
                                    + "WHERE charger_id = 'CP-1' AND status = 'Preparing')"));
            assertEquals("t", TestDatabase.sql(pgUrl, "SELECT online FROM chargers WHERE id = 'CP-1'"));
        }
    }

    /** An engine on {@code db} with these settings, account "a" and these chargers registered. */
    private static void deployEngine(
            Vertx vertx, String pgUrl, Database db, Map<String, String> env, Metrics metrics, String... chargers)
            throws Exception {
        TestDatabase.sql(pgUrl, "INSERT INTO accounts (id, name) VALUES ('a', 'A')");
        for (String id : chargers) {
            TestDatabase.sql(pgUrl, "INSERT INTO chargers (id, account_id) VALUES ('" + id + "', 'a')");
        }
        Bus.registerCodecs(vertx.eventBus());
        Wiring wiring = new Wiring(db, Config.load(env), Clock.systemUTC(), metrics, Membership.alone());
        await(vertx.deployVerticle(new StatusEngine(
                        wiring,
                        wiring.config().engine(),
                        wiring.config().database().timeoutS()))
                .toCompletionStage()
                .toCompletableFuture());
    }

    private static java.util.concurrent.CompletableFuture<Object> request(Vertx vertx, Fact fact) {
        return vertx.eventBus()
                .request(Bus.FACTS, fact, Bus.LOCAL)
                .map(m -> m.body())
                .toCompletionStage()
                .toCompletableFuture();
    }

    private static Fact.StatusReported status(String ocppStatus, Instant at) {
        return new Fact.StatusReported("CP-1", 1, ocppStatus, "NoError", null, null, at, at);
    }

    private static Object fact(Vertx vertx, Fact fact) throws Exception {
        return await(request(vertx, fact));
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> f) throws Exception {
        return f.get(60, TimeUnit.SECONDS);
    }
}
