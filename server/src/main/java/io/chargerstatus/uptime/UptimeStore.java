package io.chargerstatus.uptime;

import io.chargerstatus.store.Sql;
import io.vertx.core.Future;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.SqlResult;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collector;

/**
 * What the uptime reports read: the chargers of a scope with their lifetimes (live ones and decommissioned
 * ones), their applied history, the outage exclusions, the maintenance windows and the sites' opening hours;
 * and the exclusions the API adds and removes. The figures themselves are computed by {@link Uptime}.
 */
public final class UptimeStore extends Sql {
    public UptimeStore(Sql.Access access) {
        super(access);
    }

    /** Which ports to report: an account, optionally one site or one charger. */
    public record Scope(String accountId, String siteId, String chargerId) {}

    /** One lifetime of a charger id: its events are those with {@code afterSeq < seq <= untilSeq}. */
    record Lifetime(String chargerId, String siteId, long afterSeq, Long untilSeq, Instant decommissionedAt) {}

    /** Everything one report needs, gathered in a few queries. */
    public record Inputs(
            List<Lifetime> lifetimes,
            Map<String, Rolled> rolled,
            List<Scoped> exclusions,
            Map<String, SiteHours> sites) {}

    /**
     * A lifetime's ports as the roll-up and the history after its cursor give them: when it was commissioned
     * (null: not before the report's horizon), its ports, its down stretches overlapping the report.
     */
    public record Rolled(Long commissioned, List<Integer> ports, List<PortRollup.Stretch> stretches) {}

    static String key(Lifetime l) {
        return l.chargerId() + "|" + l.afterSeq();
    }

    /** An exclusion or maintenance window with what it covers (null: the whole account, site or charger). */
    public record Scoped(String siteId, String chargerId, Integer connectorId, Uptime.Exclusion exclusion) {
        boolean covers(String site, String charger, int connector) {
            return (siteId == null || siteId.equals(site))
                    && (chargerId == null || chargerId.equals(charger))
                    && (connectorId == null || connectorId == connector);
        }
    }

    public record SiteHours(ZoneId zone, OpeningHours hours) {}

    private static final String LIVE = """
      SELECT c.id, c.site_id,
             coalesce((SELECT max(d.last_seq) FROM decommissioned_chargers d WHERE d.charger_id = c.id), 0) AS after_seq
      FROM chargers c
      WHERE c.account_id = $1 AND ($2::text IS NULL OR c.site_id = $2) AND ($3::text IS NULL OR c.id = $3)""";

    private static final String DECOMMISSIONED = """
      SELECT charger_id, site_id, decommissioned_at, last_seq,
             coalesce(lag(last_seq) OVER (PARTITION BY charger_id ORDER BY last_seq), 0) AS after_seq
      FROM decommissioned_chargers
      WHERE account_id = $1 AND ($2::text IS NULL OR site_id = $2) AND ($3::text IS NULL OR charger_id = $3)
        AND decommissioned_at > $4""";

    // Only this account's rows: a charger id registered again elsewhere has another account's history. Only
    // what the roll-up has not seen yet: the events after its cursor.
    private static final String TAIL = """
      SELECT seq, charger_id, status, connector_id, connector_status, ocpp_status, error_code, vendor_error_code,
             fault_code, ts
      FROM status_events
      WHERE account_id = $1 AND applied AND charger_id = ANY($2::text[]) AND ts < $3 AND seq > $4
      ORDER BY charger_id, seq""";

    // A lifetime the history after the cursor does not touch needs only when it was commissioned and which
    // ports had reported before the report's end; only the others are read whole, to apply that history to.
    private static final String STATES = """
      SELECT charger_id, after_seq, (state->>1)::bigint AS commissioned,
             ARRAY(SELECT (p->>0)::int FROM jsonb_array_elements(state->3) p WHERE (p->>1)::bigint < $3
                   ORDER BY 1) AS ports,
             CASE WHEN charger_id = ANY($4::text[]) THEN state::text END AS state
      FROM uptime_lifetimes
      WHERE account_id = $1 AND charger_id = ANY($2::text[])""";

    private static final String DOWNS = """
      SELECT charger_id, after_seq, connector_id, start_s, end_s, %s FROM port_downs
      WHERE account_id = $1 AND charger_id = ANY($2::text[]) AND start_s < $3 AND (end_s IS NULL OR end_s > $4)""";
    private static final String DOWNS_WITH_CAUSES = DOWNS.formatted("status, fault_code");
    // The figures need only the times: two strings fewer to decode for each of a million rows.
    private static final String DOWNS_TIMES = DOWNS.formatted("NULL::text, NULL::text");

    private static final String EXCLUSIONS = """
      SELECT site_id, charger_id, connector_id, from_ts, to_ts, reason FROM outage_exclusions
      WHERE account_id = $1 AND to_ts > $2 AND from_ts < $3
      UNION ALL
      SELECT site_id, charger_id, NULL, from_ts, to_ts, 'maintenance' FROM maintenance_windows
      WHERE account_id = $1 AND to_ts > $2 AND from_ts < $3""";

    /**
     * What a report reads: the lifetimes, exclusions and closed hours of {@code [from, until)}, with the
     * history read to {@code until} (an outage report reads to now, to know where its outages end); the kept
     * stretches that overlap {@code [stretchesFrom, stretchesTo)}; {@code causes}: each stretch's status and
     * fault code (the outage list shows them; the figures do not need them).
     */
    public record Read(Instant from, Instant until, Instant stretchesFrom, Instant stretchesTo, boolean causes) {
        public static Read figures(Instant from, Instant until) {
            return new Read(from, until, from, until, false);
        }

        /** The UK figure: the stretches' statuses decide what is reliable. */
        public static Read reliability(Instant from, Instant until) {
            return new Read(from, until, from, until, true);
        }

        /** The outages overlapping {@code [from, to)}, whole: their exclusions and hours read from hoursFrom. */
        public static Read outages(Instant hoursFrom, Instant now, Instant from, Instant to) {
            return new Read(hoursFrom, now, from, to, true);
        }
    }

    public Future<Inputs> inputs(Scope scope, Read read) {
        Instant from = read.from();
        Instant until = read.until();
        // One snapshot: the roll-up's cursor, states and stretches as one commit of it left them. The queries
        // that do not depend on each other are sent together: the connection pipelines them, so PostgreSQL
        // runs one while the service decodes another.
        // Each query planned for its own parameters: after five runs PostgreSQL would otherwise keep a generic
        // plan, which cannot know that 20,000 charger ids select most of a table, nor a month a sixtieth of it
        // (the stretches of a month's outages: an index scan of every row, 330 ms, against 70 ms).
        return inTransaction(conn -> conn.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ;"
                        + " SET LOCAL plan_cache_mode = force_custom_plan")
                .execute()
                .compose(v -> {
                    Future<Long> cursor = conn.query("SELECT last_seq FROM uptime_rollup WHERE id = 1")
                            .execute()
                            .map(rows -> rows.iterator().next().getLong(0));
                    Future<List<Lifetime>> lifetimes = lifetimes(conn, scope, from);
                    Future<Rest> rest = rest(conn, scope, from, until);
                    return Future.all(cursor, lifetimes)
                            .compose(both -> rolled(conn, scope, lifetimes.result(), read, cursor.result()))
                            .compose(rolled ->
                                    rest.map(r -> new Inputs(lifetimes.result(), rolled, r.exclusions(), r.sites())));
                }));
    }

    private Future<List<Lifetime>> lifetimes(SqlConnection conn, Scope scope, Instant from) {
        Future<RowSet<Row>> live =
                conn.preparedQuery(LIVE).execute(Tuple.of(scope.accountId(), scope.siteId(), scope.chargerId()));
        Future<RowSet<Row>> gone = conn.preparedQuery(DECOMMISSIONED)
                .execute(Tuple.of(scope.accountId(), scope.siteId(), scope.chargerId(), utc(from)));
        return Future.all(live, gone).map(both -> {
            List<Lifetime> out = new ArrayList<>();
            live.result()
                    .forEach(r -> out.add(new Lifetime(
                            r.getString("id"), r.getString("site_id"), r.getLong("after_seq"), null, null)));
            gone.result()
                    .forEach(r -> out.add(new Lifetime(
                            r.getString("charger_id"),
                            r.getString("site_id"),
                            r.getLong("after_seq"),
                            r.getLong("last_seq"),
                            instant(r, "decommissioned_at"))));
            return out;
        });
    }

    /** Stretches by charger id and lifetime ({@code after_seq}). */
    private static final Collector<Row, ?, Map<String, Map<Long, List<PortRollup.Stretch>>>> BY_LIFETIME = Collector.of(
            HashMap::new,
            (Map<String, Map<Long, List<PortRollup.Stretch>>> byCharger, Row r) -> byCharger
                    .computeIfAbsent(r.getString(0), k -> new HashMap<>(2))
                    .computeIfAbsent(r.getLong(1), k -> new ArrayList<>())
                    .add(new PortRollup.Stretch(
                            r.getInteger(2), r.getLong(3), r.getLong(4), r.getString(5), r.getString(6))),
            (a, b) -> {
                // The client decodes rows one at a time, so this never runs; it merges as a combiner must.
                b.forEach((charger, lifetimes) ->
                        lifetimes.forEach((after, list) -> a.computeIfAbsent(charger, k -> new HashMap<>(2))
                                .computeIfAbsent(after, k -> new ArrayList<>())
                                .addAll(list)));
                return a;
            });

    /** Each lifetime's roll-up state and stretches, with the history after the roll-up's cursor applied. */
    private Future<Map<String, Rolled>> rolled(
            SqlConnection conn, Scope scope, List<Lifetime> lifetimes, Read read, long cursor) {
        Instant until = read.until();
        String[] ids = lifetimes.stream().map(Lifetime::chargerId).distinct().toArray(String[]::new);
        long untilS = until.getEpochSecond();
        Future<RowSet<Row>> tail =
                conn.preparedQuery(TAIL).execute(Tuple.of(scope.accountId(), ids, utc(until), cursor));
        // An account's year is a million stretches: collected as they are decoded, not kept as rows.
        Future<SqlResult<Map<String, Map<Long, List<PortRollup.Stretch>>>>> downs = conn.preparedQuery(
                        read.causes() ? DOWNS_WITH_CAUSES : DOWNS_TIMES)
                .collecting(BY_LIFETIME)
                .execute(Tuple.of(
                        scope.accountId(),
                        ids,
                        read.stretchesTo().getEpochSecond(),
                        read.stretchesFrom().getEpochSecond()));
        return tail.compose(tailRows -> {
            Map<String, List<PortTimeline.Event>> events = new HashMap<>();
            tailRows.forEach(r -> events.computeIfAbsent(r.getString("charger_id"), k -> new ArrayList<>())
                    .add(event(r)));
            Future<RowSet<Row>> states = conn.preparedQuery(STATES)
                    .execute(Tuple.of(
                            scope.accountId(), ids, untilS, events.keySet().toArray(String[]::new)));
            return Future.all(states, downs).map(both -> {
                Map<String, Row> kept = new HashMap<>();
                states.result().forEach(r -> kept.put(r.getString("charger_id") + "|" + r.getLong("after_seq"), r));
                Map<String, Map<Long, List<PortRollup.Stretch>>> stretches =
                        downs.result().value();
                Map<String, Rolled> out = new HashMap<>();
                for (Lifetime life : lifetimes) {
                    String key = key(life);
                    List<PortRollup.Stretch> list = stretches
                            .getOrDefault(life.chargerId(), Map.of())
                            .getOrDefault(life.afterSeq(), new ArrayList<>());
                    Row row = kept.get(key);
                    Long commissioned;
                    List<Integer> ports;
                    if (row != null && row.getString("state") == null) {
                        commissioned = row.getLong("commissioned");
                        ports = List.of(row.getArrayOfIntegers("ports"));
                    } else {
                        PortRollup state = row == null
                                ? new PortRollup()
                                : PortRollup.load(new JsonArray(row.getString("state")).getList());
                        for (PortTimeline.Event e : events.getOrDefault(life.chargerId(), List.of())) {
                            if (e.seq() > life.afterSeq() && (life.untilSeq() == null || e.seq() <= life.untilSeq())) {
                                list.addAll(state.apply(e));
                            }
                        }
                        commissioned = state.commissioned();
                        ports = state.portsBefore(untilS);
                    }
                    out.put(
                            key,
                            new Rolled(
                                    commissioned != null && commissioned < untilS ? commissioned : null, ports, list));
                }
                return out;
            });
        });
    }

    private record Rest(List<Scoped> exclusions, Map<String, SiteHours> sites) {}

    private Future<Rest> rest(SqlConnection conn, Scope scope, Instant from, Instant until) {
        Future<RowSet<Row>> exclusions =
                conn.preparedQuery(EXCLUSIONS).execute(Tuple.of(scope.accountId(), utc(from), utc(until)));
        Future<RowSet<Row>> sites = conn.preparedQuery(
                        "SELECT id, timezone, opening_hours::text AS hours FROM sites WHERE account_id = $1")
                .execute(Tuple.of(scope.accountId()));
        return Future.all(exclusions, sites).map(both -> {
            List<Scoped> scoped = new ArrayList<>();
            exclusions
                    .result()
                    .forEach(r -> scoped.add(new Scoped(
                            r.getString("site_id"),
                            r.getString("charger_id"),
                            r.getInteger("connector_id"),
                            new Uptime.Exclusion(
                                    instant(r, "from_ts").getEpochSecond(),
                                    instant(r, "to_ts").getEpochSecond(),
                                    r.getString("reason")))));
            Map<String, SiteHours> hours = new HashMap<>();
            sites.result().forEach(r -> hours.put(r.getString("id"), siteHours(r)));
            return new Rest(scoped, hours);
        });
    }

    private static SiteHours siteHours(Row r) {
        ZoneId zone;
        try {
            zone = ZoneId.of(r.getString("timezone"));
        } catch (RuntimeException e) {
            zone = ZoneId.of("UTC"); // sites written before zones were checked
        }
        String hours = r.getString("hours");
        return new SiteHours(zone, OpeningHours.parse(hours == null ? null : Json.decodeValue(hours)));
    }

    static PortTimeline.Event event(Row r) {
        Integer connector = r.getInteger("connector_id");
        String faultCode;
        if (connector == null) {
            faultCode = r.getString("fault_code");
        } else {
            String error = r.getString("error_code");
            String vendor = r.getString("vendor_error_code");
            faultCode = error == null || "NoError".equals(error) && vendor == null
                    ? null
                    : vendor == null || vendor.isEmpty() ? error : error + "/" + vendor;
        }
        return new PortTimeline.Event(
                r.getLong("seq"),
                r.getString("status"),
                connector,
                r.getString("connector_status"),
                r.getString("ocpp_status"),
                faultCode,
                instant(r, "ts").getEpochSecond());
    }

    // OCPI's max_electric_power, or what the voltage (line to neutral for AC_3_PHASE) and amperage give.
    private static final String POWERS = """
      SELECT ps.charger_id, ps.connector_id,
             coalesce(ps.max_electric_power::bigint,
                      (CASE WHEN ps.power_type = 'AC_3_PHASE' THEN 3 ELSE 1 END)::bigint * ps.max_voltage * ps.max_amperage)
               AS power_w
      FROM port_static ps JOIN chargers c ON c.id = ps.charger_id
      WHERE c.account_id = $1 AND ($2::text IS NULL OR c.site_id = $2) AND ($3::text IS NULL OR c.id = $3)""";

    /**
     * Each port's maximum power in W, by charger id and port, as its EVSE data gives it (the roaming API);
     * a decommissioned charger's EVSE data is gone with it.
     */
    public Future<Map<String, Map<Integer, Long>>> powers(Scope scope) {
        return exec(POWERS, Tuple.of(scope.accountId(), scope.siteId(), scope.chargerId()))
                .map(rows -> {
                    Map<String, Map<Integer, Long>> out = new HashMap<>();
                    rows.forEach(r -> out.computeIfAbsent(r.getString("charger_id"), k -> new HashMap<>())
                            .put(r.getInteger("connector_id"), r.getLong("power_w")));
                    return out;
                });
    }

    // ---- exclusions ----------------------------------------------------------------------------

    private static final String INSERT_EXCLUSION = """
      INSERT INTO outage_exclusions (id, account_id, site_id, charger_id, connector_id, from_ts, to_ts, reason, note)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *""";

    public Future<JsonObject> addExclusion(String id, JsonObject body, Instant from, Instant to) {
        return exec(INSERT_EXCLUSION, Tuple.from(new Object[] {
                    id,
                    body.getString("accountId"),
                    body.getString("siteId"),
                    body.getString("chargerId"),
                    body.getInteger("connectorId"),
                    utc(from),
                    utc(to),
                    body.getString("reason"),
                    body.getString("note")
                }))
                .map(rows -> exclusion(rows.iterator().next()));
    }

    public Future<JsonArray> exclusions(String accountId, Instant from, Instant to) {
        return exec(
                        "SELECT * FROM outage_exclusions WHERE ($1::text IS NULL OR account_id = $1)"
                                + " AND ($2::timestamptz IS NULL OR to_ts > $2)"
                                + " AND ($3::timestamptz IS NULL OR from_ts < $3) ORDER BY from_ts DESC, id LIMIT 10000",
                        Tuple.of(accountId, from == null ? null : utc(from), to == null ? null : utc(to)))
                .map(rows -> collect(rows, UptimeStore::exclusion));
    }

    /** True when the exclusion existed (and, for an account token, was that account's). */
    public Future<Boolean> deleteExclusion(String id, String accountId) {
        return exec(
                        "DELETE FROM outage_exclusions WHERE id = $1 AND ($2::text IS NULL OR account_id = $2)",
                        Tuple.of(id, accountId))
                .map(rows -> rows.rowCount() > 0);
    }

    private static JsonObject exclusion(Row r) {
        return new JsonObject()
                .put("id", r.getString("id"))
                .put("accountId", r.getString("account_id"))
                .put("siteId", r.getString("site_id"))
                .put("chargerId", r.getString("charger_id"))
                .put("connectorId", r.getInteger("connector_id"))
                .put("from", iso(r, "from_ts"))
                .put("to", iso(r, "to_ts"))
                .put("reason", r.getString("reason"))
                .put("note", r.getString("note"))
                .put("createdAt", iso(r, "created_at"));
    }
}
