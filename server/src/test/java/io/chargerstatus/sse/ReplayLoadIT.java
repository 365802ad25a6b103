package io.chargerstatus.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chargerstatus.testkit.Api;
import io.chargerstatus.testkit.Await;
import io.chargerstatus.testkit.TestCharger;
import io.chargerstatus.testkit.TestDatabase;
import io.chargerstatus.testkit.TestService;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Many dashboards reconnecting at once replay a long history: REST and health must not wait behind them
 * (a Kubernetes probe times out after 1 s by default, and a flapping probe restarts a healthy pod).
 */
@Tag("fault")
@DisplayName("200 SSE clients replaying the history while REST and health stay fast")
class ReplayLoadIT {
    private static final int CLIENTS = 200;
    private static final int EVENTS = 3_000;

    @Test
    @DisplayName("health and a charger row answer within a probe's 1 s while 200 clients replay 3,000 events each")
    void replaysDoNotStarveTheApi() throws Exception {
        try (TestService service = TestService.start(TestDatabase.fresh(), Map.of())) {
            Api api = service.api();
            api.charger("replay", "R-1");
            history(service.pgUrl, "R-1", "replay", EVENTS);
            List<Long> idle = latencies(api, 10);

            HttpClient http = TestCharger.VERTX.createHttpClient(
                    new HttpClientOptions(), new PoolOptions().setHttp1MaxSize(CLIENTS));
            AtomicLong bytes = new AtomicLong();
            for (int i = 0; i < CLIENTS; i++) {
                http.request(new RequestOptions()
                                .setMethod(HttpMethod.GET)
                                .setHost("127.0.0.1")
                                .setPort(service.httpPort)
                                .setURI("/api/v1/events")
                                .putHeader("Authorization", "Bearer " + TestService.ADMIN)
                                .putHeader("Last-Event-ID", "0"))
                        .compose(req -> req.send())
                        .onSuccess(resp -> resp.handler(b -> bytes.addAndGet(b.length())));
            }
            Await.eventually(() -> assertTrue(bytes.get() > 1_000_000, "replays under way"), 60);
            long during = System.nanoTime();
            List<Long> busy = latencies(api, 20);
            long replayedWhileMeasuring = bytes.get();
            http.close();

            long median = busy.stream().sorted().toList().get(busy.size() / 2);
            System.out.printf(
                    "ReplayLoadTest: health+row latency idle median %d ms, during %d replays median %d ms, max %d ms "
                            + "(%d MB replayed, %.1f s)%n",
                    idle.stream().sorted().toList().get(idle.size() / 2),
                    CLIENTS,
                    median,
                    busy.stream().max(Long::compare).orElse(0L),
                    replayedWhileMeasuring >> 20,
                    (System.nanoTime() - during) / 1e9);
            assertTrue(
                    median < 1000,
                    "median latency " + median + " ms while replaying: a probe with a 1 s timeout would flap");
        }
    }

    /** Wall time of a readiness check plus a charger row, {@code n} times, in milliseconds; each must succeed. */
    private static List<Long> latencies(Api api, int n) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            assertEquals(200, api.get("/health/ready").status());
            assertEquals(200, api.get("/api/v1/chargers/R-1").status());
            out.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        }
        return out;
    }

    /**
     * {@code n} status events of a charger, written straight into the history (the replay's input), their
     * seqs taken from the counter as the engine takes them.
     */
    private static void history(String pgUrl, String chargerId, String accountId, int n) {
        TestDatabase.sql(
                pgUrl,
                "WITH c AS (UPDATE event_counter SET last_seq = last_seq + " + n + " RETURNING last_seq - " + n
                        + " AS base) INSERT INTO status_events (seq, charger_id, account_id, status, previous_status, connector_id, connector_status, "
                        + "ocpp_status, error_code, ts, received_at) SELECT c.base + g, '" + chargerId + "', '"
                        + accountId
                        + "', "
                        + "CASE WHEN g % 2 = 0 THEN 'Charging' ELSE 'Available' END, NULL, 1, 'Charging', 'Charging', 'NoError', "
                        + "now() - (g || ' seconds')::interval, now() FROM c, generate_series(1, " + n + ") g");
    }
}
