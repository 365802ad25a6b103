package io.chargerstatus.ocpp;

import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The OCPP 1.6 messages this service knows, each described once by a JSON Schema under
 * {@code ocpp16/} ({@code Action.req.json} for a request, {@code Action.conf.json} for its reply), and the
 * mapping of a schema violation to the OCPP-J error code a charger expects.
 *
 * <p>Validators are built once at class load and are thread-safe, so every event loop shares them.
 */
public final class Ocpp16Messages {

  /** Requests a charge point sends to the central system. */
  public static final Set<String> CHARGER_INITIATED = Set.of(
      "Authorize", "BootNotification", "DataTransfer", "DiagnosticsStatusNotification", "FirmwareStatusNotification",
      "Heartbeat", "MeterValues", "StartTransaction", "StatusNotification", "StopTransaction");

  /** OCPP 1.6 actions the central system sends: a charger sending one of them gets NotSupported. */
  public static final Set<String> CENTRAL_SYSTEM_INITIATED = Set.of(
      "CancelReservation", "ChangeAvailability", "ChangeConfiguration", "ClearCache", "ClearChargingProfile",
      "GetCompositeSchedule", "GetConfiguration", "GetDiagnostics", "GetLocalListVersion", "RemoteStartTransaction",
      "RemoteStopTransaction", "ReserveNow", "Reset", "SendLocalList", "SetChargingProfile", "TriggerMessage",
      "UnlockConnector", "UpdateFirmware");

  private static final List<String> SCHEMAS = List.of(
      "Authorize", "BootNotification", "DataTransfer", "DiagnosticsStatusNotification", "FirmwareStatusNotification",
      "Heartbeat", "MeterValues", "StartTransaction", "StatusNotification", "StopTransaction", "TriggerMessage",
      "RemoteStartTransaction", "RemoteStopTransaction", "ChangeAvailability", "UpdateFirmware", "Reset", "SetChargingProfile");

  /** Yes/no validators: what every message pays. */
  private static final Map<String, Validator> VALIDATORS = new HashMap<>();
  /** The same schemas with error details: run only for a message that failed, to name the problem. */
  private static final Map<String, Validator> EXPLAINERS = new HashMap<>();

  static {
    for (String action : SCHEMAS) {
      for (String name : List.of(action + ".req", action + ".conf")) {
        VALIDATORS.put(name, load(name, OutputFormat.Flag));
        EXPLAINERS.put(name, load(name, OutputFormat.Basic));
      }
    }
  }

  private Ocpp16Messages() {
  }

  private static Validator load(String name, OutputFormat format) {
    try (InputStream in = Ocpp16Messages.class.getClassLoader().getResourceAsStream("ocpp16/" + name + ".json")) {
      JsonObject schema = new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      return Validator.create(JsonSchema.of(schema), new JsonSchemaOptions()
          .setDraft(Draft.DRAFT4)
          .setBaseUri("urn:charger-status:ocpp16:" + name)
          .setOutputFormat(format));
    } catch (IOException e) {
      throw new UncheckedIOException("missing OCPP schema " + name, e);
    }
  }

  /** Checks a request payload; throws {@link OcppError} with the fitting code when it breaks the schema. */
  public static void checkRequest(String action, JsonObject payload) {
    check(action + ".req", payload);
  }

  /** Checks a reply payload (what we send, and what chargers answer to our calls). */
  public static void checkConfirmation(String action, JsonObject payload) {
    check(action + ".conf", payload);
  }

  /** Whether a schema describes this action's messages. */
  public static boolean described(String action) {
    return VALIDATORS.containsKey(action + ".req");
  }

  private static void check(String name, JsonObject payload) {
    Validator validator = VALIDATORS.get(name);
    if (validator == null) {
      return;
    }
    if (Boolean.TRUE.equals(validator.validate(payload).getValid())) {
      return;
    }
    OutputUnit cause = mostSpecific(EXPLAINERS.get(name).validate(payload));
    throw new OcppError(codeFor(cause.getKeywordLocation()), describe(cause));
  }

  /**
   * The error that names the actual problem: a failing property is also reported by the keywords that
   * contain it ({@code properties}, {@code additionalProperties}, {@code items}); those count only when
   * nothing more specific failed, as for a field the message does not have.
   */
  private static OutputUnit mostSpecific(OutputUnit result) {
    List<OutputUnit> errors = result.getErrors();
    if (errors == null || errors.isEmpty()) {
      return result;
    }
    for (OutputUnit e : errors) {
      String keyword = keyword(e.getKeywordLocation());
      if (!CONTAINERS.contains(keyword)) {
        return e;
      }
    }
    return errors.get(0);
  }

  private static final Set<String> CONTAINERS = Set.of("properties", "additionalProperties", "items", "allOf", "");

  private static String keyword(String location) {
    return location == null ? "" : location.substring(location.lastIndexOf('/') + 1);
  }

  /**
   * OCPP-J 1.6 section 4.2.3: a wrong type is a TypeConstraintViolation, a value outside its enumeration,
   * length or format a PropertyConstraintViolation, a missing required field a ProtocolError ("payload
   * is incomplete") and a field the message does not have a FormationViolation.
   */
  static String codeFor(String keywordLocation) {
    return switch (keyword(keywordLocation)) {
      case "type" -> "TypeConstraintViolation";
      case "enum", "maxLength", "minLength", "format", "minimum", "maximum" -> "PropertyConstraintViolation";
      case "required" -> "ProtocolError";
      default -> "FormationViolation";
    };
  }

  private static String describe(OutputUnit unit) {
    String where = unit.getInstanceLocation() == null || unit.getInstanceLocation().isEmpty()
        ? "payload" : unit.getInstanceLocation();
    return where + ": " + unit.getError();
  }
}
