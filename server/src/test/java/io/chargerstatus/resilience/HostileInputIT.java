package io.chargerstatus.resilience;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chargerstatus.infra.Logging;
import io.chargerstatus.testkit.Api;
import io.chargerstatus.testkit.TestCharger;
import io.chargerstatus.testkit.TestDatabase;
import io.chargerstatus.testkit.TestService;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Hostile input at the charger edge: every case is refused visibly and hurts nobody else. */
@Tag("fault")
@DisplayName("Hostile charger input: compression bombs, oversized messages, NUL bytes, out-of-range connectors")
class HostileInputIT {
    private static final int CAP = 8192;
    private static TestService service;
    private static Api api;

    @BeforeAll
    static void start() {
        service = TestService.start(
                TestDatabase.fresh(),
                Map.of(
                        "MAX_FRAME_BYTES",
                        String.valueOf(CAP),
                        "MAX_MESSAGES_PER_SECOND",
                        "1000",
                        "MESSAGE_BURST",
                        "1000"));
        api = service.api();
        for (String id : List.of("bystander", "bomber", "whole", "fragments", "huge", "nul", "range")) {
            api.charger("hostile", id);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        service.close();
    }

    @Test
    @DisplayName("permessage-deflate is never negotiated, so no compressed frame can be inflated on an event loop")
    void noCompression() throws Exception {
        WebSocket ws = TestCharger.VERTX
                .createWebSocketClient(new WebSocketClientOptions()
                        .setTryUsePerMessageCompression(true)
                        .setTryUsePerFrameCompression(true))
                .connect(new WebSocketConnectOptions()
                        .setAbsoluteURI(service.ocppUrl("bomber"))
                        .addSubProtocol("ocpp1.6"))
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        assertNull(ws.headers().get("Sec-WebSocket-Extensions"), "the server accepted a compression extension");
        ws.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName(
            "a message over MAX_FRAME_BYTES is closed with 1009 whether whole, fragmented or far larger, and others carry on")
    void oversizedMessages() {
        TestCharger bystander = TestCharger.connect(service, "bystander");
        bystander.boot();

        TestCharger whole = TestCharger.connect(service, "whole");
        whole.send(dataTransfer("w", CAP + 100));
        assertEquals(1009, whole.closeCode(10));

        TestCharger fragments = TestCharger.connect(service, "fragments");
        String text = dataTransfer("f", CAP * 3);
        int part = 4096;
        fragments.frame(WebSocketFrame.textFrame(text.substring(0, part), false));
        for (int i = part; i < text.length(); i += part) {
            boolean last = i + part >= text.length();
            fragments.frame(WebSocketFrame.continuationFrame(
                    Buffer.buffer(text.substring(i, Math.min(text.length(), i + part))), last));
        }
        assertEquals(1009, fragments.closeCode(10));

        TestCharger huge = TestCharger.connect(service, "huge");
        huge.send(dataTransfer("h", 1024 * 1024));
        assertEquals(1009, huge.closeCode(10));

        bystander.status(1, "Charging");
        assertEquals("Charging", api.chargerRow("bystander").getString("status"));
        String metrics = service.api().get("/metrics").body();
        assertTrue(
                metrics.contains("charger_status_ocpp_messages_too_big_total 3.0"), "three oversized messages counted");
        bystander.close();
    }

    @Test
    @DisplayName(
            "a NUL character is refused with PropertyConstraintViolation at the edge; the charger's session goes on")
    void nulRefused() {
        TestCharger nul = TestCharger.connect(service, "nul");
        nul.boot();
        JsonArray reply = nul.call(
                "StatusNotification",
                new JsonObject()
                        .put("connectorId", 1)
                        .put("status", "Available")
                        .put("errorCode", "NoError")
                        .put("info", "bad\u0000info")
                        .put("timestamp", Instant.now().toString()));
        assertEquals(4, reply.getInteger(0));
        assertEquals("PropertyConstraintViolation", reply.getString(2));
        nul.status(1, "Preparing");
        assertEquals("Preparing", api.chargerRow("nul").getString("status"));
        nul.close();
    }

    @Test
    @DisplayName(
            "connectorId outside 0..100 (-1, 99999, 1e12) is a PropertyConstraintViolation and creates no connector")
    void connectorRange() {
        TestCharger range = TestCharger.connect(service, "range");
        range.boot();
        for (String id : List.of("-1", "99999", "1e12")) {
            JsonArray reply = range.raw(
                    "[2,\"r" + id + "\",\"StatusNotification\",{\"connectorId\":" + id
                            + ",\"status\":\"Available\",\"errorCode\":\"NoError\"}]",
                    "r" + id);
            assertEquals(4, reply.getInteger(0), "connectorId " + id);
            // 1e12 is a number with an exponent: the schema's "integer" already refuses it as a type.
            assertEquals(
                    id.equals("1e12") ? "TypeConstraintViolation" : "PropertyConstraintViolation",
                    reply.getString(2),
                    "connectorId " + id);
        }
        assertTrue(api.chargerRow("range").getJsonArray("connectors").isEmpty());
        range.close();
    }

    @Test
    @DisplayName("a charger id with a NUL or a line break in the URL is refused with 404 before any database lookup")
    void controlCharactersInUrl() {
        assertEquals(404, TestCharger.upgradeStatus(service, "A-1%00", null));
        assertEquals(404, TestCharger.upgradeStatus(service, "X%0A2026-11-26T00:00:00Z%20SEVERE%20forged", null));
        assertEquals("UP", api.get("/health/ready").json().getString("status"));
    }

    @Test
    @DisplayName("the text log writes control characters escaped, so no input can forge a line")
    void logEscapesControls() {
        assertEquals("charger X\\u000a2026 SEVERE forged", Logging.escapeControls("charger X\n2026 SEVERE forged"));
        assertFalse(Logging.escapeControls("a\r\nb").contains("\n"));
    }

    private static String dataTransfer(String id, int size) {
        return "[2,\"" + id + "\",\"DataTransfer\",{\"vendorId\":\"x\",\"data\":\"" + "x".repeat(size) + "\"}]";
    }
}
