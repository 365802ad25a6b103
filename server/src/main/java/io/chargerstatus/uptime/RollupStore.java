package io.chargerstatus.uptime;

import io.chargerstatus.store.LeasedCursor;
import io.chargerstatus.store.Sql;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The roll-up's SQL: its cursor and lease, the events after it, the lifetimes' states and the stretches. */
final class RollupStore extends Sql {
    RollupStore(Sql.Access access) {
        super(access);
    }

    <T> Future<T> inTransactionOf(java.util.function.Function<SqlConnection, Future<T>> statements) {
        return inTransaction(statements);
    }

    private static final LeasedCursor CURSOR = new LeasedCursor("uptime_rollup");

    /** The roll-up's row, locked for this transaction. */
    Future<LeasedCursor.Cursor> lockCursor(SqlConnection conn) {
        return CURSOR.lock(conn);
    }

    Future<Void> advance(SqlConnection conn, long lastSeq, String owner, int leaseS) {
        return CURSOR.advance(conn, lastSeq, owner, leaseS);
    }

    Future<Void> release(String owner) {
        return exec(CURSOR.releaseSql(), Tuple.of(owner)).mapEmpty();
    }

    /** The events after the cursor, applied or not (the cursor moves past both). */
    Future<List<Row>> events(SqlConnection conn, long after, int limit) {
        return conn.preparedQuery("""
              SELECT seq, charger_id, account_id, status, connector_id, connector_status, ocpp_status, error_code,
                     vendor_error_code, fault_code, ts, applied
              FROM status_events WHERE seq > $1 ORDER BY seq LIMIT $2""").execute(Tuple.of(after, limit)).map(rows -> {
            List<Row> out = new ArrayList<>(rows.size());
            rows.forEach(out::add);
            return out;
        });
    }

    /** Each charger's decommissionings (the history seq each lifetime ended at), oldest first. */
    Future<Map<String, List<Long>>> decommissionings(SqlConnection conn, String[] chargers) {
        return conn.preparedQuery("SELECT charger_id, last_seq FROM decommissioned_chargers WHERE charger_id ="
                        + " ANY($1) ORDER BY charger_id, last_seq")
                .execute(Tuple.of((Object) chargers))
                .map(rows -> {
                    Map<String, List<Long>> out = new HashMap<>();
                    rows.forEach(r -> out.computeIfAbsent(r.getString("charger_id"), k -> new ArrayList<>())
                            .add(r.getLong("last_seq")));
                    return out;
                });
    }

    /** The kept states of these lifetimes ({@code charger|afterSeq}). */
    Future<Map<String, PortRollup>> states(SqlConnection conn, String[] chargers, Long[] afterSeqs) {
        return conn.preparedQuery("""
              SELECT l.charger_id, l.after_seq, l.state::text AS state FROM uptime_lifetimes l
              JOIN unnest($1::text[], $2::bigint[]) AS k(c, a) ON l.charger_id = k.c AND l.after_seq = k.a""")
                .execute(Tuple.of(chargers, (Object) afterSeqs))
                .map(rows -> {
                    Map<String, PortRollup> out = new HashMap<>();
                    rows.forEach(r -> out.put(
                            r.getString("charger_id") + "|" + r.getLong("after_seq"),
                            PortRollup.load(new JsonArray(r.getString("state")).getList())));
                    return out;
                });
    }

    /** One lifetime's state to keep. */
    record Kept(String chargerId, long afterSeq, String accountId, PortRollup state) {}

    /** One stretch to keep (a closed one replaces the open one of the same start). */
    record Stretch(String chargerId, long afterSeq, String accountId, PortRollup.Stretch stretch) {}

    Future<Void> keep(SqlConnection conn, List<Kept> states, List<Stretch> stretches) {
        int n = states.size();
        String[] ids = new String[n];
        Long[] afters = new Long[n];
        String[] accounts = new String[n];
        String[] json = new String[n];
        for (int i = 0; i < n; i++) {
            Kept k = states.get(i);
            ids[i] = k.chargerId();
            afters[i] = k.afterSeq();
            accounts[i] = k.accountId();
            json[i] = new JsonArray(k.state().save()).encode();
        }
        int m = stretches.size();
        String[] sIds = new String[m];
        Long[] sAfters = new Long[m];
        Integer[] ports = new Integer[m];
        Long[] starts = new Long[m];
        Long[] ends = new Long[m];
        String[] statuses = new String[m];
        String[] faults = new String[m];
        String[] sAccounts = new String[m];
        for (int i = 0; i < m; i++) {
            Stretch s = stretches.get(i);
            sIds[i] = s.chargerId();
            sAfters[i] = s.afterSeq();
            ports[i] = s.stretch().port();
            starts[i] = s.stretch().start();
            ends[i] = s.stretch().end();
            statuses[i] = s.stretch().status();
            faults[i] = s.stretch().faultCode();
            sAccounts[i] = s.accountId();
        }
        return conn.preparedQuery("""
              INSERT INTO uptime_lifetimes (charger_id, after_seq, account_id, state)
              SELECT c, a, acc, s::jsonb FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[]) AS t(c, a, acc, s)
              ON CONFLICT (charger_id, after_seq) DO UPDATE SET state = excluded.state""")
                .execute(Tuple.of(ids, afters, accounts, json))
                .compose(v -> m == 0
                        ? Future.succeededFuture()
                        : conn.preparedQuery("""
                              INSERT INTO port_downs (charger_id, after_seq, connector_id, start_s, end_s, status,
                                                      fault_code, account_id)
                              SELECT * FROM unnest($1::text[], $2::bigint[], $3::int[], $4::bigint[], $5::bigint[],
                                                   $6::text[], $7::text[], $8::text[])
                              ON CONFLICT (charger_id, after_seq, connector_id, start_s) DO UPDATE
                                SET end_s = excluded.end_s, status = excluded.status, fault_code = excluded.fault_code""")
                                .execute(Tuple.from(
                                        new Object[] {sIds, sAfters, ports, starts, ends, statuses, faults, sAccounts}))
                                .mapEmpty())
                .mapEmpty();
    }
}
