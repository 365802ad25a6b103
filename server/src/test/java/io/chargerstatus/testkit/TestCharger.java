package io.chargerstatus.testkit;

import io.chargerstatus.infra.Schemas;
import io.chargerstatus.ocpp.OcppMessages;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
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
    /** The version the service chose at the upgrade; every reply and every call it sends is checked against it. */
    public final OcppMessages messages;
    /** Calls from the service that broke the schema of this charger's version (should stay empty). */
    public final List<String> badCalls = new CopyOnWriteArrayList<>();

    private TestCharger(String id, WebSocket ws) {
        this.id = id;
        this.ws = ws;
        this.messages = ws.subProtocol() == null ? OcppMessages.V16 : OcppMessages.of(ws.subProtocol());
        if (messages == OcppMessages.V201) {
            answers.remove("UpdateFirmware"); // 2.0.1's confirmation has a status, as every other one here
        }
        ws.textMessageHandler(this::onText);
        ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));
    }

    public static TestCharger connect(TestService s, String chargerId) {
        return connect(s, chargerId, null);
    }

    public static TestCharger connect(TestService s, String chargerId, String authorization) {
        return connect(s, chargerId, authorization, List.of("ocpp1.6"));
    }

    /** A charger offering only OCPP 2.0.1. */
    public static TestCharger connect201(TestService s, String chargerId) {
        return connect(s, chargerId, null, List.of("ocpp2.0.1"));
    }

    /** A charger offering these subprotocols, in its order of preference. */
    public static TestCharger connect(
            TestService s, String chargerId, String authorization, List<String> subprotocols) {
        try {
            return new TestCharger(
                    chargerId,
                    CLIENT.connect(options(s, chargerId, authorization, subprotocols))
                            .toCompletionStage()
                            .toCompletableFuture()
                            .get(10, TimeUnit.SECONDS));
        } catch (Exception e) {
            throw new IllegalStateException("charger " + chargerId + " could not connect: " + e, e);
        }
    }

    /** The HTTP status the upgrade was refused with, or 101 when it was accepted. */
    public static int upgradeStatus(TestService s, String chargerId, String authorization) {
        return upgrade(s, chargerId, authorization, List.of("ocpp1.6"));
    }

    /** The HTTP status of an upgrade offering these subprotocols, or 101 when it was accepted. */
    public static int upgradeStatusOffering(TestService s, String chargerId, List<String> subprotocols) {
        return upgrade(s, chargerId, null, subprotocols);
    }

    private static int upgrade(TestService s, String chargerId, String authorization, List<String> subprotocols) {
        try {
            WebSocket ws = CLIENT.connect(options(s, chargerId, authorization, subprotocols))
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

    private static WebSocketConnectOptions options(
            TestService s, String chargerId, String authorization, List<String> subprotocols) {
        WebSocketConnectOptions o = new WebSocketConnectOptions().setAbsoluteURI(s.ocppUrl(chargerId));
        subprotocols.forEach(o::addSubProtocol);
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
            try {
                messages.checkRequest(
                        frame.getString(2),
                        Schemas.MAPPER.valueToTree(frame.getJsonObject(3).getMap()));
            } catch (RuntimeException e) {
                badCalls.add(frame.encode() + ": " + e.getMessage());
            }
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
        if (reply.getInteger(0) == 3 && messages.described(action)) {
            messages.checkConfirmation(
                    action, reply.getJsonObject(2)); // throws if the service's reply breaks the schema
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

    // ---- OCPP 2.0.1 -----------------------------------------------------------------------------

    public JsonObject boot201() {
        return ok(
                "BootNotification",
                new JsonObject()
                        .put("reason", "PowerUp")
                        .put(
                                "chargingStation",
                                new JsonObject()
                                        .put("vendorName", "NewGen")
                                        .put("model", "NG-2")
                                        .put("firmwareVersion", "2.0.0")));
    }

    /** StatusNotification of connector 1 of an EVSE. */
    public JsonObject evse(int evseId, String connectorStatus, Instant timestamp) {
        return connector(evseId, 1, connectorStatus, timestamp);
    }

    /** StatusNotification of one connector of an EVSE. */
    public JsonObject connector(int evseId, int connectorId, String connectorStatus, Instant timestamp) {
        return ok(
                "StatusNotification",
                new JsonObject()
                        .put("timestamp", timestamp.toString())
                        .put("connectorStatus", connectorStatus)
                        .put("evseId", evseId)
                        .put("connectorId", connectorId));
    }

    public JsonObject evse(int evseId, String connectorStatus) {
        return evse(evseId, connectorStatus, Instant.now());
    }

    /** A TransactionEvent; {@code chargingState} and {@code idToken} may be null. */
    public JsonObject transaction(
            String eventType,
            int evseId,
            String transactionId,
            String chargingState,
            String idToken,
            Instant timestamp) {
        JsonObject info = new JsonObject().put("transactionId", transactionId);
        if (chargingState != null) {
            info.put("chargingState", chargingState);
        }
        JsonObject p = new JsonObject()
                .put("eventType", eventType)
                .put("timestamp", timestamp.toString())
                .put("triggerReason", "Ended".equals(eventType) ? "EVDeparted" : "ChargingStateChanged")
                .put("seqNo", ids.incrementAndGet())
                .put("transactionInfo", info)
                .put("evse", new JsonObject().put("id", evseId).put("connectorId", 1));
        if (idToken != null) {
            p.put("idToken", new JsonObject().put("idToken", idToken).put("type", "ISO14443"));
        }
        return ok("TransactionEvent", p);
    }

    public JsonObject transaction(String eventType, int evseId, String transactionId, String chargingState) {
        return transaction(eventType, evseId, transactionId, chargingState, null, Instant.now());
    }

    /** NotifyEvent on the Problem variable of a component of an EVSE (0: the station). */
    public JsonObject problem(int evseId, String component, boolean active, String techCode, String techInfo) {
        JsonObject c = new JsonObject().put("name", component);
        if (evseId > 0) {
            c.put("evse", new JsonObject().put("id", evseId));
        }
        JsonObject event = new JsonObject()
                .put("eventId", ids.incrementAndGet())
                .put("timestamp", Instant.now().toString())
                .put("trigger", "Delta")
                .put("actualValue", String.valueOf(active))
                .put("component", c)
                .put("variable", new JsonObject().put("name", "Problem"))
                .put("eventNotificationType", "HardWiredNotification");
        if (techCode != null) {
            event.put("techCode", techCode);
        }
        if (techInfo != null) {
            event.put("techInfo", techInfo);
        }
        return ok(
                "NotifyEvent",
                new JsonObject()
                        .put("generatedAt", Instant.now().toString())
                        .put("seqNo", 0)
                        .put("eventData", new JsonArray().add(event)));
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
