package io.chargerstatus.testkit;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/**
 * What a test charger says, and what the service sends it, in one OCPP version: the flows both versions share
 * (commands, plug &amp; charge, delayed charging) are written once and run once per version. 1.6 names things by
 * connector, 2.0.1 by EVSE (the REST API's connectorId is the EVSE's id).
 */
public enum OcppDialect {
    V16("1.6", "RemoteStartTransaction") {
        @Override
        public TestCharger connect(TestService s, String chargerId) {
            TestCharger cp = TestCharger.connect(s, chargerId);
            cp.boot();
            return cp;
        }

        @Override
        public void plugIn(TestCharger cp, int connector, Instant at) {
            cp.status(connector, "Preparing", "NoError", null, at);
        }

        @Override
        public Object start(TestCharger cp, int connector, String idTag, Instant at) {
            return cp.ok(
                            "StartTransaction",
                            new JsonObject()
                                    .put("connectorId", connector)
                                    .put("idTag", idTag)
                                    .put("meterStart", 0)
                                    .put("timestamp", at.toString()))
                    .getInteger("transactionId");
        }

        @Override
        public void charging(TestCharger cp, int connector, Object transaction, String state, Instant at) {
            cp.status(connector, state, "NoError", null, at);
        }

        @Override
        public int connectorOf(JsonObject call) {
            return call.getInteger("connectorId");
        }

        @Override
        public String idTagOf(JsonObject remoteStart) {
            return remoteStart.getString("idTag");
        }

        @Override
        public JsonObject profileOf(JsonObject setChargingProfile) {
            return setChargingProfile.getJsonObject("csChargingProfiles");
        }

        @Override
        public JsonObject scheduleOf(JsonObject profile) {
            return profile.getJsonObject("chargingSchedule");
        }

        @Override
        public List<Command> commands(Object transaction) {
            return List.of(
                    new Command(
                            "remote-start",
                            new JsonObject().put("connectorId", 1).put("idTag", "DRIVER-1"),
                            "RemoteStartTransaction",
                            new JsonObject().put("connectorId", 1).put("idTag", "DRIVER-1")),
                    new Command(
                            "remote-stop",
                            new JsonObject().put("transactionId", transaction),
                            "RemoteStopTransaction",
                            new JsonObject().put("transactionId", transaction)),
                    new Command(
                            "change-availability",
                            new JsonObject().put("connectorId", 0).put("available", false),
                            "ChangeAvailability",
                            new JsonObject().put("connectorId", 0).put("type", "Inoperative")),
                    new Command(
                            "update-firmware",
                            new JsonObject()
                                    .put("location", "https://fw.example/ac22-2.0.bin")
                                    .put("retrieveAt", "2026-11-24T02:00:00Z"),
                            "UpdateFirmware",
                            new JsonObject()
                                    .put("location", "https://fw.example/ac22-2.0.bin")
                                    .put("retrieveDate", "2026-11-24T02:00:00Z")),
                    new Command(
                            "reset",
                            new JsonObject().put("type", "Soft"),
                            "Reset",
                            new JsonObject().put("type", "Soft")),
                    new Command(
                            "trigger-status",
                            new JsonObject(),
                            "TriggerMessage",
                            new JsonObject().put("requestedMessage", "StatusNotification")));
        }
    },

    V201("2.0.1", "RequestStartTransaction") {
        @Override
        public TestCharger connect(TestService s, String chargerId) {
            TestCharger cp = TestCharger.connect201(s, chargerId);
            // 2.0.1's UpdateFirmwareResponse has a status (1.6's confirmation is empty).
            cp.answers.put("UpdateFirmware", new JsonObject().put("status", "Accepted"));
            cp.boot201();
            return cp;
        }

        @Override
        public void plugIn(TestCharger cp, int connector, Instant at) {
            cp.evse(connector, "Occupied", at);
        }

        @Override
        public Object start(TestCharger cp, int connector, String idTag, Instant at) {
            String id = "tx-" + cp.hashCode() + "-" + at.toEpochMilli();
            cp.transaction("Started", connector, id, "EVConnected", idTag, at);
            return id;
        }

        @Override
        public void charging(TestCharger cp, int connector, Object transaction, String state, Instant at) {
            cp.transaction("Updated", connector, (String) transaction, state, null, at);
        }

        @Override
        public int connectorOf(JsonObject call) {
            return call.getInteger("evseId");
        }

        @Override
        public String idTagOf(JsonObject remoteStart) {
            return remoteStart.getJsonObject("idToken").getString("idToken");
        }

        @Override
        public JsonObject profileOf(JsonObject setChargingProfile) {
            return setChargingProfile.getJsonObject("chargingProfile");
        }

        @Override
        public JsonObject scheduleOf(JsonObject profile) {
            return profile.getJsonArray("chargingSchedule").getJsonObject(0);
        }

        @Override
        public List<Command> commands(Object transaction) {
            return List.of(
                    new Command(
                            "remote-start",
                            new JsonObject().put("connectorId", 1).put("idTag", "DRIVER-1"),
                            "RequestStartTransaction",
                            new JsonObject()
                                    .put("evseId", 1)
                                    .put(
                                            "idToken",
                                            new JsonObject()
                                                    .put("idToken", "DRIVER-1")
                                                    .put("type", "Central"))),
                    new Command(
                            "remote-stop",
                            new JsonObject().put("transactionId", transaction),
                            "RequestStopTransaction",
                            new JsonObject().put("transactionId", transaction)),
                    new Command(
                            "change-availability",
                            new JsonObject().put("connectorId", 1).put("available", false),
                            "ChangeAvailability",
                            new JsonObject()
                                    .put("operationalStatus", "Inoperative")
                                    .put("evse", new JsonObject().put("id", 1))),
                    new Command(
                            "update-firmware",
                            new JsonObject()
                                    .put("location", "https://fw.example/ng-2.1.bin")
                                    .put("retrieveAt", "2026-11-24T02:00:00Z"),
                            "UpdateFirmware",
                            new JsonObject()
                                    .put(
                                            "firmware",
                                            new JsonObject()
                                                    .put("location", "https://fw.example/ng-2.1.bin")
                                                    .put("retrieveDateTime", "2026-11-24T02:00:00Z"))),
                    new Command(
                            "reset",
                            new JsonObject().put("type", "Soft"),
                            "Reset",
                            new JsonObject().put("type", "OnIdle")),
                    new Command(
                            "trigger-status",
                            new JsonObject(),
                            "TriggerMessage",
                            new JsonObject().put("requestedMessage", "StatusNotification")));
        }
    };

    /**
     * A REST command, its body, the call the charger must receive and the fields that call must have (the
     * service's own request ids and the like are not compared).
     */
    public record Command(String name, JsonObject body, String action, JsonObject expected) {}

    public final String version;
    /** The call the service sends to start a transaction. */
    public final String remoteStart;

    OcppDialect(String version, String remoteStart) {
        this.version = version;
        this.remoteStart = remoteStart;
    }

    /** A connected, booted charger. */
    public abstract TestCharger connect(TestService s, String chargerId);

    /** A vehicle plugged in: 1.6 Preparing, 2.0.1 an Occupied EVSE. */
    public abstract void plugIn(TestCharger cp, int connector, Instant at);

    /** A transaction started on the connector; its id as the charger's calls carry it. */
    public abstract Object start(TestCharger cp, int connector, String idTag, Instant at);

    /** The transaction's charging state: Charging, SuspendedEV, SuspendedEVSE. */
    public abstract void charging(TestCharger cp, int connector, Object transaction, String state, Instant at);

    /** The connector (1.6) or EVSE (2.0.1) a call of the service is for. */
    public abstract int connectorOf(JsonObject call);

    public abstract String idTagOf(JsonObject remoteStart);

    /** The charging profile of a SetChargingProfile. */
    public abstract JsonObject profileOf(JsonObject setChargingProfile);

    /** The (first) schedule of a charging profile. */
    public abstract JsonObject scheduleOf(JsonObject profile);

    /** Every command of the REST API that both versions have, as this version's call. */
    public abstract List<Command> commands(Object transaction);

    /** Whether every field of {@code expected} is in {@code actual} with the same value (objects compared alike). */
    public static boolean within(JsonObject expected, JsonObject actual) {
        for (String field : expected.fieldNames()) {
            Object want = expected.getValue(field);
            Object got = actual.getValue(field);
            boolean same =
                    want instanceof JsonObject w && got instanceof JsonObject g ? within(w, g) : want.equals(got);
            if (!same) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "OCPP " + version;
    }
}
