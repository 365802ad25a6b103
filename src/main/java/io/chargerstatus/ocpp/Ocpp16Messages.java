package io.chargerstatus.ocpp;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.ValidationMessage;
import io.chargerstatus.infra.Schemas;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The OCPP 1.6 messages this service knows, each described once by a JSON Schema under
 * {@code ocpp16/} ({@code Action.req.json} for a request, {@code Action.conf.json} for its reply), and the
 * mapping of a schema violation to the OCPP-J error code a charger expects.
 *
 * <p>Schemas are compiled once at class load and are thread-safe, so every event loop shares them.
 */
public final class Ocpp16Messages {

    /** Requests a charge point sends to the central system. */
    public static final Set<String> CHARGER_INITIATED = Set.of(
            "Authorize",
            "BootNotification",
            "DataTransfer",
            "DiagnosticsStatusNotification",
            "FirmwareStatusNotification",
            "Heartbeat",
            "MeterValues",
            "StartTransaction",
            "StatusNotification",
            "StopTransaction");

    /** OCPP 1.6 actions the central system sends: a charger sending one of them gets NotSupported. */
    public static final Set<String> CENTRAL_SYSTEM_INITIATED = Set.of(
            "CancelReservation",
            "ChangeAvailability",
            "ChangeConfiguration",
            "ClearCache",
            "ClearChargingProfile",
            "GetCompositeSchedule",
            "GetConfiguration",
            "GetDiagnostics",
            "GetLocalListVersion",
            "RemoteStartTransaction",
            "RemoteStopTransaction",
            "ReserveNow",
            "Reset",
            "SendLocalList",
            "SetChargingProfile",
            "TriggerMessage",
            "UnlockConnector",
            "UpdateFirmware");

    /** The calls this service sends a charger (each with a schema for its request and its confirmation). */
    private static final List<String> SENT = List.of(
            "TriggerMessage",
            "RemoteStartTransaction",
            "RemoteStopTransaction",
            "ChangeAvailability",
            "UpdateFirmware",
            "Reset",
            "SetChargingProfile");

    private static final List<String> SCHEMAS =
            Stream.concat(CHARGER_INITIATED.stream(), SENT.stream()).toList();

    private static final Map<String, JsonSchema> SCHEMA = new HashMap<>();

    static {
        for (String action : SCHEMAS) {
            for (String name : List.of(action + ".req", action + ".conf")) {
                SCHEMA.put(name, Schemas.load("ocpp16/" + name + ".json"));
            }
        }
    }

    private Ocpp16Messages() {}

    /** Checks a request payload; throws {@link OcppError} with the fitting code when it breaks the schema. */
    public static void checkRequest(String action, JsonNode payload) {
        fail(Schemas.check(SCHEMA.get(action + ".req"), payload));
    }

    /** Checks a reply payload (what we send, and what chargers answer to our calls). */
    public static void checkConfirmation(String action, JsonObject payload) {
        JsonSchema schema = SCHEMA.get(action + ".conf");
        if (schema != null) {
            fail(Schemas.check(schema, payload));
        }
    }

    /** Whether a schema describes this action's messages. */
    public static boolean described(String action) {
        return SCHEMA.containsKey(action + ".req");
    }

    private static void fail(Set<ValidationMessage> errors) {
        if (errors.isEmpty()) {
            return;
        }
        ValidationMessage cause = Schemas.mostSpecific(errors);
        throw new OcppError(codeFor(cause.getType()), cause.getMessage());
    }

    /**
     * OCPP-J 1.6 section 4.2.3: a wrong type is a TypeConstraintViolation, a value outside its enumeration,
     * length or format a PropertyConstraintViolation, a missing required field a ProtocolError ("payload
     * is incomplete") and a field the message does not have a FormationViolation.
     */
    static String codeFor(String keyword) {
        return switch (keyword) {
            case "type" -> "TypeConstraintViolation";
            case "enum", "maxLength", "minLength", "format", "minimum", "maximum" -> "PropertyConstraintViolation";
            case "required" -> "ProtocolError";
            default -> "FormationViolation";
        };
    }
}
