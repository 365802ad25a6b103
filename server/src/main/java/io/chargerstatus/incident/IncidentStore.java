package io.chargerstatus.incident;

import io.chargerstatus.store.LeasedCursor;
import io.chargerstatus.store.Sql;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The incidents, maintenance windows and alerting rules: what the evaluator writes in its transaction and what
 * the REST API reads and changes. One JSON shape of an incident ({@link #json}) for the API and the webhook
 * payloads.
 */
public final class IncidentStore extends Sql {
    public IncidentStore(Sql.Access access) {
        super(access);
    }

    // ---- the evaluator's transaction ------------------------------------------------------------

    <T> Future<T> inTransactionOf(Function<SqlConnection, Future<T>> statements) {
        return inTransaction(statements);
    }

    private static final LeasedCursor CURSOR = new LeasedCursor("incident_evaluator");

    /** The evaluator's row, locked for this transaction: who holds it, its cursor. */
    Future<LeasedCursor.Cursor> lockCursor(SqlConnection conn) {
        return CURSOR.lock(conn);
    }

    Future<Void> advance(SqlConnection conn, long lastSeq, String owner, int leaseS) {
        return CURSOR.advance(conn, lastSeq, owner, leaseS);
    }

    /** Gives the lease up (a stopping instance), so that another takes over at once rather than after it. */
    public Future<Void> release(String owner) {
        return exec(CURSOR.releaseSql(), Tuple.of(owner)).mapEmpty();
    }

    Future<IncidentState> loadState(SqlConnection conn) {
        return conn.query("SELECT kind, state::text AS state FROM incident_watch")
                .execute()
                .map(rows -> {
                    List<String> watches = new ArrayList<>();
                    List<String> sites = new ArrayList<>();
                    rows.forEach(r -> ("site".equals(r.getString("kind")) ? sites : watches).add(r.getString("state")));
                    return IncidentState.of(watches, sites);
                });
    }

    Future<Void> saveState(SqlConnection conn, String kind, List<String> ids, List<String> states, List<String> gone) {
        Future<?> upsert = ids.isEmpty()
                ? Future.succeededFuture()
                : conn.preparedQuery("INSERT INTO incident_watch (kind, id, state)"
                                + " SELECT $1, i, s::jsonb FROM unnest($2::text[], $3::text[]) AS t(i, s)"
                                + " ON CONFLICT (kind, id) DO UPDATE SET state = EXCLUDED.state")
                        .execute(Tuple.of(kind, ids.toArray(String[]::new), states.toArray(String[]::new)));
        return upsert.compose(v -> gone.isEmpty()
                        ? Future.succeededFuture()
                        : conn.preparedQuery("DELETE FROM incident_watch WHERE kind = $1 AND id = ANY($2)")
                                .execute(Tuple.of(kind, (Object) gone.toArray(String[]::new))))
                .mapEmpty();
    }

    private static final String EVENTS = """
      SELECT seq, charger_id, account_id, site_id, status, fault_code, connector_id, connector_status, ts, received_at
      FROM status_events WHERE seq > $1 AND applied ORDER BY seq LIMIT $2""";

    /** The history after the cursor; {@code operator} tells which chargers' Unavailable an operator asked for. */
    Future<List<IncidentModel.Event>> eventsAfter(SqlConnection conn, long seq, int limit) {
        return conn.preparedQuery(EVENTS).execute(Tuple.of(seq, limit)).compose(rows -> {
            List<Row> list = new ArrayList<>();
            List<String> unavailable = new ArrayList<>();
            rows.forEach(r -> {
                list.add(r);
                if ("Unavailable".equals(r.getString("status"))) {
                    unavailable.add(r.getString("charger_id"));
                }
            });
            Future<Map<String, Instant>> asked =
                    unavailable.isEmpty() ? Future.succeededFuture(Map.of()) : operatorUnavailable(conn, unavailable);
            return asked.map(operator -> {
                List<IncidentModel.Event> events = new ArrayList<>(list.size());
                for (Row r : list) {
                    Instant at = instant(r, "received_at");
                    Instant askedAt = operator.get(r.getString("charger_id"));
                    events.add(new IncidentModel.Event(
                            r.getLong("seq"),
                            r.getString("charger_id"),
                            r.getString("account_id"),
                            r.getString("site_id"),
                            r.getString("status"),
                            r.getString("fault_code"),
                            r.getInteger("connector_id"),
                            r.getString("connector_status"),
                            instant(r, "ts"),
                            at,
                            askedAt != null && !askedAt.isAfter(at)));
                }
                return events;
            });
        });
    }

    /** A decommissioning the evaluator has not applied yet: it comes after the history up to {@code lastSeq}. */
    record Decommissioning(String chargerId, long lastSeq, Instant at) {}

    /** The decommissionings not applied yet that come before the history after {@code seq}, in its order. */
    Future<List<Decommissioning>> decommissionedUpTo(SqlConnection conn, long seq) {
        return conn.preparedQuery("SELECT charger_id, last_seq, decommissioned_at FROM decommissioned_chargers"
                        + " WHERE NOT incidents_done AND last_seq <= $1 ORDER BY last_seq, decommissioned_at")
                .execute(Tuple.of(seq))
                .map(rows -> {
                    List<Decommissioning> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new Decommissioning(
                            r.getString("charger_id"), r.getLong("last_seq"), instant(r, "decommissioned_at"))));
                    return out;
                });
    }

    /** Marks decommissionings applied, in the step's transaction (a killed step applies them again). */
    Future<Void> decommissioningsDone(SqlConnection conn, List<Decommissioning> done) {
        if (done.isEmpty()) {
            return Future.succeededFuture();
        }
        return conn.preparedQuery("UPDATE decommissioned_chargers SET incidents_done = true"
                        + " WHERE (charger_id, last_seq) IN (SELECT * FROM unnest($1::text[], $2::bigint[]))")
                .execute(Tuple.of(done.stream().map(Decommissioning::chargerId).toArray(String[]::new), (Object)
                        done.stream().map(Decommissioning::lastSeq).toArray(Long[]::new)))
                .mapEmpty();
    }

    /**
     * When each charger was last made unavailable through this API's change-availability and accepted it
     * (absent when its last such command made it available again, or was refused).
     */
    private static Future<Map<String, Instant>> operatorUnavailable(SqlConnection conn, List<String> chargers) {
        return conn.preparedQuery("""
          SELECT DISTINCT ON (charger_id) charger_id, requested_at, (request->>'available')::boolean AS available,
                 response->>'status' AS answer
          FROM commands WHERE name = 'change-availability' AND charger_id = ANY($1)
          ORDER BY charger_id, id DESC""")
                .execute(Tuple.of((Object) chargers.stream().distinct().toArray(String[]::new)))
                .map(rows -> {
                    Map<String, Instant> out = new HashMap<>();
                    rows.forEach(r -> {
                        String answer = r.getString("answer");
                        if (Boolean.FALSE.equals(r.getBoolean("available"))
                                && ("Accepted".equals(answer) || "Scheduled".equals(answer))) {
                            out.put(r.getString("charger_id"), instant(r, "requested_at"));
                        }
                    });
                    return out;
                });
    }

    /** An opened incident and its event; a replayed evaluation of the same history writes neither twice. */
    Future<Void> opened(SqlConnection conn, Incident i) {
        return conn.preparedQuery("""
          INSERT INTO incidents (id, account_id, site_id, charger_id, connector_id, kind, state, started_at, opened_at,
                                 status, fault_code, chargers)
          VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $9, $10, $11::text::jsonb) ON CONFLICT (id) DO NOTHING
          RETURNING *""")
                .execute(Tuple.from(new Object[] {
                    i.id(),
                    i.accountId(),
                    i.siteId(),
                    i.chargerId(),
                    i.connectorId(),
                    i.kind().name(),
                    odt(i.startedAt()),
                    odt(i.openedAt()),
                    i.status(),
                    i.faultCode(),
                    i.chargers() == null ? null : new JsonArray(i.chargers()).encode()
                }))
                .compose(rows -> event(conn, rows, "incident.opened", i.openedAt()));
    }

    Future<Void> updated(SqlConnection conn, Incident i) {
        return conn.preparedQuery("UPDATE incidents SET chargers = $2::text::jsonb WHERE id = $1")
                .execute(Tuple.of(i.id(), new JsonArray(i.chargers()).encode()))
                .mapEmpty();
    }

    Future<Void> resolved(SqlConnection conn, Incident i) {
        return conn.preparedQuery("UPDATE incidents SET state = 'resolved', back_at = $2, resolved_at = $3"
                        + " WHERE id = $1 AND state = 'open' RETURNING *")
                .execute(Tuple.of(i.id(), odt(i.backAt()), odt(i.resolvedAt())))
                .compose(rows -> event(conn, rows, "incident.resolved", i.resolvedAt()));
    }

    /** Open incidents nobody acknowledged, once more every remindAfterS of their account. */
    Future<Void> remind(SqlConnection conn, Instant now) {
        return conn.preparedQuery("""
          UPDATE incidents i SET reminded_at = $1, reminders = reminders + 1
          FROM accounts a
          WHERE i.state = 'open' AND i.acknowledged_at IS NULL AND a.id = i.account_id
            AND coalesce(i.reminded_at, i.opened_at)
                + make_interval(secs => coalesce((a.alerting->>'remindAfterS')::int, $2)) <= $1
          RETURNING i.*""")
                .execute(Tuple.of(odt(now), AlertRules.DEFAULTS.remindAfterS()))
                .compose(rows -> event(conn, rows, "incident.reminder", now));
    }

    private static Future<Void> event(SqlConnection conn, RowSet<Row> rows, String type, Instant at) {
        if (rows.size() == 0) {
            return Future.succeededFuture();
        }
        List<Tuple> batch = new ArrayList<>();
        rows.forEach(r -> batch.add(Tuple.of(
                r.getString("account_id"), type, r.getString("id"), json(r, at).encode(), odt(at))));
        return conn.preparedQuery("INSERT INTO incident_events (account_id, type, incident_id, payload, created_at)"
                        + " VALUES ($1, $2, $3, $4::text::jsonb, $5)")
                .executeBatch(batch)
                .mapEmpty();
    }

    /** The world the rules ask about, read once per evaluation step. */
    Future<Map<String, AlertRules>> rules(SqlConnection conn) {
        return conn.query("SELECT id, alerting::text AS alerting FROM accounts WHERE alerting IS NOT NULL")
                .execute()
                .map(rows -> {
                    Map<String, AlertRules> out = new HashMap<>();
                    rows.forEach(r ->
                            out.put(r.getString("id"), AlertRulesJson.read(new JsonObject(r.getString("alerting")))));
                    return out;
                });
    }

    /** A maintenance window as the evaluator checks it. */
    record Window(String accountId, String siteId, String chargerId, Instant from, Instant to) {}

    Future<List<Window>> windows(SqlConnection conn, Instant now) {
        return conn.preparedQuery("SELECT account_id, site_id, charger_id, from_ts, to_ts FROM maintenance_windows"
                        + " WHERE to_ts > $1 AND from_ts <= $1")
                .execute(Tuple.of(odt(now)))
                .map(rows -> {
                    List<Window> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new Window(
                            r.getString("account_id"),
                            r.getString("site_id"),
                            r.getString("charger_id"),
                            instant(r, "from_ts"),
                            instant(r, "to_ts"))));
                    return out;
                });
    }

    /** How many chargers each of these sites has (none asked: no query). */
    Future<Map<String, Integer>> siteSizes(SqlConnection conn, Set<String> sites) {
        if (sites.isEmpty()) {
            return Future.succeededFuture(Map.of());
        }
        return conn.preparedQuery(
                        "SELECT site_id, count(*) AS n FROM chargers WHERE site_id = ANY($1) GROUP BY site_id")
                .execute(Tuple.of((Object) sites.toArray(String[]::new)))
                .map(rows -> {
                    Map<String, Integer> out = new HashMap<>();
                    rows.forEach(r -> out.put(r.getString("site_id"), r.getInteger("n")));
                    return out;
                });
    }

    /** Open incidents per kind, for the gauge (the same figure on every instance). */
    public Future<Map<String, Integer>> openPerKind() {
        return exec("SELECT kind, count(*) AS n FROM incidents WHERE state = 'open' GROUP BY kind")
                .map(rows -> {
                    Map<String, Integer> out = new HashMap<>();
                    rows.forEach(r -> out.put(r.getString("kind"), r.getInteger("n")));
                    return out;
                });
    }

    // ---- the REST API ---------------------------------------------------------------------------

    /** Newest first; every filter optional ({@code accountId} null: every account, for the admin). */
    public Future<JsonArray> incidents(
            String accountId, String state, String chargerId, String siteId, Instant since, int limit) {
        return exec("""
          SELECT * FROM incidents
          WHERE ($1::text IS NULL OR account_id = $1) AND ($2::text IS NULL OR state = $2)
            AND ($3::text IS NULL OR charger_id = $3 OR chargers ? $3) AND ($4::text IS NULL OR site_id = $4)
            AND ($5::timestamptz IS NULL OR opened_at >= $5 OR state = 'open')
          ORDER BY opened_at DESC, id LIMIT $6""", Tuple.of(accountId, state, chargerId, siteId, odt(since), limit))
                .map(rows -> collect(rows, r -> json(r, Instant.now())));
    }

    public Future<JsonObject> incident(String id, String accountId) {
        return exec(
                        "SELECT * FROM incidents WHERE id = $1 AND ($2::text IS NULL OR account_id = $2)",
                        Tuple.of(id, accountId))
                .map(rows -> rows.size() == 0 ? null : json(rows.iterator().next(), Instant.now()));
    }

    public Future<JsonObject> acknowledge(String id, String accountId, String by, String note) {
        return exec("""
          UPDATE incidents SET acknowledged_at = coalesce(acknowledged_at, now()), acknowledged_by = $3,
                 note = coalesce($4, note)
          WHERE id = $1 AND ($2::text IS NULL OR account_id = $2) RETURNING *""", Tuple.of(id, accountId, by, note))
                .map(rows -> rows.size() == 0 ? null : json(rows.iterator().next(), Instant.now()));
    }

    public Future<JsonObject> alerting(String accountId) {
        return exec("SELECT alerting::text AS alerting FROM accounts WHERE id = $1", Tuple.of(accountId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    String saved = rows.iterator().next().getString("alerting");
                    return AlertRulesJson.write(
                            saved == null ? AlertRules.DEFAULTS : AlertRulesJson.read(new JsonObject(saved)));
                });
    }

    public Future<JsonObject> setAlerting(String accountId, AlertRules rules) {
        JsonObject json = AlertRulesJson.write(rules);
        return exec("UPDATE accounts SET alerting = $2::text::jsonb WHERE id = $1", Tuple.of(accountId, json.encode()))
                .map(rows -> rows.rowCount() == 0 ? null : json);
    }

    public Future<JsonObject> addWindow(String id, JsonObject body) {
        return exec("""
          INSERT INTO maintenance_windows (id, account_id, site_id, charger_id, from_ts, to_ts, note)
          VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *""", Tuple.from(new Object[] {
                    id,
                    body.getString("accountId"),
                    body.getString("siteId"),
                    body.getString("chargerId"),
                    odt(Instant.parse(body.getString("from"))),
                    odt(Instant.parse(body.getString("to"))),
                    body.getString("note")
                }))
                .map(rows -> window(rows.iterator().next()));
    }

    public Future<JsonArray> windows(String accountId) {
        return exec(
                        "SELECT * FROM maintenance_windows WHERE ($1::text IS NULL OR account_id = $1)"
                                + " ORDER BY from_ts DESC LIMIT 1000",
                        Tuple.of(accountId))
                .map(rows -> collect(rows, IncidentStore::window));
    }

    public Future<Boolean> deleteWindow(String id, String accountId) {
        return exec(
                        "DELETE FROM maintenance_windows WHERE id = $1 AND ($2::text IS NULL OR account_id = $2)",
                        Tuple.of(id, accountId))
                .map(rows -> rows.rowCount() > 0);
    }

    private static JsonObject window(Row r) {
        return new JsonObject()
                .put("id", r.getString("id"))
                .put("accountId", r.getString("account_id"))
                .put("siteId", r.getString("site_id"))
                .put("chargerId", r.getString("charger_id"))
                .put("from", iso(r, "from_ts"))
                .put("to", iso(r, "to_ts"))
                .put("note", r.getString("note"));
    }

    /** The contract's incident; {@code durationS} of an open one is counted up to {@code now}. */
    static JsonObject json(Row r, Instant now) {
        Instant started = instant(r, "started_at");
        Instant back = instant(r, "back_at");
        Object chargers = r.getValue("chargers");
        return new JsonObject()
                .put("id", r.getString("id"))
                .put("accountId", r.getString("account_id"))
                .put("siteId", r.getString("site_id"))
                .put("chargerId", r.getString("charger_id"))
                .put("connectorId", r.getInteger("connector_id"))
                .put("kind", r.getString("kind"))
                .put("state", r.getString("state"))
                .put("startedAt", iso(r, "started_at"))
                .put("openedAt", iso(r, "opened_at"))
                .put("backAt", iso(r, "back_at"))
                .put("resolvedAt", iso(r, "resolved_at"))
                .put(
                        "durationS",
                        Math.max(
                                0,
                                Duration.between(started, back == null ? now : back)
                                        .toSeconds()))
                .put("status", r.getString("status"))
                .put("faultCode", r.getString("fault_code"))
                .put("chargers", chargers instanceof JsonArray list ? list : null)
                .put("acknowledgedAt", iso(r, "acknowledged_at"))
                .put("acknowledgedBy", r.getString("acknowledged_by"))
                .put("note", r.getString("note"))
                .put("reminders", r.getInteger("reminders"));
    }
}
