package io.chargerstatus.ocpp;

import static io.chargerstatus.testkit.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chargerstatus.testkit.Api;
import io.chargerstatus.testkit.Await;
import io.chargerstatus.testkit.TestCharger;
import io.chargerstatus.testkit.TestDatabase;
import io.chargerstatus.testkit.TestService;
import io.vertx.core.json.JsonArray;
import java.io.InputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A misbehaving charger hurts nobody else")
class RobustnessIT {
    private static TestService service;
    private static Api api;

    @BeforeAll
    static void start() {
        service = TestService.start(
                TestDatabase.fresh(),
                Map.of(
                        "MAX_MESSAGES_PER_SECOND",
                        "50",
                        "MESSAGE_BURST",
                        "50",
                        "MAX_FRAME_BYTES",
                        "8192",
                        "HANDSHAKE_TIMEOUT_S",
                        "1",
                        "WS_PING_INTERVAL_S",
                        "1",
                        "MAX_SESSIONS",
                        "6"));
        api = service.api();
        for (String id : List.of("good", "fuzzer", "flooder")) {
            api.charger("robust", id);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        service.close();
    }

    @Test
    @DisplayName(
            "garbage and mutated frames on a live session: answered or ignored, the service stays ready, others unaffected")
    void liveFuzz() throws Exception {
        TestCharger good = TestCharger.connect(service, "good");
        good.boot();
        TestCharger fuzzer = TestCharger.connect(service, "fuzzer");
        fuzzer.boot();
        Random random = new Random(42);
        String[] seeds = {
            "[2,\"%s\",\"StatusNotification\",{\"connectorId\":1,\"errorCode\":\"NoError\",\"status\":\"Charging\"}]",
            "[2,\"%s\",\"BootNotification\",{\"chargePointVendor\":\"A\",\"chargePointModel\":\"B\"}]",
            "[2,\"%s\",\"Authorize\",{\"idTag\":\"T\"}]",
            "[3,\"%s\",{}]"
        };
        List<CompletableFuture<JsonArray>> answers = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String id = "f" + i;
            String frame = String.format(seeds[i % seeds.length], id);
            char[] chars = frame.toCharArray();
            int flips = random.nextInt(4);
            for (int f = 0; f < flips; f++) {
                int at = 8 + random.nextInt(chars.length - 8); // keep the id readable so that an answer can be matched
                chars[at] = "{}[]\",:0a\\ ".charAt(random.nextInt(11));
            }
            if (i % seeds.length != 3) {
                answers.add(fuzzer.replyTo(id));
            }
            fuzzer.send(new String(chars));
            if (i % 50 == 0) {
                good.status(1, i % 100 == 0 ? "Charging" : "Finishing");
            }
        }
        // A mutation that broke the frame before its id cannot be answered with it (it gets a "-1" CALLERROR),
        // so not every call is matched; most are, in the time the (throttled) session takes to read them.
        Await.eventually(
                () -> {
                    long answered =
                            answers.stream().filter(CompletableFuture::isDone).count();
                    assertTrue(
                            answered > answers.size() / 2,
                            "most fuzzed calls were answered: " + answered + "/" + answers.size());
                },
                60);
        assertFalse(fuzzer.isClosed(), "garbage does not end the session");
        good.status(1, "Preparing");
        assertEquals("Preparing", api.chargerRow("good").getString("status"));
        assertEquals(
                "UP", expect(200, service.api(null).get("/health/ready")).json().getString("status"));
        good.close();
        fuzzer.close();
    }

    @Test
    @DisplayName("a flood from one charger is throttled while another charger's statuses still arrive at once")
    void flood() throws Exception {
        TestCharger good = TestCharger.connect(service, "good");
        good.boot();
        TestCharger flooder = TestCharger.connect(service, "flooder");
        flooder.boot();
        int count = 250;
        CompletableFuture<JsonArray> last = flooder.replyTo("h" + (count - 1));
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            flooder.send("[2,\"h" + i + "\",\"Heartbeat\",{}]");
        }
        long worst = 0;
        for (String status : new String[] {"Charging", "Finishing", "Available"}) {
            long t0 = System.nanoTime();
            good.status(1, status);
            worst = Math.max(worst, (System.nanoTime() - t0) / 1_000_000);
            assertEquals(status, api.chargerRow("good").getString("status"));
        }
        last.get(20, TimeUnit.SECONDS);
        long floodMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(
                floodMillis >= 2500,
                "250 messages at 50/s after a burst of 50 take about 4 s, took " + floodMillis + " ms");
        assertTrue(worst < 1000, "the other charger was answered within a second (worst " + worst + " ms)");
        String metrics = expect(200, service.api(null).get("/metrics")).body();
        assertTrue(metrics.contains("charger_status_ocpp_throttled_total"), "throttling is counted");
        good.close();
        flooder.close();
    }

    @Test
    @DisplayName("a connection that never upgrades is closed after WS_PING_INTERVAL_S + HANDSHAKE_TIMEOUT_S")
    void handshakeTimeout() throws Exception {
        try (Socket idle = new Socket("127.0.0.1", service.ocppPort)) {
            idle.setSoTimeout(5000);
            InputStream in = idle.getInputStream();
            long t0 = System.currentTimeMillis();
            assertEquals(-1, in.read(), "closed by the server");
            assertTrue(System.currentTimeMillis() - t0 < 4500);
        }
    }

    @Test
    @DisplayName("past MAX_SESSIONS new sessions are refused with 503")
    void sessionCap() {
        List<TestCharger> open = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String id = "cap-" + i;
            api.charger("robust", id);
            open.add(TestCharger.connect(service, id));
        }
        api.charger("robust", "cap-extra");
        assertEquals(503, TestCharger.upgradeStatus(service, "cap-extra", null));
        open.forEach(TestCharger::close);
    }
}
