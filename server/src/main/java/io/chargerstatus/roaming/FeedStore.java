package io.chargerstatus.roaming;

import io.chargerstatus.status.ChargerPorts;
import io.chargerstatus.store.Sql;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a partner is owed, read by its push ({@link PartnerFeed}): the status events and static data changes
 * after its cursors, the ports it already knows, and the pruning of changes every partner has passed.
 */
final class FeedStore extends Sql {
    FeedStore(Sql.Access access) {
        super(access);
    }

    private List<Row> rows(RowSet<Row> set) {
        List<Row> out = new ArrayList<>(set.size());
        set.forEach(out::add);
        return out;
    }

    Future<List<Row>> eventsAfter(String accountId, long after, int limit) {
        return exec(
                        "SELECT * FROM status_events WHERE account_id = $1 AND seq > $2 AND applied ORDER BY seq"
                                + " LIMIT $3",
                        Tuple.of(accountId, after, limit))
                .map(this::rows);
    }

    /** Static data changes after {@code after}; with {@code bound}, only those made before event bound+1. */
    Future<List<Row>> changesAfter(String accountId, long after, Long bound, int limit) {
        return exec(
                        "SELECT * FROM ocpi_changes WHERE account_id = $1 AND id > $2 AND ($3::bigint IS NULL OR"
                                + " last_seq <= $3) ORDER BY id LIMIT $4",
                        Tuple.of(accountId, after, bound, limit))
                .map(this::rows);
    }

    /**
     * The ports of these chargers as of history position {@code seq}: the last applied event of each
     * connector (and of the charger itself) up to there.
     */
    Future<Map<String, ChargerPorts>> seed(Set<String> chargerIds, long seq) {
        if (chargerIds.isEmpty()) {
            return Future.succeededFuture(Map.of());
        }
        return exec("""
          SELECT c.id AS charger, e.* FROM unnest($1::text[]) AS c(id)
          CROSS JOIN LATERAL (
            SELECT DISTINCT ON (connector_id) seq, status, connector_id, connector_status, ocpp_status, fault_code
            FROM status_events WHERE charger_id = c.id AND seq <= $2 AND applied
            ORDER BY connector_id, seq DESC) e
          ORDER BY c.id, e.seq""", Tuple.of(chargerIds.toArray(String[]::new), seq)).map(rows -> {
            Map<String, ChargerPorts> out = new HashMap<>();
            for (String id : chargerIds) {
                out.put(id, new ChargerPorts());
            }
            // In seq order, so that the charger-level status left is the last one.
            rows.forEach(r -> out.get(r.getString("charger"))
                    .apply(
                            r.getString("status"),
                            r.getInteger("connector_id"),
                            r.getString("connector_status"),
                            r.getString("ocpp_status"),
                            r.getString("fault_code")));
            return out;
        });
    }

    /** The ports of these chargers that a partner knows: with static data, at a site that can be published. */
    Future<Map<String, List<Integer>>> publishablePorts(Set<String> chargerIds) {
        if (chargerIds.isEmpty()) {
            return Future.succeededFuture(Map.of());
        }
        return exec("""
          SELECT ps.charger_id, ps.connector_id FROM port_static ps
          JOIN chargers c ON c.id = ps.charger_id
          JOIN sites s ON s.account_id = c.account_id AND s.id = c.site_id
          WHERE ps.charger_id = ANY($1) AND s.address IS NOT NULL AND s.city IS NOT NULL AND s.country IS NOT NULL
            AND s.latitude IS NOT NULL AND s.longitude IS NOT NULL
          ORDER BY ps.charger_id, ps.connector_id""", Tuple.of((Object) chargerIds.toArray(String[]::new))).map(rows -> {
            Map<String, List<Integer>> out = new HashMap<>();
            rows.forEach(r -> out.computeIfAbsent(r.getString("charger_id"), k -> new ArrayList<>())
                    .add(r.getInteger("connector_id")));
            return out;
        });
    }

    /**
     * Static data changes every partner has passed (a partner registering later starts after the newest), so
     * that ocpi_changes stays as short as the slowest partner's backlog.
     */
    Future<Void> pruneChanges() {
        return exec("""
          DELETE FROM ocpi_changes WHERE id <= coalesce(
            (SELECT min(incident_seq) FROM webhooks WHERE url LIKE 'ocpi:%'),
            (SELECT max(id) FROM ocpi_changes))""").mapEmpty();
    }
}
