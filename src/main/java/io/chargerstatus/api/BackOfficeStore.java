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
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The back office's queries, shaped as the REST API and the SSE replay show them (the live SSE event is
 * shaped by the same {@link Events#json}).
 */
public final class BackOfficeStore extends Sql {
    private static final String UPSERT_SITE = """
      INSERT INTO sites (id, account_id, name, timezone, delayed_charging) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (account_id, id) DO UPDATE SET name = excluded.name, timezone = excluded.timezone,
        delayed_charging = excluded.delayed_charging
      RETURNING *""";

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

    private static final String EVENTS_AFTER = """
      SELECT * FROM status_events WHERE seq > $1 AND applied AND ($2::text IS NULL OR account_id = $2)
      ORDER BY seq LIMIT $3""";

    private static final String UPSERT_ID_TAG = """
      INSERT INTO id_tags (id_tag, account_id, status, expiry_date) VALUES ($1, $2, $3, $4)
      ON CONFLICT (account_id, id_tag) DO UPDATE SET status = excluded.status, expiry_date = excluded.expiry_date
      RETURNING *""";

    private static final String STATUS_HISTORY = """
            WITH buckets AS (
              SELECT generate_series($2::timestamptz, now(), make_interval(secs => $3)) AS at
            )
            SELECT b.at, s.status, count(s.status) AS n
            FROM buckets b
            LEFT JOIN LATERAL (
              SELECT coalesce(last.status, 'Unknown') AS status
              FROM chargers c
              LEFT JOIN LATERAL (
                SELECT e.status FROM status_events e
                WHERE e.charger_id = c.id AND e.applied AND e.received_at <= b.at
                ORDER BY e.seq DESC LIMIT 1
              ) last ON true
              WHERE ($1::text IS NULL OR c.account_id = $1) AND c.created_at <= b.at
            ) s ON true
            GROUP BY b.at, s.status
            ORDER BY b.at""";

    /** Queries over the HTTP verticle's pool (or the SSE replays' own). */
    public BackOfficeStore(Sql.Access access) {
        super(access);
    }

    public Future<Boolean> deleteToken(String id) {
        return exec("DELETE FROM api_tokens WHERE id = $1", Tuple.of(id)).map(r -> r.rowCount() > 0);
    }

    public Future<JsonArray> tokens(String accountId) {
        return exec(
                        "SELECT id, account_id, created_at FROM api_tokens WHERE account_id = $1 ORDER BY created_at",
                        Tuple.of(accountId))
                .map(rows -> collect(
                        rows,
                        r -> new JsonObject()
                                .put("id", r.getString("id"))
                                .put("accountId", r.getString("account_id"))
                                .put("createdAt", iso(r, "created_at"))));
    }

    public Future<JsonArray> transactions(String chargerId, int limit) {
        return exec(
                        "SELECT * FROM transactions WHERE charger_id = $1 ORDER BY id DESC LIMIT $2",
                        Tuple.of(chargerId, limit))
                .map(rows -> collect(rows, BackOfficeStore::transaction));
    }

    public Future<JsonArray> commands(String chargerId, int limit) {
        return exec(
                        "SELECT * FROM commands WHERE charger_id = $1 ORDER BY id DESC LIMIT $2",
                        Tuple.of(chargerId, limit))
                .map(rows -> collect(rows, BackOfficeStore::command));
    }

    public Future<JsonObject> createAccount(String id, String name) {
        return exec(
                        "INSERT INTO accounts (id, name) VALUES ($1, $2) RETURNING id, name, created_at",
                        Tuple.of(id, name))
                .map(rows -> account(rows.iterator().next()));
    }

    /** Accounts; all of them when {@code accountId} is null. */
    public Future<JsonArray> accounts(String accountId) {
        return exec(
                        "SELECT id, name, created_at FROM accounts WHERE $1::text IS NULL OR id = $1 ORDER BY id",
                        Tuple.of(accountId))
                .map(rows -> collect(rows, BackOfficeStore::account));
    }

    public Future<Boolean> accountExists(String id) {
        return exec("SELECT 1 FROM accounts WHERE id = $1", Tuple.of(id)).map(r -> r.size() > 0);
    }

    public Future<Void> insertToken(String id, String accountId, String tokenHash) {
        return exec(
                        "INSERT INTO api_tokens (id, account_id, token_hash) VALUES ($1, $2, $3)",
                        Tuple.of(id, accountId, tokenHash))
                .mapEmpty();
    }

    /** An API token as authentication needs it: its id and account. */
    public record Token(String id, String accountId) {}

    /** The token with this hash, or null. */
    public Future<Token> token(String tokenHash) {
        return exec("SELECT id, account_id FROM api_tokens WHERE token_hash = $1", Tuple.of(tokenHash))
                .map(rows -> rows.size() == 0
                        ? null
                        : new Token(
                                rows.iterator().next().getString(0),
                                rows.iterator().next().getString(1)));
    }

    /** Creates or replaces a site of its account (site ids are unique per account). */
    public Future<JsonObject> upsertSite(JsonObject site) {
        JsonObject delayed = site.getJsonObject("delayedCharging");
        return exec(
                        UPSERT_SITE,
                        Tuple.of(
                                site.getString("id"),
                                site.getString("accountId"),
                                site.getString("name"),
                                site.getString("timezone"),
                                delayed))
                .map(rows -> rows.size() == 0 ? null : site(rows.iterator().next()));
    }

    /** Whether {@code accountId} has a site of that id. */
    public Future<Boolean> siteExists(String siteId, String accountId) {
        return exec("SELECT 1 FROM sites WHERE id = $1 AND account_id = $2", Tuple.of(siteId, accountId))
                .map(rows -> rows.size() > 0);
    }

    public Future<JsonArray> sites(String accountId) {
        return exec("SELECT * FROM sites WHERE $1::text IS NULL OR account_id = $1 ORDER BY id", Tuple.of(accountId))
                .map(rows -> collect(rows, BackOfficeStore::site));
    }

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

    public Future<JsonArray> history(String chargerId, int limit) {
        return exec(
                        "SELECT * FROM status_events WHERE charger_id = $1 ORDER BY seq DESC LIMIT $2",
                        Tuple.of(chargerId, limit))
                .map(rows -> collect(rows, BackOfficeStore::event));
    }

    /** Streamed events after {@code seq}, oldest first, optionally of one account. */
    public Future<List<JsonObject>> eventsAfter(long seq, String accountId, int limit) {
        return exec(EVENTS_AFTER, Tuple.of(seq, accountId, limit)).map(BackOfficeStore::events);
    }

    /**
     * Streamed events with {@code after < seq < before}, every account, in seq order, at most {@code limit}:
     * what an SSE hub missed on the bus.
     */
    public Future<List<JsonObject>> eventsBetween(long after, long before, int limit) {
        return exec(
                        "SELECT * FROM status_events WHERE seq > $1 AND seq < $2 AND applied ORDER BY seq LIMIT $3",
                        Tuple.of(after, before, limit))
                .map(BackOfficeStore::events);
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
     * last status event received by then (Unknown before any). One index look-up per charger and step.
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

    public Future<JsonObject> upsertIdTag(JsonObject tag) {
        Instant expiry = tag.getString("expiryDate") == null ? null : Instant.parse(tag.getString("expiryDate"));
        return exec(
                        UPSERT_ID_TAG,
                        Tuple.of(
                                tag.getString("idTag"),
                                tag.getString("accountId"),
                                tag.getString("status", "Accepted"),
                                odt(expiry)))
                .map(rows -> rows.size() == 0 ? null : idTag(rows.iterator().next()));
    }

    public Future<JsonArray> idTags(String accountId) {
        return exec(
                        "SELECT * FROM id_tags WHERE $1::text IS NULL OR account_id = $1 ORDER BY id_tag",
                        Tuple.of(accountId))
                .map(rows -> collect(rows, BackOfficeStore::idTag));
    }

    /** Deletes a tag if it belongs to {@code accountId} (any account when null). */
    public Future<Boolean> deleteIdTag(String idTag, String accountId) {
        return exec(
                        "DELETE FROM id_tags WHERE id_tag = $1 AND ($2::text IS NULL OR account_id = $2)",
                        Tuple.of(idTag, accountId))
                .map(r -> r.rowCount() > 0);
    }

    private static JsonArray collect(RowSet<Row> rows, Function<Row, JsonObject> f) {
        JsonArray out = new JsonArray();
        rows.forEach(r -> out.add(f.apply(r)));
        return out;
    }

    private static JsonObject account(Row r) {
        return new JsonObject()
                .put("id", r.getString("id"))
                .put("name", r.getString("name"))
                .put("createdAt", iso(r, "created_at"));
    }

    private static JsonObject site(Row r) {
        Object delayed = r.getValue("delayed_charging");
        return new JsonObject()
                .put("id", r.getString("id"))
                .put("accountId", r.getString("account_id"))
                .put("name", r.getString("name"))
                .put("timezone", r.getString("timezone"))
                .put("delayedCharging", delayed);
    }

    private static JsonObject idTag(Row r) {
        return new JsonObject()
                .put("idTag", r.getString("id_tag"))
                .put("accountId", r.getString("account_id"))
                .put("status", r.getString("status"))
                .put("expiryDate", iso(r, "expiry_date"));
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

    /** A status event as the API and the SSE stream show it. */
    private static JsonObject event(Row r) {
        Integer connectorId = r.getInteger("connector_id");
        JsonObject connector = connectorId == null
                ? null
                : new JsonObject()
                        .put("connectorId", connectorId)
                        .put("status", r.getString("connector_status"))
                        .put("ocppStatus", r.getString("ocpp_status"))
                        .put("errorCode", r.getString("error_code"))
                        .put("vendorErrorCode", r.getString("vendor_error_code"));
        JsonObject json = Events.json(
                r.getLong("seq"),
                r.getString("charger_id"),
                r.getString("account_id"),
                r.getString("site_id"),
                r.getString("status"),
                r.getString("previous_status"),
                r.getString("fault_code"),
                connector,
                iso(r, "ts"),
                iso(r, "received_at"));
        if (!r.getBoolean("applied")) {
            json.put("applied", false);
        }
        return json;
    }
}
