package io.chargerstatus.sim;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One simulated OCPP 1.6J charge point: boots, reports every connector, sends heartbeats, walks its
 * connectors through transactions (Preparing, Charging, SuspendedEV/SuspendedEVSE, Finishing, Available)
 * with an occasional fault, and answers the central system's calls as a real charger would.
 * Confined to one event loop.
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
    private final Map<String, Promise<JsonObject>> pending = new HashMap<>();
    private WebSocket ws;
    private long nextId;
    private long nextHeartbeatMillis;
    private int heartbeatS;
    private String firmware = "1.0.0";
    private boolean busy;

    SimCharger(Vertx vertx, String id, int connectors, SimStats stats) {
        this.vertx = vertx;
        this.id = id;
        this.connectors = connectors;
        this.stats = stats;
        this.status = new String[connectors + 1];
        this.transaction = new Integer[connectors + 1];
    }

    boolean online() {
        return ws != null && !ws.isClosed();
    }

    /** Connects, boots and reports every connector. */
    Future<Void> start(WebSocketClient client, String url, int heartbeatOverrideS) {
        return client.connect(new WebSocketConnectOptions()
                        .setAbsoluteURI(url + "/" + id)
                        .addSubProtocol("ocpp1.6"))
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
        return call(
                        "BootNotification",
                        new JsonObject()
                                .put("chargePointVendor", "SimCo")
                                .put("chargePointModel", "Sim-" + connectors)
                                .put("firmwareVersion", firmware))
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
        status[connector] = ocppStatus;
        JsonObject p = new JsonObject()
                .put("connectorId", connector)
                .put("status", ocppStatus)
                .put("errorCode", errorCode)
                .put("timestamp", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
        if (vendorErrorCode != null) {
            p.put("vendorErrorCode", vendorErrorCode);
        }
        stats.statusSent();
        return call("StatusNotification", p).onSuccess(v -> stats.statusAnswered());
    }

    private Future<JsonObject> startTransaction(int connector, String idTag) {
        return call(
                        "StartTransaction",
                        new JsonObject()
                                .put("connectorId", connector)
                                .put("idTag", idTag)
                                .put("meterStart", 0)
                                .put("timestamp", Instant.now().toString()))
                .compose(conf -> {
                    transaction[connector] = conf.getInteger("transactionId");
                    return report(connector, "Charging", "NoError", null);
                });
    }

    private Future<JsonObject> stopTransaction(int connector) {
        Integer tx = transaction[connector];
        transaction[connector] = null;
        Future<JsonObject> stop = tx == null
                ? Future.succeededFuture(new JsonObject())
                : call(
                        "StopTransaction",
                        new JsonObject()
                                .put("transactionId", tx)
                                .put(
                                        "meterStop",
                                        1000 + ThreadLocalRandom.current().nextInt(50_000))
                                .put("timestamp", Instant.now().toString())
                                .put("reason", "EVDisconnected"));
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

    /** The charger side of the central system's calls. */
    private void onCall(String callId, String action, JsonObject p) {
        JsonObject accepted = new JsonObject().put("status", "Accepted");
        switch (action) {
            case "RemoteStartTransaction" -> {
                int c = p.getInteger("connectorId", 1);
                answer(callId, accepted);
                vertx.setTimer(200, t -> startTransaction(c, p.getString("idTag")));
            }
            case "RemoteStopTransaction" -> {
                answer(callId, accepted);
                for (int c = 1; c <= connectors; c++) {
                    if (p.getInteger("transactionId").equals(transaction[c])) {
                        int connector = c;
                        vertx.setTimer(200, t -> stopTransaction(connector));
                    }
                }
            }
            case "SetChargingProfile" -> {
                answer(callId, accepted);
                int c = p.getInteger("connectorId", 1);
                JsonObject schedule = p.getJsonObject("csChargingProfiles").getJsonObject("chargingSchedule");
                double limit = schedule.getJsonArray("chargingSchedulePeriod")
                        .getJsonObject(0)
                        .getDouble("limit");
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
            case "TriggerMessage" -> {
                answer(callId, accepted);
                vertx.setTimer(100, t -> {
                    for (int c = 0; c <= connectors; c++) {
                        report(c, status[c] == null ? "Available" : status[c], "NoError", null);
                    }
                });
            }
            case "ChangeAvailability" -> {
                answer(callId, accepted);
                int c = p.getInteger("connectorId");
                String s = "Operative".equals(p.getString("type")) ? "Available" : "Unavailable";
                vertx.setTimer(100, t -> report(c, s, "NoError", null));
            }
            case "UpdateFirmware" -> {
                answer(callId, new JsonObject());
                updateFirmware();
            }
            case "Reset" -> {
                answer(callId, accepted);
                vertx.setTimer(500, t -> reboot(null));
            }
            default ->
                ws.writeTextMessage(new JsonArray()
                        .add(4)
                        .add(callId)
                        .add("NotImplemented")
                        .add(action)
                        .add(new JsonObject())
                        .encode());
        }
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
