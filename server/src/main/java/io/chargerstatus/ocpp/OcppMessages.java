package io.chargerstatus.ocpp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * The OCPP messages this service knows, per version, each described once by the official JSON Schema under
 * {@code ocpp16/} or {@code ocpp201/} ({@code Action.req.json} for a request, {@code Action.conf.json} for its
 * reply), and the mapping of a schema violation to the OCPP-J error code a charger of that version expects.
 *
 * <p>Schemas are compiled once at class load and are thread-safe, so every event loop shares them.
 */
public final class OcppMessages {

    /** OCPP 1.6J. */
    public static final OcppMessages V16 = new OcppMessages(
            "1.6",
            "ocpp16",
            FieldTolerance.V16,
            Set.of(
                    "Authorize",
                    "BootNotification",
                    "DataTransfer",
                    "DiagnosticsStatusNotification",
                    "FirmwareStatusNotification",
                    "Heartbeat",
                    "MeterValues",
                    "StartTransaction",
                    "StatusNotification",
                    "StopTransaction",
                    // The OCA's "Improved security for OCPP 1.6-J": what a charger may send of it.
                    "LogStatusNotification",
                    "SecurityEventNotification",
                    "SignCertificate",
                    "SignedFirmwareStatusNotification"),
            // Actions the central system sends: a charger sending one of them gets NotSupported.
            Set.of(
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
                    "UpdateFirmware",
                    "CertificateSigned",
                    "DeleteCertificate",
                    "ExtendedTriggerMessage",
                    "GetInstalledCertificateIds",
                    "GetLog",
                    "InstallCertificate",
                    "SignedUpdateFirmware"),
            List.of(
                    "TriggerMessage",
                    "RemoteStartTransaction",
                    "RemoteStopTransaction",
                    "ChangeAvailability",
                    "UpdateFirmware",
                    "Reset",
                    "SetChargingProfile",
                    "UnlockConnector",
                    "GetConfiguration",
                    "ChangeConfiguration"));

    /** OCPP 2.0.1: anything a charger sends beyond these gets NotImplemented. */
    public static final OcppMessages V201 = new OcppMessages(
            "2.0.1",
            "ocpp201",
            FieldTolerance.V201,
            Set.of(
                    "Authorize",
                    "BootNotification",
                    "DataTransfer",
                    "FirmwareStatusNotification",
                    "Heartbeat",
                    "LogStatusNotification",
                    "MeterValues",
                    "NotifyEvent",
                    "NotifyReport",
                    "SecurityEventNotification",
                    "SignCertificate",
                    "StatusNotification",
                    "TransactionEvent"),
            Set.of(),
            List.of(
                    "TriggerMessage",
                    "RequestStartTransaction",
                    "RequestStopTransaction",
                    "ChangeAvailability",
                    "UpdateFirmware",
                    "Reset",
                    "SetChargingProfile",
                    "UnlockConnector",
                    "GetVariables",
                    "SetVariables"));

    /** The version as the charger row shows it: "1.6" or "2.0.1". */
    public final String version;
    /** Requests a charger sends to the central system. */
    public final Set<String> chargerInitiated;
    /** Actions only a central system sends. */
    public final Set<String> centralSystemInitiated;

    private final Map<String, JsonSchema> schemas = new HashMap<>();

    private final FieldTolerance tolerance;

    private OcppMessages(
            String version,
            String directory,
            FieldTolerance tolerance,
            Set<String> chargerInitiated,
            Set<String> centralSystemInitiated,
            List<String> sent) {
        this.version = version;
        this.tolerance = tolerance;
        this.chargerInitiated = chargerInitiated;
        this.centralSystemInitiated = centralSystemInitiated;
        for (String action :
                Stream.concat(chargerInitiated.stream(), sent.stream()).toList()) {
            for (String name : List.of(action + ".req", action + ".conf")) {
                schemas.put(name, Schemas.load(directory + "/" + name + ".json"));
            }
        }
    }

    /** The messages of a WebSocket subprotocol ({@code ocpp1.6}, {@code ocpp2.0.1}), or null. */
    public static OcppMessages of(String subprotocol) {
        return switch (subprotocol == null ? "" : subprotocol) {
            case "ocpp1.6" -> V16;
            case "ocpp2.0.1" -> V201;
            default -> null;
        };
    }

    /** Checks a request payload; throws {@link OcppError} with the fitting code when it breaks the schema. */
    public void checkRequest(String action, JsonNode payload) {
        fail(Schemas.check(schemas.get(action + ".req"), payload));
    }

    /**
     * Checks a request payload a charger sent, admitting what the field-tolerance rules allow unless {@code
     * strict}: repairs the payload in place where a rule says so and returns the rules used (empty when the
     * payload was valid as it came). Throws {@link OcppError} with the code of the first violation no rule
     * admits.
     */
    public List<FieldTolerance.Use> admitRequest(String action, ObjectNode payload, boolean strict) {
        Set<ValidationMessage> errors = Schemas.check(schemas.get(action + ".req"), payload);
        if (errors.isEmpty()) {
            return List.of();
        }
        if (strict) {
            fail(errors);
        }
        FieldTolerance.Admission admission = tolerance.admit(action, payload, errors);
        fail(admission.refused()); // the charger hears of what is wrong, not of what was forgiven
        return admission.uses();
    }

    /** Checks a reply payload (what we send, and what chargers answer to our calls). */
    public void checkConfirmation(String action, JsonObject payload) {
        JsonSchema schema = schemas.get(action + ".conf");
        if (schema != null) {
            fail(Schemas.check(schema, payload));
        }
    }

    /** Whether a schema describes this action's messages. */
    public boolean described(String action) {
        return schemas.containsKey(action + ".req");
    }

    private void fail(Set<ValidationMessage> errors) {
        if (errors.isEmpty()) {
            return;
        }
        ValidationMessage cause = Schemas.mostSpecific(errors);
        throw new OcppError(code(codeFor(cause.getType())), Schemas.describe(cause));
    }

    /**
     * The error code of this version for a 1.6 code: OCPP-J 2.0.1 renamed FormationViolation to
     * FormatViolation and reports a missing field as an OccurrenceConstraintViolation.
     */
    public String code(String ocpp16Code) {
        if (this == V16) {
            return ocpp16Code;
        }
        return switch (ocpp16Code) {
            case "FormationViolation" -> "FormatViolation";
            case "ProtocolError" -> "OccurrenceConstraintViolation";
            default -> ocpp16Code;
        };
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
