package io.chargerstatus.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chargerstatus.bus.Bus;
import io.chargerstatus.infra.Metrics;
import io.chargerstatus.status.Change;
import io.chargerstatus.status.Status;
import io.chargerstatus.store.Database;
import io.chargerstatus.store.EventHistory;
import io.chargerstatus.store.Sql;
import io.chargerstatus.testkit.Await;
import io.chargerstatus.testkit.TestDatabase;
import io.chargerstatus.testkit.TestService;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The SSE hub alone, on a real history: replay first, then live, no gap and no duplicate where they meet. */
@ExtendWith(VertxExtension.class)
@DisplayName("The SSE hub")
class SseHubTest {
    private static final int HISTORY = 1200; // more than two replay pages

    /** A hub on a real history, its HTTP server, and one client, all of the hub's work on one event loop. */
    private static final class Fixture implements AutoCloseable {
        final String pgUrl = TestDatabase.fresh();
        final Database db;
        final Context loop;
        final SseHub hub;
        final StringBuffer received = new StringBuffer();

        Fixture(Vertx vertx, int history, Long lastEventId) throws Exception {
            db = Database.open(pgUrl, Files.createTempDirectory("cs-sse").toString(), 5);
            TestDatabase.sql(pgUrl, "INSERT INTO accounts (id, name) VALUES ('a', 'A')");
            TestDatabase.sql(pgUrl, "INSERT INTO chargers (id, account_id) VALUES ('CP-1', 'a')");
            append(1, history);
            loop = vertx.getOrCreateContext();
            hub = new SseHub(
                    vertx,
                    new EventHistory(new Sql.Access(db.pool(vertx, 2), db.health(), 60_000)),
                    new Metrics(),
                    Clock.systemUTC(),
                    1 << 20,
                    100_000);
            Router router = Router.router(vertx);
            router.get("/events").handler(ctx -> hub.attach(ctx, null, null, lastEventId));
            int port = TestService.freePort();
            CompletableFuture<Void> started = new CompletableFuture<>();
            loop.runOnContext(v -> hub.start()
                    .compose(
                            x -> vertx.createHttpServer().requestHandler(router).listen(port))
                    .onComplete(ar -> {
                        if (ar.succeeded()) {
                            started.complete(null);
                        } else {
                            started.completeExceptionally(ar.cause());
                        }
                    }));
            started.get(10, TimeUnit.SECONDS);
            HttpClientResponse response = vertx.createHttpClient()
                    .request(new RequestOptions()
                            .setMethod(HttpMethod.GET)
                            .setHost("127.0.0.1")
                            .setPort(port)
                            .setURI("/events"))
                    .compose(req -> req.send())
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            response.handler(b -> received.append(b.toString()));
        }

        /** History rows {@code from..to}, committed as the engine commits them (the counter moves with them). */
        void append(long from, long to) {
            if (to < from) {
                return;
            }
            TestDatabase.sql(
                    pgUrl,
                    "INSERT INTO status_events (seq, charger_id, account_id, status, ts, received_at) "
                            + "SELECT g, 'CP-1', 'a', 'Available', now(), now() FROM generate_series(" + from + ", "
                            + to
                            + ") g");
            TestDatabase.sql(pgUrl, "UPDATE event_counter SET last_seq = " + to);
        }

        /** Publishes on the hub's event loop, as the bus does. */
        void publish(Bus.Batch... batches) {
            loop.runOnContext(v -> {
                for (Bus.Batch b : batches) {
                    hub.accept(b);
                }
            });
        }

        @Override
        public void close() {
            db.close();
        }
    }

    @Test
    @DisplayName("a client resuming from 0 gets the history, then live events, each seq once and in order, "
            + "even a live event that the replay also holds")
    void replayThenLive(Vertx vertx) throws Exception {
        try (Fixture f = new Fixture(vertx, HISTORY, 0L)) {
            // While the replay runs: a live event the history already holds, then new ones.
            f.publish(batch(HISTORY));
            for (int seq = HISTORY + 1; seq <= HISTORY + 5; seq++) {
                f.publish(batch(seq));
            }
            Await.eventually(() -> assertTrue(ids(f.received.toString()).size() >= HISTORY + 5), 60);
            assertEquals(range(1, HISTORY + 5), ids(f.received.toString()));
        }
    }

    @Test
    @DisplayName("batches of several instances arriving out of order are released in seq order; a range that never "
            + "arrives is read from the history")
    void oneOrder(Vertx vertx) throws Exception {
        try (Fixture f = new Fixture(vertx, 3, null)) {
            f.append(4, 6);
            f.publish(batch(6), new Bus.Batch(4, 5, List.of(committed(4), committed(5))));
            Await.eventually(() -> assertEquals(range(4, 6), ids(f.received.toString())));
            // seq 7 was committed by an instance that died before publishing it; 8 arrives.
            f.append(7, 8);
            f.publish(batch(8));
            Await.eventually(() -> assertEquals(range(4, 8), ids(f.received.toString())));
            // A publication lost when nothing follows it: found through the counter.
            f.append(9, 9);
            Await.eventually(() -> assertEquals(range(4, 9), ids(f.received.toString())), 30);
            // A batch the hub already read from the history is not sent twice.
            f.publish(batch(9), batch(10));
            f.append(10, 10);
            Await.eventually(() -> assertEquals(range(4, 10), ids(f.received.toString())));
        }
    }

    private static Bus.Batch batch(long seq) {
        return new Bus.Batch(seq, seq, List.of(committed(seq)));
    }

    private static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long seq = from; seq <= to; seq++) {
            out.add(seq);
        }
        return out;
    }

    private static Bus.Committed committed(long seq) {
        Instant now = Instant.now();
        return new Bus.Committed(
                seq, new Change("CP-1", "a", null, Status.Charging, Status.Available, null, null, now, now, true));
    }

    private static List<Long> ids(String stream) {
        List<Long> ids = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^id: (\\d+)$").matcher(stream);
        while (m.find()) {
            ids.add(Long.parseLong(m.group(1)));
        }
        return ids;
    }
}
