package io.chargerstatus.testkit;

import io.chargerstatus.ocpp.Ocpp16Messages;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A charger for tests, speaking OCPP-J over a real WebSocket. Calls block until answered; every
 * CALLRESULT is checked against the OCPP 1.6 schema of the action's confirmation. CALLs from the
 * service are recorded and answered with {@code {"status":"Accepted"}}.
 */
public final class TestCharger implements AutoCloseable {
    public static final Vertx VERTX = Vertx.vertx();
    private static final WebSocketClient CLIENT = VERTX.createWebSocketClient();

    public final String id;
    private final WebSocket ws;
    private final Map<String, CompletableFuture<JsonArray>> waiting = new ConcurrentHashMap<>();
    public final BlockingQueue<JsonArray> callsFromService = new LinkedBlockingQueue<>();
    public final CompletableFuture<Short> closed = new CompletableFuture<>();
    private final AtomicInteger ids = new AtomicInteger();

    private TestCharger(String id, WebSocket ws) {
        this.id = id;
        this.ws = ws;
        ws.textMessageHandler(this::onText);
        ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));
    }

    public static TestCharger connect(TestService s, String chargerId) {
        return connect(s, chargerId, null);
    }

    public static TestCharger connect(TestService s, String chargerId, String authorization) {
        try {
            return new TestCharger(
                    chargerId,
                    CLIENT.connect(options(s, chargerId, authorization))
                            .toCompletionStage()
                            .toCompletableFuture()
                            .get(10, TimeUnit.SECONDS));
        } catch (Exception e) {
            throw new IllegalStateException("charger " + chargerId + " could not connect: " + e, e);
        }
    }

    /** The HTTP status the upgrade was refused with, or 101 when it was accepted. */
    public static int upgradeStatus(TestService s, String chargerId, String authorization) {
        try {
            WebSocket ws = CLIENT.connect(options(s, chargerId, authorization))
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            ws.close();
            return 101;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UpgradeRejectedException r) {
                return r.getStatus();
            }
            throw new IllegalStateException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static WebSocketConnectOptions options(TestService s, String chargerId, String authorization) {
        WebSocketConnectOptions o = new WebSocketConnectOptions()
                .setAbsoluteURI(s.ocppUrl(chargerId))
                .addSubProtocol("ocpp1.6");
        if (authorization != null) {
            o.addHeader("Authorization", authorization);
        }
        return o;
    }

    /**
     * How this charger answers the service's calls, by action: a payload for a CALLRESULT, {@link #SILENT}
     * for no answer at all, or {@link #CALL_ERROR}. Unlisted actions get {@code {"status":"Accepted"}}
     * (UpdateFirmware, whose confirmation is empty, gets {@code {}}).
     */
    public final Map<String, JsonObject> answers = new ConcurrentHashMap<>(Map.of("UpdateFirmware", new JsonObject()));

    public static final JsonObject SILENT = new JsonObject().put("silent", true);
    public static final JsonObject CALL_ERROR = new JsonObject().put("callError", true);

    private void onText(String text) {
        JsonArray frame = new JsonArray(text);
        if (frame.getInteger(0) == 2) {
            callsFromService.add(frame);
            JsonObject answer = answers.getOrDefault(frame.getString(2), new JsonObject().put("status", "Accepted"));
            if (answer == CALL_ERROR) {
                ws.writeTextMessage(new JsonArray()
                        .add(4)
                        .add(frame.getString(1))
                        .add("InternalError")
                        .add("broken")
                        .add(new JsonObject())
                        .encode());
            } else if (answer != SILENT) {
                ws.writeTextMessage(new JsonArray()
                        .add(3)
                        .add(frame.getString(1))
                        .add(answer)
                        .encode());
            }
            return;
        }
        CompletableFuture<JsonArray> f = waiting.remove(frame.getString(1));
        if (f != null) {
            f.complete(frame);
        }
    }

    /** Sends a CALL and returns the whole reply frame ([3,...] or [4,...]). */
    public JsonArray call(String action, JsonObject payload) {
        String callId = id + "-" + ids.incrementAndGet();
        JsonArray reply =
                raw(new JsonArray().add(2).add(callId).add(action).add(payload).encode(), callId);
        if (reply.getInteger(0) == 3 && Ocpp16Messages.described(action)) {
            Ocpp16Messages.checkConfirmation(action, reply.getJsonObject(2)); // throws if our reply breaks the schema
        }
        return reply;
    }

    /** The CALLRESULT payload of a call that must succeed. */
    public JsonObject ok(String action, JsonObject payload) {
        JsonArray reply = call(action, payload);
        if (reply.getInteger(0) != 3) {
            throw new AssertionError(action + " was answered with " + reply.encode());
        }
        return reply.getJsonObject(2);
    }

    /** Sends any text and waits for the frame answering {@code replyId}. */
    public JsonArray raw(String text, String replyId) {
        CompletableFuture<JsonArray> f = new CompletableFuture<>();
        waiting.put(replyId, f);
        ws.writeTextMessage(text);
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            waiting.remove(replyId);
            throw new AssertionError("no reply to " + text + ": " + e);
        }
    }

    /** Writes one WebSocket frame as it is (fragments, oversized frames). */
    public void frame(WebSocketFrame frame) {
        ws.writeFrame(frame);
    }

    /** The close code the service closed this session with, waiting up to {@code seconds}. */
    public short closeCode(int seconds) {
        try {
            return closed.get(seconds, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the session was not closed within " + seconds + " s", e);
        }
    }

    /** Sends text without waiting for anything (floods, fuzzing). */
    public void send(String text) {
        ws.writeTextMessage(text);
    }

    /** A future of the frame answering {@code replyId}; register it before sending. */
    public CompletableFuture<JsonArray> replyTo(String replyId) {
        return waiting.computeIfAbsent(replyId, k -> new CompletableFuture<>());
    }

    public JsonObject boot() {
        return ok(
                "BootNotification",
                new JsonObject()
                        .put("chargePointVendor", "ACME")
                        .put("chargePointModel", "AC22")
                        .put("firmwareVersion", "1.2.3"));
    }

    public JsonObject status(int connectorId, String status) {
        return status(connectorId, status, "NoError", null, Instant.now());
    }

    public JsonObject status(
            int connectorId, String status, String errorCode, String vendorErrorCode, Instant timestamp) {
        JsonObject p = new JsonObject()
                .put("connectorId", connectorId)
                .put("status", status)
                .put("errorCode", errorCode)
                .put("timestamp", timestamp.toString());
        if (vendorErrorCode != null) {
            p.put("vendorErrorCode", vendorErrorCode);
        }
        return ok("StatusNotification", p);
    }

    public JsonObject firmware(String status) {
        return ok("FirmwareStatusNotification", new JsonObject().put("status", status));
    }

    /** The next CALL of {@code action} the service sent (others are skipped), within {@code seconds}; null if none. */
    public JsonArray nextCallFromService(String action, int seconds) throws InterruptedException {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (System.currentTimeMillis() < deadline) {
            JsonArray call = callsFromService.poll(deadline - System.currentTimeMillis(), TimeUnit.MILLISECONDS);
            if (call != null && call.getString(2).equals(action)) {
                return call;
            }
        }
        return null;
    }

    /** The next CALL the service sent, within {@code seconds}; null if none. */
    public JsonArray nextCallFromService(int seconds) throws InterruptedException {
        return callsFromService.poll(seconds, TimeUnit.SECONDS);
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    @Override
    public void close() {
        if (!closed.isDone()) {
            try {
                ws.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
                closed.get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
