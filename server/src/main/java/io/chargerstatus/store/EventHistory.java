package io.chargerstatus.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/** The history of status events as the REST API and the SSE replay read it (one shape with the live stream: StatusEvent). */
public final class EventHistory extends Sql {
    /** Queries over the HTTP verticle's pool (or the SSE replays' own). */
    public EventHistory(Sql.Access access) {
        super(access);
    }

    private static final String EVENTS_AFTER = """
      SELECT * FROM status_events WHERE seq > $1 AND applied AND ($2::text IS NULL OR account_id = $2)
      ORDER BY seq LIMIT $3""";

    public Future<JsonArray> history(String chargerId, int limit) {
        return exec(
                        "SELECT * FROM status_events WHERE charger_id = $1 ORDER BY seq DESC LIMIT $2",
                        Tuple.of(chargerId, limit))
                .map(rows -> collect(rows, EventHistory::event));
    }

    /** Streamed events after {@code seq}, oldest first, optionally of one account. */
    public Future<List<JsonObject>> eventsAfter(long seq, String accountId, int limit) {
        return exec(EVENTS_AFTER, Tuple.of(seq, accountId, limit)).map(EventHistory::events);
    }

    /**
     * Streamed events with {@code after < seq < before}, every account, in seq order, at most {@code limit}:
     * what an SSE hub missed on the bus.
     */
    public Future<List<JsonObject>> eventsBetween(long after, long before, int limit) {
        return exec(
                        "SELECT * FROM status_events WHERE seq > $1 AND seq < $2 AND applied ORDER BY seq LIMIT $3",
                        Tuple.of(after, before, limit))
                .map(EventHistory::events);
    }

    private static List<JsonObject> events(RowSet<Row> rows) {
        List<JsonObject> out = new ArrayList<>(rows.size());
        rows.forEach(r -> out.add(event(r)));
        return out;
    }

    /** The last seq committed by any instance. */
    public Future<Long> lastSeq() {
        return exec("SELECT last_seq FROM event_counter WHERE id = 1")
                .map(rows -> rows.iterator().next().getLong(0));
    }

    /** A status event as the API and the SSE stream show it. */
    public static JsonObject event(Row r) {
        JsonObject json = new StatusEvent(
                        r.getLong("seq"),
                        r.getString("charger_id"),
                        r.getString("account_id"),
                        r.getString("site_id"),
                        r.getString("status"),
                        r.getString("previous_status"),
                        r.getString("fault_code"),
                        StatusEvent.connector(
                                r.getInteger("connector_id"),
                                r.getString("connector_status"),
                                r.getString("ocpp_status"),
                                r.getString("error_code"),
                                r.getString("vendor_error_code")),
                        iso(r, "ts"),
                        iso(r, "received_at"))
                .json();
        if (!r.getBoolean("applied")) {
            json.put("applied", false);
        }
        return json;
    }
}
