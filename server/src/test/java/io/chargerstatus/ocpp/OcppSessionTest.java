package io.chargerstatus.ocpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("A charger's session: its message allowance, reassembly, and calls to the charger")
class OcppSessionTest {

    @Test
    @DisplayName(
            "the token bucket allows a burst, then the sustained rate; a throttled session may read again once refilled")
    void tokenBucket(Vertx vertx) {
        OcppSession s = new OcppSession(vertx, "s", "CP-1", "acme", true, null, 0, OcppMessages.V16, true);
        long now = 1_000;
        for (int i = 0; i < 5; i++) {
            assertTrue(s.take(now, 2, 5), "burst message " + i);
        }
        assertFalse(s.take(now, 2, 5), "the burst is spent");
        assertFalse(s.refill(now + 100, 2, 5), "0.2 of a token after 100 ms at 2/s");
        assertTrue(s.refill(now + 600, 2, 5), "a whole token after 500 ms more: reading resumes");
        assertTrue(s.take(now + 600, 2, 5));
        assertFalse(s.take(now + 600, 2, 5));
    }

    @Test
    @DisplayName(
            "fragments are counted before they are kept: over the cap is TOO_BIG, and the rest of that message is dropped")
    void reassembly(Vertx vertx) {
        OcppSession s = new OcppSession(vertx, "s", "CP-1", "acme", true, null, 0, OcppMessages.V16, true);
        var b = io.vertx.core.buffer.Buffer.buffer("12345");
        assertEquals(OcppSession.Assembly.PARTIAL, s.assemble(false, true, b, false, 12));
        assertEquals(OcppSession.Assembly.TEXT, s.assemble(true, false, b, true, 12));
        assertEquals("1234512345", s.takeMessage().toString());
        assertEquals(OcppSession.Assembly.PARTIAL, s.assemble(false, true, b, false, 12));
        assertEquals(
                OcppSession.Assembly.PARTIAL,
                s.assemble(true, false, io.vertx.core.buffer.Buffer.buffer("123"), false, 12));
        assertEquals(OcppSession.Assembly.TOO_BIG, s.assemble(true, false, b, true, 12), "5 + 3 + 5 bytes > 12");
        assertEquals(
                OcppSession.Assembly.DISCARDED,
                s.assemble(false, true, b, true, 12),
                "nothing more is read after 1009");
    }

    @Test
    @DisplayName("a call the charger does not answer fails with Timeout; a closed session fails its calls with Offline")
    void callTimeout(Vertx vertx, VertxTestContext test) {
        OcppSession s = new OcppSession(vertx, "s", "CP-1", "acme", true, null, 0, OcppMessages.V16, true);
        s.markClosed();
        s.call("Reset", new JsonObject().put("type", "Soft"), 50)
                .onComplete(test.failing(e -> test.verify(() -> {
                    assertEquals("Offline", ((OcppError) e).code());
                    test.completeNow();
                })));
    }

    @Test
    @DisplayName("an answer written after the socket closed, before the session heard of it, is dropped quietly "
            + "(a charger that leaves while its StatusNotification is being committed)")
    void answerAfterClose(Vertx vertx, VertxTestContext test) {
        vertx.createHttpServer()
                .webSocketHandler(ws -> {
                    OcppSession s = new OcppSession(vertx, "s", "CP-1", "acme", true, ws, 0, OcppMessages.V16, true);
                    ws.closeHandler(closed -> test.verify(() -> {
                        s.send("[3,\"1\",{}]"); // threw IllegalStateException: WebSocket is closed
                        test.completeNow();
                    }));
                })
                .listen(0, "127.0.0.1")
                .compose(server -> vertx.createWebSocketClient().connect(server.actualPort(), "127.0.0.1", "/"))
                .compose(client -> client.close())
                .onFailure(test::failNow);
    }
}
