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

    private static Fact.StatusReported status(String ocppStatus, Instant at) {
        return new Fact.StatusReported("CP-1", 1, ocppStatus, "NoError", null, null, at, at);
    }

    private static Object fact(Vertx vertx, Fact fact) throws Exception {
        return await(vertx.eventBus()
                .request(Bus.FACTS, fact)
                .map(m -> m.body())
                .toCompletionStage()
                .toCompletableFuture());
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> f) throws Exception {
        return f.get(60, TimeUnit.SECONDS);
    }
}
