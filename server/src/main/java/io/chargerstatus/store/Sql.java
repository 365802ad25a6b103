package io.chargerstatus.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the queries of every data owner share: a pool, a deadline per query (a hung database must give a
 * 503 at once, not hold every caller), reports to the {@link DatabaseHealth}, and time conversions.
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

    /**
     * Asks the database whether it answers within {@code deadlineMillis}, even while it is known to be away
     * (how the {@link DatabaseHealth} learns that it is back).
     */
    public Future<Void> probe(long deadlineMillis) {
        return report(pool.query("SELECT 1").execute().timeout(deadlineMillis, TimeUnit.MILLISECONDS))
                .mapEmpty();
    }

    protected Future<RowSet<Row>> exec(String sql, Tuple args) {
        return guard(() -> pool.preparedQuery(sql).execute(args));
    }

    /** Statements in one transaction, under the same deadline and health rules as a single query. */
    protected <T> Future<T> inTransaction(Function<SqlConnection, Future<T>> statements) {
        return guard(() -> pool.withTransaction(statements));
    }

    protected Future<RowSet<Row>> exec(String sql) {
        return guard(() -> pool.query(sql).execute());
    }

    /**
     * While the database is known to be away, a query fails at once (a 503, an upgrade refused) instead of
     * waiting; otherwise it may wait for a connection and an answer up to its generous deadline, so that a
     * reconnect storm on a saturated machine queues rather than fails.
     */
    private <T> Future<T> guard(Supplier<Future<T>> query) {
        if (!health.up()) {
            return Future.failedFuture(new DatabaseHealth.Unavailable());
        }
        return report(query.get().timeout(timeoutMillis, TimeUnit.MILLISECONDS));
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
        return utc(t);
    }

    /**
     * An instant as the PostgreSQL client binds a timestamptz. Not {@code Instant.atOffset(UTC)}: on Java 17
     * that builds a new {@code ZoneRules} for every call (a measured share of the engine's CPU under load);
     * the local date-time at offset 0 is the same value without it.
     */
    public static OffsetDateTime utc(Instant t) {
        return t == null
                ? null
                : OffsetDateTime.of(
                        LocalDateTime.ofEpochSecond(t.getEpochSecond(), t.getNano(), ZoneOffset.UTC), ZoneOffset.UTC);
    }

    /** Each row as a JSON object, in order. */
    protected static JsonArray collect(RowSet<Row> rows, Function<Row, JsonObject> f) {
        JsonArray out = new JsonArray();
        rows.forEach(r -> out.add(f.apply(r)));
        return out;
    }
}
