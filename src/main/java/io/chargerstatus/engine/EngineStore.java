package io.chargerstatus.engine;

import io.chargerstatus.bus.Bus;
import io.chargerstatus.status.BatchPlan;
import io.chargerstatus.status.BatchPlan.ConnectorRow;
import io.chargerstatus.status.BatchPlan.TransactionRow;
import io.chargerstatus.status.Change;
import io.chargerstatus.status.ChargerState;
import io.chargerstatus.status.ConnectorState;
import io.chargerstatus.status.Fact;
import io.chargerstatus.status.Status;
import io.chargerstatus.store.Sql;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The status engine's data: the state it starts from, its batch commits, and the registry changes it
 * serialises with them (chargers added, changed, removed). Nothing else writes these rows.
 */
public final class EngineStore extends Sql {
    private static final String CHARGER_COLUMNS =
            "id, account_id, site_id, name, secured, status, status_since, fault_code, online, last_seen_at, booted_at, "
                    + "firmware_updating, vendor, model, firmware_version, ocpp_version";

    private static final String INSERT_CHARGER = """
      INSERT INTO chargers (id, account_id, site_id, name, secured, password_hash, status_since)
      VALUES ($1, $2, $3, $4, $5, $6, $7)""";

    // A charger moved to another site: roaming partners are told its EVSEs are REMOVED at the old Location
    // and are sent the new Location whole (with them), in the statement that moves it.
    private static final String UPDATE_CHARGER = """
      WITH old AS (SELECT id, site_id FROM chargers WHERE id = $1 FOR UPDATE),
      u AS (
        UPDATE chargers c SET
          name = CASE WHEN $2 THEN $3 ELSE c.name END,
          site_id = CASE WHEN $4 THEN $5 ELSE c.site_id END,
          secured = COALESCE($6, c.secured),
          password_hash = CASE WHEN $7 THEN $8 ELSE c.password_hash END
        FROM old WHERE c.id = old.id
        RETURNING c.id, c.account_id, c.site_id AS new_site, old.site_id AS old_site),
      moved AS (
        SELECT u.*, array_agg(ps.connector_id ORDER BY ps.connector_id) AS ports
        FROM u JOIN port_static ps ON ps.charger_id = u.id
        WHERE u.old_site IS DISTINCT FROM u.new_site GROUP BY u.id, u.account_id, u.new_site, u.old_site),
      told AS (
        INSERT INTO ocpi_changes (account_id, kind, site_id, charger_id, ports, last_seq)
        SELECT account_id, 'removed', old_site, id, ports, (SELECT last_seq FROM event_counter WHERE id = 1)
        FROM moved WHERE old_site IS NOT NULL
        UNION ALL
        SELECT account_id, 'location', new_site, NULL, NULL, (SELECT last_seq FROM event_counter WHERE id = 1)
        FROM moved WHERE new_site IS NOT NULL
        RETURNING id)
      SELECT (SELECT count(*) FROM u) AS updated, (SELECT count(*) FROM told) AS told""";

    /**
     * A whole status-engine batch as one statement: history rows, chargers and connectors. One statement
     * is one implicit transaction, so the batch is atomic without BEGIN/COMMIT round trips. Its parameters
     * are numbered by {@link BatchStatement} from the column lists below, one line per column.
     *
     * <p>The events take their seq from the counter row ({@code base + ordinality}): its row lock, held to
     * the commit, orders the batches of every instance, so seqs are gapless and commit in order. A charger
     * is updated only at the epoch this engine claimed; if another instance claimed it since, the fence
     * fails the whole statement (SQLSTATE CS001). Returns the base: the events are base+1 .. base+n.
     *
     * <p>Why it is written the way it is (bench/pg-profile.sh measured each): chargers and connectors are
     * found through their primary key ({@code = ANY}), never a hash join over every charger, which the
     * planner chose for a few hundred rows and which grows with the fleet, not the batch; connectors are
     * updated, and only those the update did not find inserted, because {@code ON CONFLICT DO UPDATE}
     * locks each row first (a WAL record per connector); within one statement the insert sees what the
     * update returned, and a connector inserted concurrently (impossible past the fence) would fail the
     * batch with 23505 rather than be lost. Transactions started and stopped (OCPP 1.6) are written here
     * too: on their own they were two more commits per charging session, most of
     * PostgreSQL's commits under sustained load. One started and stopped in the same batch is one insert
     * (an update cannot see a row inserted by the same statement).
     */
    static final BatchStatement<Batch> COMMIT = new BatchStatement<>();

    /** A history row per change. */
    private static final BatchStatement.Rows<Change> EVENTS = new BatchStatement.Rows<Change>()
            .text("charger_id", Change::chargerId)
            .text("account_id", Change::accountId)
            .text("site_id", Change::siteId)
            .text("status", c -> c.status().name())
            .text(
                    "previous_status",
                    c -> c.previousStatus() == null ? null : c.previousStatus().name())
            .text("fault_code", Change::faultCode)
            .integer(
                    "connector_id",
                    c -> c.connector() == null ? null : c.connector().connectorId())
            .text(
                    "connector_status",
                    c -> c.connector() == null ? null : c.connector().status().name())
            .text(
                    "ocpp_status",
                    c -> c.connector() == null ? null : c.connector().ocppStatus())
            .text(
                    "error_code",
                    c -> c.connector() == null ? null : c.connector().errorCode())
            .text(
                    "vendor_error_code",
                    c -> c.connector() == null ? null : c.connector().vendorErrorCode())
            .text("info", c -> c.connector() == null ? null : c.connector().info())
            .timestamp("ts", Change::timestamp)
            .timestamp("received_at", Change::receivedAt)
            .bool("applied", Change::applied);

    /** A charger's state, at the epoch this engine claimed; vendor and version only when the batch brings them. */
    private static final BatchStatement.Rows<ChargerRow> CHARGERS = new BatchStatement.Rows<ChargerRow>()
            .text("id", r -> r.state().id())
            .text("status", r -> r.state().status().name())
            .timestamp("status_since", r -> r.state().statusSince())
            .text("fault_code", r -> r.state().faultCode())
            .bool("online", r -> r.state().online())
            .timestamp("last_seen_at", r -> r.state().lastSeenAt())
            .timestamp("booted_at", r -> r.state().bootedAt())
            .bool("firmware_updating", r -> r.state().firmwareUpdating())
            .text("vendor", r -> r.boot() == null ? null : r.boot().vendor())
            .text("model", r -> r.boot() == null ? null : r.boot().model())
            .text("firmware_version", r -> r.boot() == null ? null : r.boot().firmwareVersion())
            .text("ocpp_version", ChargerRow::version)
            .bigint("epoch", ChargerRow::epoch);

    /** The connectors the batch touched. */
    private static final BatchStatement.Rows<ConnectorRow> CONNECTORS = new BatchStatement.Rows<ConnectorRow>()
            .text("charger_id", ConnectorRow::chargerId)
            .integer("connector_id", r -> r.connector().connectorId())
            .text("status", r -> r.connector().status().name())
            .text("ocpp_status", r -> r.connector().ocppStatus())
            .text("error_code", r -> r.connector().errorCode())
            .text("vendor_error_code", r -> r.connector().vendorErrorCode())
            .text("info", r -> r.connector().info())
            .timestamp("since", r -> r.connector().since())
            .timestamp("reported_at", r -> r.connector().reportedAt())
            .integer("transaction_id", r -> r.connector().transactionId())
            .text("charging_state", r -> r.connector().chargingState())
            .text("transaction_ref", r -> r.connector().transactionRef())
            .bool("transaction_ended", r -> r.connector().transactionEnded());

    /** OCPP 1.6 transactions started in the batch (stopped too, when both happened in it). */
    private static final BatchStatement.Rows<TransactionRow> STARTED = new BatchStatement.Rows<TransactionRow>()
            .integer("id", TransactionRow::id)
            .text("charger_id", TransactionRow::chargerId)
            .integer("connector_id", TransactionRow::connectorId)
            .text("id_tag", TransactionRow::idTag)
            .integer("meter_start", TransactionRow::meterStart)
            .timestamp("started_at", TransactionRow::startedAt)
            .integer("meter_stop", TransactionRow::meterStop)
            .timestamp("stopped_at", TransactionRow::stoppedAt)
            .text("stop_reason", TransactionRow::stopReason);

    /** OCPP 1.6 transactions of earlier batches stopped in this one. */
    private static final BatchStatement.Rows<TransactionRow> STOPPED = new BatchStatement.Rows<TransactionRow>()
            .integer("id", TransactionRow::id)
            .text("charger_id", TransactionRow::chargerId)
            .integer("meter_stop", TransactionRow::meterStop)
            .timestamp("stopped_at", TransactionRow::stoppedAt)
            .text("reason", TransactionRow::stopReason);

    static final String COMMIT_BATCH;

    static {
        String events = COMMIT.unnest(EVENTS, Batch::changes, "u", true);
        String eventCount = COMMIT.scalar(b -> b.changes().size());
        String chargers = COMMIT.unnest(CHARGERS, Batch::chargers, "u", false);
        String chargerIds = COMMIT.column(CHARGERS, "id");
        String chargerCount = COMMIT.scalar(b -> b.chargers().size());
        String connectors = COMMIT.unnest(CONNECTORS, Batch::connectors, "u", false);
        String started = COMMIT.unnest(STARTED, Batch::started, "u", false);
        String stopped = COMMIT.unnest(STOPPED, Batch::stopped, "u", false);
        String stoppedIds = COMMIT.column(STOPPED, "id");
        COMMIT_BATCH = """
      WITH counter AS (
        UPDATE event_counter SET last_seq = last_seq + %2$s WHERE id = 1 AND %2$s > 0 RETURNING last_seq - %2$s AS base
      ), ev AS (
        INSERT INTO status_events (seq, %1$s)
        SELECT counter.base + u.ord, %13$s FROM counter, %3$s
        RETURNING 1
      ), ch AS (
        UPDATE chargers c SET status = u.status, status_since = u.status_since, fault_code = u.fault_code,
          online = u.online, last_seen_at = u.last_seen_at, booted_at = u.booted_at, firmware_updating = u.firmware_updating,
          vendor = COALESCE(u.vendor, c.vendor), model = COALESCE(u.model, c.model),
          firmware_version = CASE WHEN u.vendor IS NULL THEN c.firmware_version ELSE u.firmware_version END,
          ocpp_version = COALESCE(u.ocpp_version, c.ocpp_version)
        FROM %4$s
        WHERE c.id = ANY(%5$s) AND c.id = u.id AND c.session_epoch = u.epoch
        RETURNING 1
      ), co_in AS (
        SELECT * FROM %7$s
      ), co AS (
        UPDATE connectors c SET status = u.status, ocpp_status = u.ocpp_status, error_code = u.error_code,
          vendor_error_code = u.vendor_error_code, info = u.info, since = u.since, reported_at = u.reported_at,
          transaction_id = u.transaction_id, charging_state = u.charging_state, transaction_ref = u.transaction_ref,
          transaction_ended = u.transaction_ended
        FROM co_in u
        WHERE c.charger_id = u.charger_id AND c.connector_id = u.connector_id
        RETURNING c.charger_id, c.connector_id
      ), co_new AS (
        INSERT INTO connectors (%8$s)
        SELECT * FROM co_in u
        WHERE NOT EXISTS (SELECT 1 FROM co WHERE co.charger_id = u.charger_id AND co.connector_id = u.connector_id)
        RETURNING 1
      ), tx_new AS (
        INSERT INTO transactions (%9$s)
        OVERRIDING SYSTEM VALUE
        SELECT * FROM %10$s
        RETURNING 1
      ), tx_end AS (
        UPDATE transactions t SET meter_stop = u.meter_stop, stopped_at = u.stopped_at, stop_reason = u.reason
        FROM %11$s
        WHERE t.id = ANY(%12$s) AND t.id = u.id AND t.charger_id = u.charger_id
        RETURNING 1
      )
      SELECT charger_status_fence((SELECT count(*) FROM ch), %6$s) AS fenced, (SELECT base FROM counter) AS base""".formatted(
                        EVENTS.names(),
                        eventCount,
                        events,
                        chargers,
                        chargerIds,
                        chargerCount,
                        connectors,
                        CONNECTORS.names(),
                        STARTED.names(),
                        started,
                        stopped,
                        stoppedIds,
                        EVENTS.names("u."));
    }

    /** What one batch commit writes. */
    record Batch(
            List<Change> changes,
            List<ChargerRow> chargers,
            List<ConnectorRow> connectors,
            List<TransactionRow> started,
            List<TransactionRow> stopped) {}

    /** A charger as a batch writes it: its state, the epoch claimed for it, a boot and a version it brought. */
    record ChargerRow(ChargerState state, long epoch, Fact.Booted boot, String version) {}

    /** Takes the session state of chargers for this instance: the new epoch fences out the previous holder. */
    private static final String CLAIM = "UPDATE chargers SET session_owner = $2, session_epoch = session_epoch + 1 "
            + "WHERE id = ANY($1::text[]) RETURNING " + CHARGER_COLUMNS + ", session_epoch";

    /**
     * The sweep: chargers still marked online whose holder is no live member (an instance killed, or the
     * previous process of a single instance), taken by this instance to be recorded offline.
     */
    private static final String CLAIM_ORPHANS =
            "UPDATE chargers SET session_owner = $2, session_epoch = session_epoch + 1 "
                    + "WHERE online AND (session_owner IS NULL OR NOT (session_owner = ANY($1::text[]))) "
                    + "RETURNING " + CHARGER_COLUMNS + ", session_epoch";

    /** SQLSTATE of a batch refused by the fence: a charger of it is held by another instance now. */
    public static final String FENCED = "CS001";

    /** Queries over the engine's own pool. */
    public EngineStore(Sql.Access access) {
        super(access);
    }

    /** A charger's state as this engine claimed it, and the epoch its batches must match. */
    public record Claimed(ChargerState state, long epoch) {}

    /** Claims these chargers for {@code node}; ids that do not exist (any more) are left out. */
    public Future<List<Claimed>> claim(List<String> ids, String node) {
        return claimed(exec(CLAIM, Tuple.of(ids.toArray(new String[0]), node)));
    }

    /** Claims for {@code node} every charger marked online whose holder is not one of {@code members}. */
    public Future<List<Claimed>> claimOrphans(List<String> members, String node) {
        return claimed(exec(CLAIM_ORPHANS, Tuple.of(members.toArray(new String[0]), node)));
    }

    private Future<List<Claimed>> claimed(Future<RowSet<Row>> claim) {
        return claim.compose(rows -> {
            if (rows.size() == 0) {
                return Future.succeededFuture(List.of());
            }
            List<String> ids = new ArrayList<>();
            rows.forEach(r -> ids.add(r.getString("id")));
            // Read after the claim: a previous holder's batch either committed before it (and is seen here) or
            // is fenced out by it.
            return exec(
                            "SELECT * FROM connectors WHERE charger_id = ANY($1::text[])",
                            Tuple.of(ids.toArray(new String[0])))
                    .map(connectors -> {
                        Map<String, TreeMap<Integer, ConnectorState>> byCharger = new HashMap<>();
                        for (Row r : connectors) {
                            byCharger
                                    .computeIfAbsent(r.getString("charger_id"), k -> new TreeMap<>())
                                    .put(r.getInteger("connector_id"), connectorState(r));
                        }
                        List<Claimed> claimed = new ArrayList<>();
                        for (Row r : rows) {
                            claimed.add(new Claimed(
                                    chargerState(r, byCharger.getOrDefault(r.getString("id"), new TreeMap<>())),
                                    r.getLong("session_epoch")));
                        }
                        return claimed;
                    });
        });
    }

    /**
     * Commits one batch of the status engine atomically, in one statement and one round trip: the history
     * rows, the chargers' state (each at its claimed epoch) and the touched connectors. Returns the base of
     * the events' sequence numbers: {@code changes} get base+1, base+2 ... in order.
     */
    public Future<Long> commitBatch(BatchPlan plan, Function<String, Long> epochOf) {
        List<ChargerRow> rows = new ArrayList<>(plan.next().size());
        for (ChargerState c : plan.next().values()) {
            // the version of a session that opened in this batch
            rows.add(new ChargerRow(
                    c,
                    epochOf.apply(c.id()),
                    plan.boots().get(c.id()),
                    plan.versions().get(c.id())));
        }
        Tuple all = COMMIT.tuple(new Batch(plan.changes(), rows, plan.connectors(), plan.started(), plan.stopped()));
        // No deadline here, unlike every other query: a commit given up on could still land later, and its events
        // would then never be published. A hung database holds this batch; the engine refuses what queues behind it.
        return report(pool.preparedQuery(COMMIT_BATCH).execute(all)).map(result -> {
            Long base = result.iterator().next().getLong("base");
            return base == null ? 0L : base;
        });
    }

    /**
     * Numbers {@code count} transactions from the table's own sequence, before the batch that records them:
     * the charger's StartTransaction.conf carries the number, and the batch writes it on the connector too.
     */
    public Future<List<Integer>> transactionIds(int count) {
        return exec(
                        "SELECT nextval(pg_get_serial_sequence('transactions', 'id'))::int FROM generate_series(1, $1)",
                        Tuple.of(count))
                .map(rows -> {
                    List<Integer> ids = new ArrayList<>(count);
                    rows.forEach(r -> ids.add(r.getInteger(0)));
                    return ids;
                });
    }

    /** Inserts a charger (status Unknown) and returns its state; fails with SQLSTATE 23505 on a duplicate id. */
    public Future<ChargerState> insertCharger(Bus.AddCharger add, Instant now) {
        Tuple t = Tuple.of(add.id(), add.accountId(), add.siteId(), add.name(), add.secured(), add.passwordHash())
                .addValue(odt(now));
        return exec(INSERT_CHARGER, t).map(rows -> ChargerState.added(add.id(), add.accountId(), add.siteId(), now));
    }

    /** Applies a change of a charger (see {@link Bus.UpdateCharger}); false when there is no such charger. */
    public Future<Boolean> updateCharger(Bus.UpdateCharger u) {
        String hash = u.passwordHash();
        Tuple t = Tuple.of(u.chargerId(), u.nameSet(), u.name(), u.siteSet(), u.siteId(), u.secured())
                .addValue(hash != null)
                .addValue(hash == null || hash.isEmpty() ? null : hash);
        return exec(UPDATE_CHARGER, t).map(r -> r.iterator().next().getLong("updated") > 0);
    }

    // The charger's EVSEs as the roaming partners must be told they are REMOVED.
    private static final String REMOVED_FOR_PARTNERS = """
      INSERT INTO ocpi_changes (account_id, kind, site_id, charger_id, ports, last_seq)
      SELECT c.account_id, 'removed', c.site_id, c.id, array_agg(ps.connector_id ORDER BY ps.connector_id),
             (SELECT last_seq FROM event_counter WHERE id = 1)
      FROM chargers c JOIN port_static ps ON ps.charger_id = c.id
      WHERE c.id = $1 AND c.site_id IS NOT NULL GROUP BY c.account_id, c.site_id, c.id""";

    /**
     * Decommissions a charger in one transaction: its row leaves (the connectors with it) and a
     * decommissioning is recorded with the history's last seq, so that the uptime reports keep counting its
     * ports up to {@code at}. With {@code purge} its history, deviations, security events and earlier
     * decommissionings are erased too. True when there was anything to remove.
     */
    public Future<Boolean> deleteCharger(String id, boolean purge, Instant at) {
        String record = purge
                ? "SELECT 0"
                : "INSERT INTO decommissioned_chargers (charger_id, account_id, site_id, name, decommissioned_at,"
                        + " last_seq) SELECT c.id, c.account_id, c.site_id, c.name, $2, e.last_seq"
                        + " FROM chargers c, event_counter e WHERE c.id = $1 AND e.id = 1";
        return inTransaction(conn -> conn.preparedQuery(record)
                .execute(purge ? Tuple.tuple() : Tuple.of(id, utc(at)))
                // Roaming partners are told its EVSEs are REMOVED, after every change committed before (purged
                // or not: a partner must not keep showing a charger that is gone).
                .compose(v -> conn.preparedQuery(REMOVED_FOR_PARTNERS).execute(Tuple.of(id)))
                .compose(v ->
                        conn.preparedQuery("DELETE FROM chargers WHERE id = $1").execute(Tuple.of(id)))
                .compose(deleted -> {
                    if (!purge) {
                        return Future.succeededFuture(deleted.rowCount() > 0);
                    }
                    return conn.preparedQuery("DELETE FROM status_events WHERE charger_id = $1")
                            .execute(Tuple.of(id))
                            .compose(history -> conn.preparedQuery("DELETE FROM port_downs WHERE charger_id = $1")
                                    .execute(Tuple.of(id))
                                    .compose(v -> conn.preparedQuery(
                                                    "DELETE FROM uptime_lifetimes WHERE charger_id = $1")
                                            .execute(Tuple.of(id)))
                                    .map(history))
                            .compose(history -> conn.preparedQuery(
                                            "DELETE FROM decommissioned_chargers WHERE charger_id = $1")
                                    .execute(Tuple.of(id))
                                    .compose(v -> conn.preparedQuery(
                                                    "DELETE FROM charger_deviations WHERE charger_id = $1")
                                            .execute(Tuple.of(id)))
                                    .compose(
                                            v -> conn.preparedQuery("DELETE FROM security_events WHERE charger_id = $1")
                                                    .execute(Tuple.of(id)))
                                    .map(v -> deleted.rowCount() > 0 || history.rowCount() > 0));
                }));
    }

    private static ConnectorState connectorState(Row r) {
        return new ConnectorState(
                r.getInteger("connector_id"),
                Status.valueOf(r.getString("status")),
                r.getString("ocpp_status"),
                r.getString("error_code"),
                r.getString("vendor_error_code"),
                r.getString("info"),
                instant(r, "since"),
                instant(r, "reported_at"),
                r.getInteger("transaction_id"),
                r.getString("charging_state"),
                r.getString("transaction_ref"),
                r.getBoolean("transaction_ended"));
    }

    private static ChargerState chargerState(Row r, TreeMap<Integer, ConnectorState> connectors) {
        return new ChargerState(
                r.getString("id"),
                r.getString("account_id"),
                r.getString("site_id"),
                Status.valueOf(r.getString("status")),
                instant(r, "status_since"),
                r.getString("fault_code"),
                r.getBoolean("online"),
                null,
                instant(r, "last_seen_at"),
                instant(r, "booted_at"),
                r.getBoolean("firmware_updating"),
                connectors);
    }
}
