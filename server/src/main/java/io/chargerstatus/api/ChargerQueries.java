package io.chargerstatus.api;

import io.chargerstatus.status.Status;
import io.chargerstatus.store.Sql;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;

/** The chargers table as the REST API shows it: rows with their connectors and deviations, per-charger lists (transactions, commands, security events), the status summary and its history over time. The rows themselves are written by the status engine. */
public final class ChargerQueries extends Sql {
    /** Queries over the HTTP verticle's pool (or the SSE replays' own). */
    public ChargerQueries(Sql.Access access) {
        super(access);
    }

    private static final String LIST_CHARGERS = """
      SELECT * FROM chargers
      WHERE ($1::text IS NULL OR account_id = $1) AND ($2::text IS NULL OR site_id = $2) AND ($3::text IS NULL OR status = $3)
      ORDER BY id""";

    private static final String GET_CHARGER =
            "SELECT * FROM chargers WHERE id = $1 AND ($2::text IS NULL OR account_id = $2)";

    private static final String CONNECTORS_OF = """
      SELECT * FROM connectors WHERE charger_id = ANY($1::text[]) AND connector_id > 0 ORDER BY charger_id, connector_id""";

    private static final String DEVIATIONS_OF = """
      SELECT * FROM charger_deviations WHERE charger_id = ANY($1::text[]) ORDER BY charger_id, first_seen_at, rule, field""";

    // A charger's status at a bucket: its last change between the chart's start and the bucket; without one,
    // the status before its first change after the bucket (previous_status); without that, its status now.
    // Every history row read has received_at >= the chart's start, so only the last day's monthly
    // partitions are read, however many years the history keeps.
    private static final String STATUS_HISTORY = """
            WITH buckets AS (
              SELECT generate_series($2::timestamptz, now(), make_interval(secs => $3)) AS at
            )
            SELECT b.at, s.status, count(s.status) AS n
            FROM buckets b
            LEFT JOIN LATERAL (
              SELECT coalesce(last.status, next.previous_status, c.status) AS status
              FROM chargers c
              LEFT JOIN LATERAL (
                SELECT e.status FROM status_events e
                WHERE e.charger_id = c.id AND e.applied AND e.received_at >= $2 AND e.received_at <= b.at
                ORDER BY e.seq DESC LIMIT 1
              ) last ON true
              LEFT JOIN LATERAL (
                SELECT e.previous_status FROM status_events e
                WHERE e.charger_id = c.id AND e.applied AND e.received_at > b.at AND e.received_at >= $2
                ORDER BY e.seq LIMIT 1
              ) next ON last.status IS NULL
              WHERE ($1::text IS NULL OR c.account_id = $1) AND c.created_at <= b.at
            ) s ON true
            GROUP BY b.at, s.status
            ORDER BY b.at""";

    /** The chargers table: rows matching the filters (each may be null), with their connectors 1..n. */
    public Future<JsonArray> chargers(String accountId, String siteId, String status) {
        return exec(LIST_CHARGERS, Tuple.of(accountId, siteId, status)).compose(this::withConnectors);
    }

    /** One charger row, or null if it does not exist or belongs to another account than {@code accountId}. */
    public Future<JsonObject> charger(String id, String accountId) {
        return exec(GET_CHARGER, Tuple.of(id, accountId))
                .compose(this::withConnectors)
                .map(rows -> rows.isEmpty() ? null : rows.getJsonObject(0));
    }

    private Future<JsonArray> withConnectors(RowSet<Row> chargers) {
        LinkedHashMap<String, JsonObject> rows = new LinkedHashMap<>();
        for (Row r : chargers) {
            rows.put(r.getString("id"), chargerRow(r));
        }
        if (rows.isEmpty()) {
            return Future.succeededFuture(new JsonArray());
        }
        Tuple ids = Tuple.of(rows.keySet().toArray(new String[0]));
        return exec(CONNECTORS_OF, ids)
                .compose(connectors -> {
                    for (Row r : connectors) {
                        rows.get(r.getString("charger_id"))
                                .getJsonArray("connectors")
                                .add(connectorRow(r));
                    }
                    return exec(DEVIATIONS_OF, ids);
                })
                .map(deviations -> {
                    for (Row r : deviations) {
                        rows.get(r.getString("charger_id"))
                                .getJsonArray("deviations")
                                .add(deviationRow(r));
                    }
                    return new JsonArray(new ArrayList<>(rows.values()));
                });
    }

    /** A charger's security events (SecurityEventNotification), newest first. */
    public Future<JsonArray> securityEvents(String chargerId, int limit) {
        return exec(
                        "SELECT * FROM security_events WHERE charger_id = $1 ORDER BY id DESC LIMIT $2",
                        Tuple.of(chargerId, limit))
                .map(rows -> collect(
                        rows,
                        r -> new JsonObject()
                                .put("type", r.getString("type"))
                                .put("timestamp", iso(r, "ts"))
                                .put("techInfo", r.getString("tech_info"))
                                .put("critical", r.getBoolean("critical"))
                                .put("receivedAt", iso(r, "received_at"))));
    }

    private static JsonObject deviationRow(Row r) {
        return new JsonObject()
                .put("rule", r.getString("rule"))
                .put("field", r.getString("field"))
                .put("detail", r.getString("detail"))
                .put("firstSeenAt", iso(r, "first_seen_at"))
                .put("lastSeenAt", iso(r, "last_seen_at"))
                .put("count", r.getLong("count"));
    }

    public Future<JsonArray> transactions(String chargerId, int limit) {
        return exec(
                        "SELECT * FROM transactions WHERE charger_id = $1 ORDER BY id DESC LIMIT $2",
                        Tuple.of(chargerId, limit))
                .map(rows -> collect(rows, ChargerQueries::transaction));
    }

    /** Number of chargers per status, all ten statuses present. */
    public Future<JsonObject> statusSummary(String accountId) {
        return exec(
                        "SELECT status, count(*) FROM chargers WHERE $1::text IS NULL OR account_id = $1 GROUP BY status",
                        Tuple.of(accountId))
                .map(rows -> {
                    JsonObject summary = new JsonObject();
                    for (Status s : Status.values()) {
                        summary.put(s.name(), 0);
                    }
                    rows.forEach(r -> summary.put(r.getString(0), r.getLong(1)));
                    return summary;
                });
    }

    /**
     * Chargers per status at each step from {@code from} to now: for every charger that existed then, its
     * status as of its last event received by then (Unknown before any). Two index look-ups per charger and
     * step, both within the chart's own time, so within its monthly partitions of the history.
     */
    public Future<JsonObject> statusHistory(String accountId, Instant from, int stepSeconds) {
        return exec(STATUS_HISTORY, Tuple.of(accountId, odt(from), stepSeconds)).map(rows -> {
            Map<String, JsonObject> points = new LinkedHashMap<>();
            for (Row r : rows) {
                String at = iso(r, "at");
                JsonObject counts = points.computeIfAbsent(at, k -> {
                    JsonObject zero = new JsonObject();
                    for (Status s : Status.values()) {
                        zero.put(s.name(), 0);
                    }
                    return zero;
                });
                if (r.getString("status") != null) {
                    counts.put(r.getString("status"), r.getLong("n"));
                }
            }
            JsonArray out = new JsonArray();
            points.forEach(
                    (at, counts) -> out.add(new JsonObject().put("at", at).put("counts", counts)));
            return new JsonObject()
                    .put("from", from.toString())
                    .put("step", stepSeconds)
                    .put("points", out);
        });
    }

    private static JsonObject transaction(Row r) {
        Integer start = r.getInteger("meter_start");
        Integer stop = r.getInteger("meter_stop");
        return new JsonObject()
                .put("id", r.getInteger("id"))
                .put("connectorId", r.getInteger("connector_id"))
                .put("idTag", r.getString("id_tag"))
                .put("meterStart", start)
                .put("meterStop", stop)
                .put("energyWh", stop == null ? null : stop - start)
                .put("startedAt", iso(r, "started_at"))
                .put("stoppedAt", iso(r, "stopped_at"))
                .put("stopReason", r.getString("stop_reason"))
                .put("boost", r.getBoolean("boost"))
                .put("heldUntil", iso(r, "held_until"));
    }

    private static JsonObject chargerRow(Row r) {
        return new JsonObject()
                .put("id", r.getString("id"))
                .put("name", r.getString("name"))
                .put("accountId", r.getString("account_id"))
                .put("siteId", r.getString("site_id"))
                .put("status", r.getString("status"))
                .put("statusSince", iso(r, "status_since"))
                .put("faultCode", r.getString("fault_code"))
                .put("online", r.getBoolean("online"))
                .put("lastSeenAt", iso(r, "last_seen_at"))
                .put("secured", r.getBoolean("secured"))
                .put("vendor", r.getString("vendor"))
                .put("model", r.getString("model"))
                .put("firmwareVersion", r.getString("firmware_version"))
                .put("ocppVersion", r.getString("ocpp_version"))
                .put("connectors", new JsonArray())
                .put("deviations", new JsonArray());
    }

    private static JsonObject connectorRow(Row r) {
        return new JsonObject()
                .put("connectorId", r.getInteger("connector_id"))
                .put("status", r.getString("status"))
                .put("ocppStatus", r.getString("ocpp_status"))
                .put("errorCode", r.getString("error_code"))
                .put("vendorErrorCode", r.getString("vendor_error_code"))
                .put("info", r.getString("info"))
                .put("since", iso(r, "since"))
                // OCPP 2.0.1 transactions carry the charger's own string id
                .put(
                        "transactionId",
                        r.getValue("transaction_ref") != null
                                ? r.getString("transaction_ref")
                                : r.getInteger("transaction_id"))
                .put("chargingState", r.getString("charging_state"));
    }
}
