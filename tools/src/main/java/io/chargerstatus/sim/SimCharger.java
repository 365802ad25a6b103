package io.chargerstatus.sim;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One simulated charge point, OCPP 1.6J or 2.0.1: boots, reports every connector (EVSE), sends heartbeats,
 * walks its connectors through transactions (Preparing, Charging, SuspendedEV/SuspendedEVSE, Finishing,
 * Available) with an occasional fault, and answers the central system's calls as a real charger would.
 * The life cycle is written once in 1.6 terms; a 2.0.1 charger says the same with its own messages
 * (Occupied, TransactionEvent and its charging state, NotifyEvent before a fault). Confined to one event loop.
 */
final class SimCharger {
    private static final String[] FAULTS = {
        "GroundFailure",
        "OverCurrentFailure",
        "PowerMeterFailure",
        "HighTemperature",
        "ConnectorLockFailure",
        "EVCommunicationError"
    };

    final String id;
    private final Vertx vertx;
    private final SimStats stats;
    private final int connectors;
    private final String[] status;
    private final Integer[] transaction;
    /** OCPP 2.0.1: the charger's own id of the transaction on each EVSE. */
    private final String[] transactionRef;

    private final boolean v201;
    private int nextTransaction;
    private final Map<String, Promise<JsonObject>> pending = new HashMap<>();
    private WebSocket ws;
    private long nextId;
    private long nextHeartbeatMillis;
    private int heartbeatS;
    private String firmware = "1.0.0";
    private boolean busy;

    SimCharger(Vertx vertx, String id, int connectors, SimStats stats, boolean v201) {
        this.vertx = vertx;
        this.id = id;
        this.connectors = connectors;
        this.stats = stats;
        this.v201 = v201;
        this.status = new String[connectors + 1];
        this.transaction = new Integer[connectors + 1];
        this.transactionRef = new String[connectors + 1];
    }

    boolean online() {
        return ws != null && !ws.isClosed();
    }

    /** Connects, boots and reports every connector. */
    Future<Void> start(WebSocketClient client, String url, int heartbeatOverrideS) {
        return client.connect(new WebSocketConnectOptions()
                        .setAbsoluteURI(url + "/" + id)
                        .addSubProtocol(v201 ? "ocpp2.0.1" : "ocpp1.6"))
                .compose(socket -> {
                    ws = socket;
                    stats.sessionOpened();
                    socket.textMessageHandler(this::onText);
                    socket.closeHandler(v -> closed());
                    socket.exceptionHandler(e -> {});
                    return boot(heartbeatOverrideS);
                })
                .onFailure(e -> stats.connectFailed());
    }

    private Future<Void> boot(int heartbeatOverrideS) {
        return call("BootNotification", SimPayloads.boot(v201, connectors, firmware))
                .compose(conf -> {
                    heartbeatS = heartbeatOverrideS > 0 ? heartbeatOverrideS : conf.getInteger("interval", 300);
                    nextHeartbeatMillis = System.currentTimeMillis()
                            + ThreadLocalRandom.current().nextLong(heartbeatS * 1000L);
                    stats.bootDone();
                    Future<?> all = Future.succeededFuture();
                    for (int c = 0; c <= connectors; c++) {
                        int connector = c;
                        String initial = status[c] == null ? "Available" : status[c];
                        all = all.compose(v -> report(connector, initial, "NoError", null));
                    }
                    return all.mapEmpty();
                });
    }

    private void closed() {
        if (ws != null) {
            stats.sessionClosed();
        }
        pending.values().forEach(p -> p.tryFail("closed"));
        pending.clear();
        busy = false;
    }

    void close() {
        if (online()) {
            ws.close();
        }
    }

    /** Sends a heartbeat when it is due. */
    void tick(long nowMillis) {
        if (online() && heartbeatS > 0 && nowMillis >= nextHeartbeatMillis) {
            nextHeartbeatMillis = nowMillis + heartbeatS * 1000L;
            call("Heartbeat", new JsonObject());
        }
    }

    /**
     * Moves one connector one step along its life; false (and nothing sent) when the charger is offline
     * or a previous step is still waiting for its answer.
     */
    boolean step(int faultEvery) {
        if (!online() || busy) {
            return false;
        }
        ThreadLocalRandom r = ThreadLocalRandom.current();
        int c = 1 + r.nextInt(connectors);
        String s = status[c] == null ? "Available" : status[c];
        busy = true;
        Future<?> done = switch (s) {
            case "Available" ->
                faultEvery > 0 && r.nextInt(faultEvery) == 0
                        ? report(c, "Faulted", FAULTS[r.nextInt(FAULTS.length)], "E-" + (100 + r.nextInt(900)))
                        : report(c, "Preparing", "NoError", null);
            case "Preparing" -> startTransaction(c, "SIM-TAG");
            case "Charging" -> {
                int pick = r.nextInt(10);
                yield pick < 5
                        ? report(c, "SuspendedEV", "NoError", null)
                        : pick < 7 ? report(c, "SuspendedEVSE", "NoError", null) : stopTransaction(c);
            }
            case "SuspendedEV", "SuspendedEVSE" ->
                r.nextBoolean() ? report(c, "Charging", "NoError", null) : stopTransaction(c);
            case "Finishing", "Faulted", "Unavailable", "Reserved" -> report(c, "Available", "NoError", null);
            default -> report(c, "Available", "NoError", null);
        };
        done.onComplete(ar -> busy = false);
        return true;
    }

    private Future<JsonObject> report(int connector, String ocppStatus, String errorCode, String vendorErrorCode) {
        if (v201) {
            return report201(connector, ocppStatus, errorCode, vendorErrorCode);
        }
        status[connector] = ocppStatus;
        stats.statusSent();
        return call("StatusNotification", SimPayloads.status16(connector, ocppStatus, errorCode, vendorErrorCode))
                .onSuccess(v -> stats.statusAnswered());
    }

    /**
     * The same step of the life cycle as a 2.0.1 charger says it: Preparing is an Occupied EVSE, the charging
     * states go in a TransactionEvent of the running transaction, a fault is announced by a NotifyEvent on the
     * EVSE's Problem variable first. The station itself (connector 0) reports nothing.
     */
    private Future<JsonObject> report201(int evse, String step, String errorCode, String vendorErrorCode) {
        String before = status[evse];
        status[evse] = step;
        if (evse == 0 || "Finishing".equals(step)) {
            return Future.succeededFuture(new JsonObject()); // Finishing: said by the TransactionEvent Ended
        }
        stats.statusSent();
        Future<JsonObject> sent;
        if (("Charging".equals(step) || step.startsWith("Suspended")) && transactionRef[evse] != null) {
            sent = transactionEvent("Updated", evse, step, null, null);
        } else {
            Future<JsonObject> problem = "Faulted".equals(step)
                    ? call(
                            "NotifyEvent",
                            SimPayloads.problem(
                                    nextSeqNo(),
                                    evse,
                                    true,
                                    errorCode + (vendorErrorCode == null ? "" : "/" + vendorErrorCode)))
                    : "Faulted".equals(before)
                            ? call("NotifyEvent", SimPayloads.problem(nextSeqNo(), evse, false, null))
                            : Future.succeededFuture(new JsonObject());
            String connectorStatus = switch (step) {
                case "Preparing", "Charging", "SuspendedEV", "SuspendedEVSE" -> "Occupied";
                default -> step;
            };
            sent = problem.compose(v -> call("StatusNotification", SimPayloads.status201(evse, connectorStatus)));
        }
        return sent.onSuccess(v -> stats.statusAnswered());
    }

    private Future<JsonObject> transactionEvent(
            String eventType, int evse, String chargingState, String idTag, String stoppedReason) {
        return call(
                "TransactionEvent",
                SimPayloads.transactionEvent(
                        nextSeqNo(), eventType, transactionRef[evse], evse, chargingState, idTag, stoppedReason));
    }

    /** The next eventId / seqNo of the charger's 2.0.1 messages. */
    private int nextSeqNo() {
        return (int) (++nextId % Integer.MAX_VALUE);
    }

    private Future<JsonObject> startTransaction(int connector, String idTag) {
        if (v201) {
            transactionRef[connector] = id + "-" + (++nextTransaction);
            status[connector] = "Charging";
            stats.statusSent();
            return transactionEvent("Started", connector, "Charging", idTag, null)
                    .onSuccess(v -> stats.statusAnswered());
        }
        return call("StartTransaction", SimPayloads.startTransaction(connector, idTag))
                .compose(conf -> {
                    transaction[connector] = conf.getInteger("transactionId");
                    return report(connector, "Charging", "NoError", null);
                });
    }

    private Future<JsonObject> stopTransaction(int connector) {
        if (v201) {
            if (transactionRef[connector] == null) {
                return report(connector, "Finishing", "NoError", null);
            }
            status[connector] = "Finishing";
            stats.statusSent();
            Future<JsonObject> ended = transactionEvent("Ended", connector, null, null, "EVDisconnected")
                    .onSuccess(v -> stats.statusAnswered());
            transactionRef[connector] = null;
            return ended;
        }
        Integer tx = transaction[connector];
        transaction[connector] = null;
        Future<JsonObject> stop = tx == null
                ? Future.succeededFuture(new JsonObject())
                : call(
                        "StopTransaction",
                        SimPayloads.stopTransaction(
                                tx, 1000 + ThreadLocalRandom.current().nextInt(50_000)));
        return stop.compose(v -> report(connector, "Finishing", "NoError", null));
    }

    Future<JsonObject> call(String action, JsonObject payload) {
        if (!online()) {
            return Future.failedFuture("offline");
        }
        String callId = Long.toString(++nextId, 36);
        Promise<JsonObject> promise = Promise.promise();
        pending.put(callId, promise);
        ws.writeTextMessage(
                new JsonArray().add(2).add(callId).add(action).add(payload).encode());
        return promise.future();
    }

    private void onText(String text) {
        JsonArray frame = new JsonArray(text);
        int type = frame.getInteger(0);
        if (type == 3 || type == 4) {
            Promise<JsonObject> p = pending.remove(frame.getString(1));
            if (p != null) {
                if (type == 3) {
                    p.complete(frame.getJsonObject(2));
                } else {
                    stats.callError();
                    p.fail(frame.getString(2));
                }
            }
            return;
        }
        onCall(frame.getString(1), frame.getString(2), frame.getJsonObject(3));
    }

    /** The 2.0.1 names of the calls a simulated charger answers, by their 1.6 names. */
    private static final Map<String, String> CALLS_201 = Map.of(
            "RequestStartTransaction", "RemoteStartTransaction",
            "RequestStopTransaction", "RemoteStopTransaction",
            "SetChargingProfile", "SetChargingProfile",
            "TriggerMessage", "TriggerMessage",
            "ChangeAvailability", "ChangeAvailability",
            "UpdateFirmware", "UpdateFirmware",
            "Reset", "Reset");

    /**
     * The charger side of the central system's calls, written once in 1.6 terms: a 2.0.1 charger behaves the same
     * and reads the same fields under their 2.0.1 names. A call its version does not have is NotImplemented.
     */
    private void onCall(String callId, String action, JsonObject p) {
        JsonObject accepted = new JsonObject().put("status", "Accepted");
        String call = v201 ? CALLS_201.getOrDefault(action, "") : action;
        switch (call) {
            case "RemoteStartTransaction" -> {
                int c = p.getInteger(v201 ? "evseId" : "connectorId", 1);
                String idTag = v201 ? p.getJsonObject("idToken").getString("idToken") : p.getString("idTag");
                answer(callId, accepted);
                vertx.setTimer(200, t -> startTransaction(c, idTag));
            }
            case "RemoteStopTransaction" -> {
                answer(callId, accepted);
                Object wanted = p.getValue("transactionId");
                for (int c = 1; c <= connectors; c++) {
                    if (wanted.equals(v201 ? transactionRef[c] : transaction[c])) {
                        int connector = c;
                        vertx.setTimer(200, t -> stopTransaction(connector));
                    }
                }
            }
            case "SetChargingProfile" -> {
                answer(callId, accepted);
                chargingProfile(
                        p.getInteger(v201 ? "evseId" : "connectorId", 1),
                        v201
                                ? p.getJsonObject("chargingProfile")
                                        .getJsonArray("chargingSchedule")
                                        .getJsonObject(0)
                                : p.getJsonObject("csChargingProfiles").getJsonObject("chargingSchedule"));
            }
            case "TriggerMessage" -> {
                answer(callId, accepted);
                vertx.setTimer(100, t -> {
                    for (int c = v201 ? 1 : 0; c <= connectors; c++) {
                        report(c, status[c] == null ? "Available" : status[c], "NoError", null);
                    }
                });
            }
            case "ChangeAvailability" -> {
                answer(callId, accepted);
                if (!v201) {
                    availability(p.getInteger("connectorId"), "Operative".equals(p.getString("type")));
                } else if (p.getJsonObject("evse") != null) {
                    availability(
                            p.getJsonObject("evse").getInteger("id"),
                            "Operative".equals(p.getString("operationalStatus")));
                }
            }
            case "UpdateFirmware" -> {
                answer(callId, v201 ? accepted : new JsonObject());
                updateFirmware();
            }
            case "Reset" -> {
                answer(callId, accepted);
                rebootSoon();
            }
            default -> notImplemented(callId, action);
        }
    }

    /** A schedule holding power at 0 suspends the connector until it ends, as a real charger would. */
    private void chargingProfile(int c, JsonObject schedule) {
        double limit =
                schedule.getJsonArray("chargingSchedulePeriod").getJsonObject(0).getDouble("limit");
        if (limit == 0 && c >= 1 && c <= connectors) {
            vertx.setTimer(300, t -> report(c, "SuspendedEVSE", "NoError", null));
            long seconds = schedule.getLong("duration", 0L);
            if (seconds > 0 && seconds < 86_400) {
                vertx.setTimer(seconds * 1000, t -> {
                    if ("SuspendedEVSE".equals(status[c])) {
                        report(c, "Charging", "NoError", null);
                    }
                });
            }
        }
    }

    private void rebootSoon() {
        vertx.setTimer(500, t -> reboot(null));
    }

    private void notImplemented(String callId, String action) {
        ws.writeTextMessage(new JsonArray()
                .add(4)
                .add(callId)
                .add("NotImplemented")
                .add(action)
                .add(new JsonObject())
                .encode());
    }

    /** An availability change, reported back on the connector a short while later. */
    private void availability(int connector, boolean operative) {
        String s = operative ? "Available" : "Unavailable";
        vertx.setTimer(100, t -> report(connector, s, "NoError", null));
    }

    /** Downloading, Downloaded, Installing, a reboot into the new version, Installed: a few seconds each. */
    private void updateFirmware() {
        call("FirmwareStatusNotification", new JsonObject().put("status", "Downloading"));
        vertx.setTimer(3000, t1 -> call("FirmwareStatusNotification", new JsonObject().put("status", "Downloaded")));
        vertx.setTimer(5000, t2 -> call("FirmwareStatusNotification", new JsonObject().put("status", "Installing")));
        vertx.setTimer(8000, t3 -> reboot("2.0.0"));
    }

    private Future<Void> reboot(String newFirmware) {
        WebSocketClient client = rebootClient;
        String url = rebootUrl;
        if (client == null) {
            return Future.succeededFuture();
        }
        close();
        Promise<Void> back = Promise.promise();
        vertx.setTimer(2000, t -> {
            if (newFirmware != null) {
                firmware = newFirmware;
            }
            start(client, url, heartbeatS)
                    .onSuccess(v -> {
                        if (newFirmware != null) {
                            call("FirmwareStatusNotification", new JsonObject().put("status", "Installed"));
                        }
                    })
                    .onComplete(ar -> back.tryComplete());
        });
        return back.future();
    }

    private WebSocketClient rebootClient;
    private String rebootUrl;

    /** Where to reconnect after a reset or a firmware reboot. */
    void reconnectWith(WebSocketClient client, String url) {
        this.rebootClient = client;
        this.rebootUrl = url;
    }

    private void answer(String callId, JsonObject payload) {
        ws.writeTextMessage(new JsonArray().add(3).add(callId).add(payload).encode());
    }
}
