package io.chargerstatus.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

/**
 * The cursor of a follower of the history that one instance of a cluster runs at a time (the incident
 * evaluator, the uptime roll-up): a one-row table {@code (id = 1, last_seq, owner, lease_until)}. The row is
 * locked for the transaction that reads the history after it and writes what follows from it; the lease
 * tells the other instances to leave it alone while its holder lives.
 */
public final class LeasedCursor {
    /** The cursor as read under its row lock: its position, who holds it, and whether the lease still runs. */
    public record Cursor(long lastSeq, String owner, boolean held) {}

    private final String table;

    /** {@code table}: one of the service's own cursor tables, never a caller's input. */
    public LeasedCursor(String table) {
        this.table = table;
    }

    public Future<Cursor> lock(SqlConnection conn) {
        return conn.query("SELECT last_seq, owner, coalesce(lease_until > now(), false) AS held FROM " + table
                        + " WHERE id = 1 FOR UPDATE")
                .execute()
                .map(rows -> {
                    Row r = rows.iterator().next();
                    return new Cursor(r.getLong("last_seq"), r.getString("owner"), r.getBoolean("held"));
                });
    }

    public Future<Void> advance(SqlConnection conn, long lastSeq, String owner, int leaseS) {
        return conn.preparedQuery("UPDATE " + table + " SET last_seq = $1, owner = $2,"
                        + " lease_until = now() + make_interval(secs => $3) WHERE id = 1")
                .execute(Tuple.of(lastSeq, owner, leaseS))
                .mapEmpty();
    }

    /** Gives the lease up (a stopping instance), so that another takes over at once rather than after it. */
    public String releaseSql() {
        return "UPDATE " + table + " SET lease_until = NULL WHERE id = 1 AND owner = $1";
    }
}
