package io.chargerstatus.sim;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** The payloads a simulated charger sends, in OCPP 1.6J or 2.0.1 terms, stamped with the time now. */
final class SimPayloads {
    private SimPayloads() {}

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
    }

    static JsonObject boot(boolean v201, int connectors, String firmware) {
        if (v201) {
            return new JsonObject()
                    .put("reason", "PowerUp")
                    .put(
                            "chargingStation",
                            new JsonObject()
                                    .put("vendorName", "SimCo")
                                    .put("model", "Sim2-" + connectors)
                                    .put("firmwareVersion", firmware));
        }
        return new JsonObject()
                .put("chargePointVendor", "SimCo")
                .put("chargePointModel", "Sim-" + connectors)
                .put("firmwareVersion", firmware);
    }

    /** A 1.6 StatusNotification. */
    static JsonObject status16(int connector, String ocppStatus, String errorCode, String vendorErrorCode) {
        JsonObject p = new JsonObject()
                .put("connectorId", connector)
                .put("status", ocppStatus)
                .put("errorCode", errorCode)
                .put("timestamp", now());
        if (vendorErrorCode != null) {
            p.put("vendorErrorCode", vendorErrorCode);
        }
        return p;
    }

    /** A 2.0.1 StatusNotification of the EVSE's one connector. */
    static JsonObject status201(int evse, String connectorStatus) {
        return new JsonObject()
                .put("timestamp", now())
                .put("connectorStatus", connectorStatus)
                .put("evseId", evse)
                .put("connectorId", 1);
    }

    /** A 2.0.1 NotifyEvent of the EVSE's Problem variable (a fault begins or ends). */
    static JsonObject problem(int eventId, int evse, boolean active, String techCode) {
        JsonObject event = new JsonObject()
                .put("eventId", eventId)
                .put("timestamp", now())
                .put("trigger", "Delta")
                .put("actualValue", String.valueOf(active))
                .put("component", new JsonObject().put("name", "EVSE").put("evse", new JsonObject().put("id", evse)))
                .put("variable", new JsonObject().put("name", "Problem"))
                .put("eventNotificationType", "HardWiredNotification");
        if (techCode != null) {
            event.put("techCode", techCode);
        }
        return new JsonObject().put("generatedAt", now()).put("seqNo", 0).put("eventData", new JsonArray().add(event));
    }

    /** A 2.0.1 TransactionEvent of the transaction {@code transactionRef} on the EVSE. */
    static JsonObject transactionEvent(
            int seqNo,
            String eventType,
            String transactionRef,
            int evse,
            String chargingState,
            String idTag,
            String stoppedReason) {
        JsonObject info = new JsonObject().put("transactionId", transactionRef);
        if (chargingState != null) {
            info.put("chargingState", chargingState);
        }
        if (stoppedReason != null) {
            info.put("stoppedReason", stoppedReason);
        }
        JsonObject p = new JsonObject()
                .put("eventType", eventType)
                .put("timestamp", now())
                .put("triggerReason", "Started".equals(eventType) ? "Authorized" : "ChargingStateChanged")
                .put("seqNo", seqNo)
                .put("transactionInfo", info)
                .put("evse", new JsonObject().put("id", evse).put("connectorId", 1));
        if (idTag != null) {
            p.put("idToken", new JsonObject().put("idToken", idTag).put("type", "Central"));
        }
        return p;
    }

    static JsonObject startTransaction(int connector, String idTag) {
        return new JsonObject()
                .put("connectorId", connector)
                .put("idTag", idTag)
                .put("meterStart", 0)
                .put("timestamp", Instant.now().toString());
    }

    static JsonObject stopTransaction(int transactionId, int meterStop) {
        return new JsonObject()
                .put("transactionId", transactionId)
                .put("meterStop", meterStop)
                .put("timestamp", Instant.now().toString())
                .put("reason", "EVDisconnected");
    }
}
