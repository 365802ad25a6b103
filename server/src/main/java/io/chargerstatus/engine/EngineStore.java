package io.chargerstatus.engine;

import io.chargerstatus.bus.Bus;
import io.chargerstatus.status.BatchPlan;
import io.chargerstatus.status.ChargerState;
import io.chargerstatus.status.ConnectorState;
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
        List<BatchCommit.ChargerRow> rows = new ArrayList<>(plan.next().size());
        for (ChargerState c : plan.next().values()) {
            // the version of a session that opened in this batch
            rows.add(new BatchCommit.ChargerRow(
                    c,
                    epochOf.apply(c.id()),
                    plan.boots().get(c.id()),
                    plan.versions().get(c.id())));
        }
        Tuple all = BatchCommit.COMMIT.tuple(
                new BatchCommit.Batch(plan.changes(), rows, plan.connectors(), plan.started(), plan.stopped()));
        // No deadline here, unlike every other query: a commit given up on could still land later, and its events
        // would then never be published. A hung database holds this batch; the engine refuses what queues behind it.
        return report(pool.preparedQuery(BatchCommit.STATEMENT).execute(all)).map(result -> {
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
