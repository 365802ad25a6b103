package io.chargerstatus;

import io.chargerstatus.sim.SimOptions;
import io.chargerstatus.sim.Simulator;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.chargerstatus.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("An SSE client too slow to keep up")
class SlowSseClientTest {

  @Test
  @DisplayName("is disconnected instead of buffered without bound, and resumes with Last-Event-ID without a gap")
  void slowClientIsCutAndResumes() throws Exception {
    try (TestService service = TestService.start(TestDatabase.fresh(),
        Map.of("SSE_MAX_QUEUE_BYTES", "4096", "MAX_MESSAGES_PER_SECOND", "1000", "MESSAGE_BURST", "1000"))) {
      SseClient slow = SseClient.open(service, TestService.ADMIN, null, null);
      SseClient fast = SseClient.open(service, TestService.ADMIN, null, null);
      slow.pause();
      Simulator sim = new Simulator(TestCharger.VERTX, SimOptions.parse(new String[] {
          "--url", "ws://127.0.0.1:" + service.ocppPort + "/ocpp", "--chargers", "100", "--prefix", "SLOW",
          "--api", "http://127.0.0.1:" + service.httpPort, "--token", TestService.ADMIN, "--account", "slow",
          "--status-rate", "3000", "--ramp", "1000", "--quiet"}));
      sim.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      // The server cuts it once the socket buffers and then its write queue (4 KiB here) are full.
      long deadline = System.currentTimeMillis() + 30_000;
      while (!expect(200, service.api(null).get("/metrics")).body().contains("sse_clients 1.0")) {
        assertTrue(System.currentTimeMillis() < deadline, "the slow client was never disconnected");
        Thread.sleep(200);
      }
      sim.stop();
      Thread.sleep(1500);
      assertTrue(slow.ids.isEmpty(), "the slow client never read anything");
      assertTrue(fast.ids.size() > 5000, "the fast client kept up: " + fast.ids.size());

      // The slow one comes back from the last id it processed (none: 0) and gets exactly what the fast one got.
      List<Long> all = new ArrayList<>(fast.ids);
      List<Long> resumed = new ArrayList<>();
      try (SseClient again = SseClient.open(service, TestService.ADMIN, null, 0L)) {
        JsonObject e;
        while ((e = again.next(1500)) != null) {
          resumed.add(e.getLong("seq"));
        }
      }
      assertEquals(all, resumed, "nothing lost, nothing twice");
      fast.close();
      slow.close();
    }
  }
}
