package io.chargerstatus.api;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.function.Function;

/** The commands of {@code POST /chargers/{id}/commands/{name}}: body schema, OCPP action and payload. */
final class CommandCatalog {

    record Command(String name, BodySchemas schema, String action, Function<JsonObject, JsonObject> payload) {
        JsonObject payload(JsonObject body) {
            return payload.apply(body);
        }
    }

    private static final List<Command> COMMANDS = List.of(
            new Command(
                    "remote-start",
                    BodySchemas.REMOTE_START,
                    "RemoteStartTransaction",
                    b -> new JsonObject()
                            .put("connectorId", b.getInteger("connectorId"))
                            .put("idTag", b.getString("idTag"))),
            new Command(
                    "remote-stop",
                    BodySchemas.REMOTE_STOP,
                    "RemoteStopTransaction",
                    b -> new JsonObject().put("transactionId", b.getValue("transactionId"))),
            new Command(
                    "change-availability",
                    BodySchemas.CHANGE_AVAILABILITY,
                    "ChangeAvailability",
                    b -> new JsonObject()
                            .put("connectorId", b.getInteger("connectorId"))
                            .put("type", b.getBoolean("available") ? "Operative" : "Inoperative")),
            new Command(
                    "update-firmware",
                    BodySchemas.UPDATE_FIRMWARE,
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
            new Command("reset", BodySchemas.RESET, "Reset", b -> new JsonObject().put("type", b.getString("type"))),
            new Command("trigger-status", BodySchemas.TRIGGER_STATUS, "TriggerMessage", b -> {
                JsonObject p = new JsonObject().put("requestedMessage", "StatusNotification");
                if (b.getInteger("connectorId") != null) {
                    p.put("connectorId", b.getInteger("connectorId"));
                }
                return p;
            }));

    private CommandCatalog() {}

    static Command find(String name) {
        return COMMANDS.stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
    }

    static List<String> names() {
        return COMMANDS.stream().map(Command::name).toList();
    }
}
