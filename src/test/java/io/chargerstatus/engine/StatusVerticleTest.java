package io.chargerstatus.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
class StatusVerticleTest {

    @Test
    @DisplayName(
            "keeps its state as it was when a commit fails: the same report, once the database is back, is still a change")
    void rollbackOnFailedCommit(Vertx vertx) throws Exception {
        try (PgInstance pg = PgInstance.start();
                Database db = Database.open(
                        pg.url(), Files.createTempDirectory("cs-engine").toString(), 2)) {
            TestDatabase.sql(pg.url(), "INSERT INTO accounts (id, name) VALUES ('a', 'A')");
            TestDatabase.sql(pg.url(), "INSERT INTO chargers (id, account_id) VALUES ('CP-1', 'a')");
            Bus.registerCodecs(vertx.eventBus());
            Wiring wiring = new Wiring(
                    db, Config.load(Map.of("DB_TIMEOUT_S", "2")), Clock.systemUTC(), new Metrics(), Membership.alone());
            await(vertx.deployVerticle(new StatusVerticle(wiring))
                    .toCompletionStage()
                    .toCompletableFuture());
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
                await(v.deployVerticle(new StatusVerticle(wiring))
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

    private static Fact.StatusReported status(String ocppStatus, Instant at) {
        return new Fact.StatusReported("CP-1", 1, ocppStatus, "NoError", null, null, at, at);
    }

    private static Object fact(Vertx vertx, Fact fact) throws Exception {
        return await(vertx.eventBus()
                .request(Bus.FACTS, fact, Bus.LOCAL)
                .map(m -> m.body())
                .toCompletionStage()
                .toCompletableFuture());
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> f) throws Exception {
        return f.get(60, TimeUnit.SECONDS);
    }
}
