package io.chargerstatus.command;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.function.Function;

/** The commands of {@code POST /chargers/{id}/commands/{name}}: body schema, OCPP action and payload. */
public final class CommandCatalog {

    /**
     * A command: its REST name, its body's schema (a component of the OpenAPI document, which the API checks it
     * against), the OCPP 1.6 call it is, and that call's payload from the body.
     */
    public record Command(String name, String bodySchema, String action, Function<JsonObject, JsonObject> payload) {
        public JsonObject payload(JsonObject body) {
            return payload.apply(body);
        }
    }

    private static final List<Command> COMMANDS = List.of(
            new Command(
                    "remote-start",
                    "RemoteStartRequest",
                    "RemoteStartTransaction",
                    b -> new JsonObject()
                            .put("connectorId", b.getInteger("connectorId"))
                            .put("idTag", b.getString("idTag"))),
            new Command(
                    "remote-stop",
                    "RemoteStopRequest",
                    "RemoteStopTransaction",
                    b -> new JsonObject().put("transactionId", b.getValue("transactionId"))),
            new Command(
                    "change-availability",
                    "ChangeAvailabilityRequest",
                    "ChangeAvailability",
                    b -> new JsonObject()
                            .put("connectorId", b.getInteger("connectorId"))
                            .put("type", b.getBoolean("available") ? "Operative" : "Inoperative")),
            new Command(
                    "update-firmware",
                    "UpdateFirmwareRequest",
                    "UpdateFirmware",
                    b -> new JsonObject()
                            .put("location", b.getString("location"))
                            .put(
                                    "retrieveDate",
                                    b.getString(
                                            "retrieveAt",
                                            Instant.now()
                                                    .truncatedTo(ChronoUnit.SECONDS)
                                                    .toString()))),
            new Command("reset", "ResetRequest", "Reset", b -> new JsonObject().put("type", b.getString("type"))),
            new Command("trigger-status", "TriggerStatusRequest", "TriggerMessage", b -> {
                JsonObject p = new JsonObject().put("requestedMessage", "StatusNotification");
                if (b.getInteger("connectorId") != null) {
                    p.put("connectorId", b.getInteger("connectorId"));
                }
                return p;
            }),
            // The most common support call, a cable stuck in the socket. 1.6's UnlockConnector; a 2.0.1 charger
            // gets the EVSE's first connector unlocked.
            new Command(
                    "unlock-connector",
                    "UnlockConnectorRequest",
                    "UnlockConnector",
                    b -> new JsonObject().put("connectorId", b.getInteger("connectorId"))),
            // OCPP 1.6 only: its configuration keys (a 2.0.1 charger has variables: get-variables).
            new Command("get-configuration", "GetConfigurationRequest", "GetConfiguration", b -> {
                JsonObject p = new JsonObject();
                if (b.getJsonArray("keys") != null) {
                    p.put("key", b.getJsonArray("keys").copy());
                }
                return p;
            }),
            new Command(
                    "change-configuration",
                    "ChangeConfigurationRequest",
                    "ChangeConfiguration",
                    b -> new JsonObject().put("key", b.getString("key")).put("value", b.getString("value"))),
            // OCPP 2.0.1 only: component and variable by name (a 1.6 charger has keys: get-configuration).
            new Command("get-variables", "GetVariablesRequest", "GetVariables", b -> {
                JsonArray data = new JsonArray();
                for (Object o : b.getJsonArray("variables")) {
                    data.add(variable((JsonObject) o));
                }
                return new JsonObject().put("getVariableData", data);
            }),
            new Command("set-variables", "SetVariablesRequest", "SetVariables", b -> {
                JsonArray data = new JsonArray();
                for (Object o : b.getJsonArray("variables")) {
                    JsonObject v = (JsonObject) o;
                    data.add(variable(v).put("attributeValue", v.getString("value")));
                }
                return new JsonObject().put("setVariableData", data);
            }));

    /** A 2.0.1 component and variable by name, the component of one EVSE when {@code evseId} is given. */
    private static JsonObject variable(JsonObject v) {
        JsonObject component = new JsonObject().put("name", v.getString("component"));
        if (v.getInteger("evseId") != null) {
            component.put("evse", new JsonObject().put("id", v.getInteger("evseId")));
        }
        return new JsonObject()
                .put("component", component)
                .put("variable", new JsonObject().put("name", v.getString("variable")));
    }

    private CommandCatalog() {}

    public static Command find(String name) {
        return COMMANDS.stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
    }

    public static List<String> names() {
        return COMMANDS.stream().map(Command::name).toList();
    }
}
