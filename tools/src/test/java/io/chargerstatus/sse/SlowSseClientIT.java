package io.chargerstatus.sse;

import static io.chargerstatus.testkit.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chargerstatus.sim.SimOptions;
import io.chargerstatus.sim.Simulator;
import io.chargerstatus.testkit.SseClient;
import io.chargerstatus.testkit.TestDatabase;
import io.chargerstatus.testkit.TestService;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("An SSE client too slow to keep up")
class SlowSseClientIT {

    @Test
    @DisplayName("is disconnected instead of buffered without bound, and resumes with Last-Event-ID without a gap")
    void slowClientIsCutAndResumes() throws Exception {
        Vertx simVertx = Vertx.vertx();
        try (TestService service = TestService.start(
                        TestDatabase.fresh(),
                        Map.of(
                                "SSE_MAX_QUEUE_BYTES",
                                "4096",
                                "MAX_MESSAGES_PER_SECOND",
                                "1000",
                                "MESSAGE_BURST",
                                "1000"));
                Socket slow = new Socket()) {
            // A subscriber that sends its request and never reads: a small receive window, nothing consumed.
            slow.setReceiveBufferSize(4096);
            slow.connect(new InetSocketAddress("127.0.0.1", service.httpPort), 5000);
            OutputStream out = slow.getOutputStream();
            out.write(("GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + TestService.ADMIN
                            + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            SseClient fast = SseClient.open(service, TestService.ADMIN, null, null);
            awaitMetric(service, "charger_status_sse_clients 2.0");

            Simulator sim = new Simulator(simVertx, SimOptions.parse(new String[] {
                "--url", "ws://127.0.0.1:" + service.ocppPort + "/ocpp", "--chargers", "60", "--prefix", "SLOW",
                "--api", "http://127.0.0.1:" + service.httpPort, "--token", TestService.ADMIN, "--account", "slow",
                "--status-rate", "2000", "--ramp", "1000", "--quiet"
            }));
            sim.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
            // The server cuts it once the socket buffers and then its write queue (4 KiB here) are full.
            awaitMetric(service, "charger_status_sse_clients 1.0");
            sim.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertTrue(!fast.ended.isDone(), "the fast client was not cut");

            // The slow one comes back from the last id it processed (none: 0) and gets exactly what the fast one got.
            // Compared until both agree, with a generous deadline: no silence is taken to mean "done".
            List<Long> resumed = new ArrayList<>();
            try (SseClient again = SseClient.open(service, TestService.ADMIN, null, 0L)) {
                long deadline = System.currentTimeMillis() + 90_000;
                while (true) {
                    JsonObject e = again.next(200);
                    if (e != null) {
                        resumed.add(e.getLong("seq"));
                    }
                    List<Long> all;
                    synchronized (fast) {
                        all = new ArrayList<>(fast.ids);
                    }
                    if (!resumed.isEmpty() && resumed.equals(all)) {
                        break;
                    }
                    if (System.currentTimeMillis() > deadline) {
                        assertEquals(all, resumed, "nothing lost, nothing twice");
                    }
                }
            }
            assertTrue(resumed.size() > 60, "the stream carried the simulated traffic: " + resumed.size());
            fast.close();
        } finally {
            simVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static void awaitMetric(TestService service, String sample) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        String metrics;
        while (!(metrics = expect(200, service.api(null).get("/metrics")).body()).contains(sample)) {
            String seen = metrics.lines()
                    .filter(l -> l.startsWith("charger_status_sse_clients"))
                    .findFirst()
                    .orElse("no charger_status_sse_clients");
            assertTrue(System.currentTimeMillis() < deadline, "never saw " + sample + "; last: " + seen);
            Thread.sleep(200);
        }
    }
}
