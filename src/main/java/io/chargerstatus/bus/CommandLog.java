package io.chargerstatus.bus;

import io.chargerstatus.store.Sql;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;

/** The command log: every call the service sends a charger, who asked, and what the charger answered. */
public final class CommandLog extends Sql {
    private static final String INSERT_COMMAND = """
      INSERT INTO commands (charger_id, name, action, request, payload, requested_by, requested_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id""";

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
}
