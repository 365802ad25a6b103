package io.chargerstatus.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chargerstatus.bus.Bus;
import io.chargerstatus.infra.Metrics;
import io.chargerstatus.status.Change;
import io.chargerstatus.status.Status;
import io.chargerstatus.store.Database;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
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

    @Test
    @DisplayName("a client resuming from 0 gets the history, then live events, each seq once and in order, "
            + "even a live event that the replay also holds")
    void replayThenLive(Vertx vertx) throws Exception {
        String pgUrl = TestDatabase.fresh();
        try (Database db =
                Database.open(pgUrl, Files.createTempDirectory("cs-sse").toString(), 5)) {
            TestDatabase.sql(pgUrl, "INSERT INTO accounts (id, name) VALUES ('a', 'A')");
            TestDatabase.sql(pgUrl, "INSERT INTO chargers (id, account_id) VALUES ('CP-1', 'a')");
            TestDatabase.sql(
                    pgUrl,
                    "INSERT INTO status_events (seq, charger_id, account_id, status, ts, received_at) "
                            + "SELECT g, 'CP-1', 'a', 'Available', now(), now() FROM generate_series(1, " + HISTORY
                            + ") g");
            TestDatabase.sql(pgUrl, "UPDATE event_counter SET last_seq = " + HISTORY);
            SseHub hub = new SseHub(
                    vertx,
                    new BackOfficeStore(new Sql.Access(db.pool(vertx, 2), db.health(), 60_000)),
                    new Metrics(),
                    Clock.systemUTC(),
                    1 << 20,
                    100_000);
            hub.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            Router router = Router.router(vertx);
            // The hub belongs to one event loop, as in the HTTP verticle: events are published on the one that
            // attached.
            AtomicReference<Context> loop = new AtomicReference<>();
            router.get("/events").handler(ctx -> {
                loop.set(vertx.getOrCreateContext());
                hub.attach(ctx, null, null, 0L);
            });
            int port = TestService.freePort();
            vertx.createHttpServer()
                    .requestHandler(router)
                    .listen(port)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);

            StringBuffer received = new StringBuffer();
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
            // While the replay runs: a live event the history already holds, then new ones.
            Await.eventually(() -> assertNotNull(loop.get()));
            loop.get().runOnContext(v -> {
                hub.publish(committed(HISTORY));
                for (int seq = HISTORY + 1; seq <= HISTORY + 5; seq++) {
                    hub.publish(committed(seq));
                }
            });
            Await.eventually(() -> assertTrue(ids(received.toString()).size() >= HISTORY + 5), 60);
            List<Long> ids = ids(received.toString());
            List<Long> expected = new ArrayList<>();
            for (long seq = 1; seq <= HISTORY + 5; seq++) {
                expected.add(seq);
            }
            assertEquals(expected, ids);
        }
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
