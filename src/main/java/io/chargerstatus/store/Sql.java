package io.chargerstatus.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;

/**
 * What the queries of every data owner share: a pool, a deadline per query (a hung database must give a
 * 503 in seconds, not hold every caller), reports to the {@link DatabaseHealth}, and time conversions.
 * Each owner (engine, OCPP side, rules, command log, back office) extends it with its own statements.
 * Methods return failed futures on database errors; callers map them to HTTP or OCPP errors.
 */
public abstract class Sql {
    /** PostgreSQL's unique_violation SQLSTATE. */
    public static final String UNIQUE_VIOLATION = "23505";
    /** PostgreSQL's foreign_key_violation SQLSTATE. */
    public static final String FOREIGN_KEY_VIOLATION = "23503";

    /** A pool, the deadline of its queries and the health they report to. */
    public record Access(Pool pool, DatabaseHealth health, long timeoutMillis) {}

    protected final Pool pool;
    private final DatabaseHealth health;
    private final long timeoutMillis;

    protected Sql(Access access) {
        this.pool = access.pool();
        this.health = access.health();
        this.timeoutMillis = access.timeoutMillis();
    }

    /** Whether the database answers. */
    public Future<Void> ping() {
        return exec("SELECT 1").mapEmpty();
    }

    protected Future<RowSet<Row>> exec(String sql, Tuple args) {
        return guard(pool.preparedQuery(sql).execute(args));
    }

    protected Future<RowSet<Row>> exec(String sql) {
        return guard(pool.query(sql).execute());
    }

    private <T> Future<T> guard(Future<T> query) {
        return report(query.timeout(timeoutMillis, TimeUnit.MILLISECONDS));
    }

    /** Reports the outcome of a query that has no deadline of its own (the engine's commit). */
    protected <T> Future<T> report(Future<T> query) {
        return query.andThen(ar -> {
            if (ar.succeeded()) {
                health.reached();
            } else {
                health.failed(ar.cause());
            }
        });
    }

    protected static Instant instant(Row r, String column) {
        OffsetDateTime t = r.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }

    protected static String iso(Row r, String column) {
        Instant t = instant(r, column);
        return t == null ? null : t.toString();
    }

    protected static OffsetDateTime odt(Instant t) {
        return t == null ? null : t.atOffset(ZoneOffset.UTC);
    }
}
