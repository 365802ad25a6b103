package io.chargerstatus.ocpp.v201;

import io.chargerstatus.ocpp.CentralSystem;
import io.chargerstatus.ocpp.OcppError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The service's calls to chargers, in the charger's own version. The command API and the rules speak one
 * language (the OCPP 1.6 calls, see {@code api/CommandCatalog}); for an OCPP 2.0.1 session each call is
 * written as its 2.0.1 counterpart here. The charger's answer is passed on as it came (a 2.0.1 {@code Reset}
 * answered {@code Scheduled} reaches the REST caller as {@code Scheduled}): the API never rewrites what a charger
 * said.
 */
final class Ocpp201Commands {
    private Ocpp201Commands() {}

    /** The 2.0.1 call for a 1.6 call; throws NotSupported for one without a counterpart. */
    static CentralSystem.Outbound of(String action, JsonObject p, Ocpp201Session session) {
        return switch (action) {
            case "RemoteStartTransaction" -> {
                JsonObject request = new JsonObject()
                        .put("remoteStartId", session.nextRequestId())
                        .put(
                                "idToken",
                                new JsonObject()
                                        .put("idToken", p.getString("idTag"))
                                        .put("type", "Central"));
                if (p.getInteger("connectorId", 0) > 0) {
                    request.put("evseId", p.getInteger("connectorId"));
                }
                yield new CentralSystem.Outbound("RequestStartTransaction", request);
            }
            case "RemoteStopTransaction" ->
                new CentralSystem.Outbound(
                        "RequestStopTransaction",
                        new JsonObject().put("transactionId", transactionRef(p.getValue("transactionId"), session)));
            case "ChangeAvailability" -> {
                JsonObject request = new JsonObject().put("operationalStatus", p.getString("type"));
                if (p.getInteger("connectorId", 0) > 0) {
                    request.put("evse", new JsonObject().put("id", p.getInteger("connectorId")));
                }
                yield new CentralSystem.Outbound("ChangeAvailability", request);
            }
            case "UpdateFirmware" -> {
                JsonObject firmware = new JsonObject()
                        .put("location", p.getString("location"))
                        .put("retrieveDateTime", p.getString("retrieveDate"));
                JsonObject request = new JsonObject()
                        .put("requestId", session.nextRequestId())
                        .put("firmware", firmware);
                copy(p, "retries", request);
                copy(p, "retryInterval", request);
                yield new CentralSystem.Outbound("UpdateFirmware", request);
            }
            case "Reset" ->
                new CentralSystem.Outbound(
                        "Reset",
                        new JsonObject().put("type", "Hard".equals(p.getString("type")) ? "Immediate" : "OnIdle"));
            case "TriggerMessage" -> {
                String requested = p.getString("requestedMessage");
                JsonObject request = new JsonObject()
                        .put(
                                "requestedMessage",
                                "DiagnosticsStatusNotification".equals(requested)
                                        ? "LogStatusNotification"
                                        : requested);
                if (p.getInteger("connectorId", 0) > 0) {
                    request.put("evse", new JsonObject().put("id", p.getInteger("connectorId")));
                }
                yield new CentralSystem.Outbound("TriggerMessage", request);
            }
            case "SetChargingProfile" -> new CentralSystem.Outbound("SetChargingProfile", chargingProfile(p, session));
            // The EVSE's connector 1: the REST API names EVSEs as connectors (connectorId = evseId).
            case "UnlockConnector" ->
                new CentralSystem.Outbound(
                        "UnlockConnector",
                        new JsonObject()
                                .put("evseId", p.getInteger("connectorId"))
                                .put("connectorId", 1));
            case "GetVariables", "SetVariables" -> new CentralSystem.Outbound(action, p); // written in 2.0.1 already
            case "GetConfiguration", "ChangeConfiguration" ->
                throw new OcppError(
                        "NotSupported",
                        action + " is OCPP 1.6; this charger speaks 2.0.1: use get-variables / set-variables");
            default -> throw new OcppError("NotSupported", action + " has no OCPP 2.0.1 counterpart in this service");
        };
    }

    /** A transaction id from the API or the rules: the charger's own string, or the service's number for it. */
    private static String transactionRef(Object id, Ocpp201Session session) {
        if (id instanceof Number n) {
            String ref = session.refOf(n.intValue());
            return ref != null ? ref : String.valueOf(n.intValue());
        }
        return String.valueOf(id);
    }

    /** A 1.6 {@code csChargingProfiles} as a 2.0.1 {@code chargingProfile} (its schedule becomes a one-item list). */
    private static JsonObject chargingProfile(JsonObject p, Ocpp201Session session) {
        JsonObject cs = p.getJsonObject("csChargingProfiles");
        JsonObject schedule16 = cs.getJsonObject("chargingSchedule");
        JsonObject schedule = new JsonObject()
                .put("id", cs.getInteger("chargingProfileId"))
                .put("chargingRateUnit", schedule16.getString("chargingRateUnit"))
                .put(
                        "chargingSchedulePeriod",
                        schedule16.getJsonArray("chargingSchedulePeriod").copy());
        copy(schedule16, "duration", schedule);
        copy(schedule16, "startSchedule", schedule);
        copy(schedule16, "minChargingRate", schedule);
        JsonObject profile = new JsonObject()
                .put("id", cs.getInteger("chargingProfileId"))
                .put("stackLevel", cs.getInteger("stackLevel"))
                .put("chargingProfilePurpose", cs.getString("chargingProfilePurpose"))
                .put("chargingProfileKind", cs.getString("chargingProfileKind"))
                .put("chargingSchedule", new JsonArray().add(schedule));
        if (cs.getValue("transactionId") != null) {
            profile.put("transactionId", transactionRef(cs.getValue("transactionId"), session));
        }
        copy(cs, "validFrom", profile);
        copy(cs, "validTo", profile);
        copy(cs, "recurrencyKind", profile);
        return new JsonObject().put("evseId", p.getInteger("connectorId")).put("chargingProfile", profile);
    }

    private static void copy(JsonObject from, String field, JsonObject to) {
        if (from.getValue(field) != null) {
            to.put(field, from.getValue(field));
        }
    }
}
