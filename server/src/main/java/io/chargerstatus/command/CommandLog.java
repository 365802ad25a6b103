package io.chargerstatus.command;

import io.chargerstatus.store.Sql;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;

/**
 * The command log, owner of the {@code commands} table: every call the service sends a charger, who asked, what
 * the charger answered; read back for the REST API and for the boost of a remote start.
 */
public final class CommandLog extends Sql {
    private static final String INSERT_COMMAND = """
      INSERT INTO commands (charger_id, name, action, request, payload, requested_by, requested_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id""";

    private static final String RECENT_REMOTE_START = """
      SELECT (request->>'boost')::boolean FROM commands
      WHERE charger_id = $1 AND name = 'remote-start' AND (request->>'connectorId')::int = $2 AND requested_at > $3
      ORDER BY id DESC LIMIT 1""";

    /** Queries over the caller's pool. */
    public CommandLog(Sql.Access access) {
        super(access);
    }

    public Future<Long> insertCommand(
            String chargerId,
            String name,
            String action,
            JsonObject request,
            JsonObject payload,
            String requestedBy,
            Instant at) {
        return exec(
                        INSERT_COMMAND,
                        Tuple.of(chargerId, name, action, request, payload, requestedBy)
                                .addValue(odt(at)))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    public Future<Void> finishCommand(long id, String outcome, JsonObject response, Instant at) {
        return exec(
                        "UPDATE commands SET outcome = $2, response = $3, answered_at = $4 WHERE id = $1",
                        Tuple.of(id, outcome, response, odt(at)))
                .mapEmpty();
    }

    /** Whether the newest remote start for this connector, within the last ten minutes, asked for boost. */
    public Future<Boolean> boostRequested(String chargerId, int connectorId, Instant now) {
        return exec(RECENT_REMOTE_START, Tuple.of(chargerId, connectorId, odt(now.minusSeconds(600))))
                .map(rows -> rows.size() > 0
                        && Boolean.TRUE.equals(rows.iterator().next().getBoolean(0)));
    }

    /** The commands sent to a charger (who, when, what, answer), newest first. */
    public Future<JsonArray> history(String chargerId, int limit) {
        return exec(
                        "SELECT * FROM commands WHERE charger_id = $1 ORDER BY id DESC LIMIT $2",
                        Tuple.of(chargerId, limit))
                .map(rows -> collect(rows, CommandLog::command));
    }

    private static JsonObject command(Row r) {
        return new JsonObject()
                .put("id", r.getLong("id"))
                .put("name", r.getString("name"))
                .put("action", r.getString("action"))
                .put("request", r.getValue("request"))
                .put("payload", r.getValue("payload"))
                .put("requestedBy", r.getString("requested_by"))
                .put("requestedAt", iso(r, "requested_at"))
                .put("outcome", r.getString("outcome"))
                .put("response", r.getValue("response"))
                .put("answeredAt", iso(r, "answered_at"));
    }
}
