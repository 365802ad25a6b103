package io.chargerstatus.engine;

import io.chargerstatus.infra.Config;
import io.chargerstatus.store.HistoryPartitions;
import io.chargerstatus.store.Sql;
import io.chargerstatus.store.Wiring;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the history's monthly partitions (migration V10, docs/uptime.md): makes the months ahead of the
 * service's clock, gives rows that fell into the default partition (a clock far off) a month of their own,
 * and drops whole months older than HISTORY_RETENTION_DAYS. Every instance runs it; a PostgreSQL advisory
 * lock lets one at a time do the work, and every step is idempotent, so a killed instance leaves nothing
 * half done that the next run does not finish.
 *
 * <p>Dropping a month detaches it first, which needs a short exclusive lock on the history: it waits at most
 * {@link #LOCK_TIMEOUT} behind running queries (the status engine's commits queue behind a waiting lock, so
 * the wait is bounded, not the lock's absence) and otherwise tries again at the next run.
 */
public final class HistoryMaintenance extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(HistoryMaintenance.class);
    /** Any constant shared by the instances: the key of the advisory lock. */
    private static final long LOCK_KEY = 0x63735f68697374L; // "cs_hist"

    static final String LOCK_TIMEOUT = HistoryPartitions.LOCK_TIMEOUT;
    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("yyyyMM");

    private final Wiring wiring;
    private final Config.History settings;
    private final Clock clock;
    private Store store;
    private long timer;
    private boolean running;

    public HistoryMaintenance(Wiring wiring, Config.History settings) {
        this.wiring = wiring;
        this.settings = settings;
        this.clock = wiring.clock();
    }

    @Override
    public Future<?> start() {
        store = new Store(wiring.sql(vertx, 1));
        vertx.runOnContext(v -> run());
        timer = vertx.setPeriodic(settings.maintenanceMs(), t -> run());
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        vertx.cancelTimer(timer);
        return Future.succeededFuture();
    }

    private void run() {
        if (running) {
            return;
        }
        running = true;
        store.maintain(clock.instant()).onComplete(ar -> {
            running = false;
            if (ar.failed()) {
                LOG.warn("history maintenance failed, tried again in " + settings.maintenanceMs() + " ms: "
                        + ar.cause().getMessage());
            }
        });
    }

    static String partition(YearMonth month) {
        return HistoryPartitions.partition(month);
    }

    private static String bound(YearMonth month) {
        return month.atDay(1).atStartOfDay().atOffset(ZoneOffset.UTC).toString();
    }

    /** The SQL of the maintenance, on one connection of its own (the advisory lock is the session's). */
    private final class Store extends Sql {
        Store(Sql.Access access) {
            super(access);
        }

        Future<Void> maintain(Instant now) {
            return pool.withConnection(conn -> conn.preparedQuery("SELECT pg_try_advisory_lock($1) AS locked")
                    .execute(Tuple.of(LOCK_KEY))
                    .compose(rows -> {
                        if (!rows.iterator().next().getBoolean("locked")) {
                            return Future.succeededFuture(); // another instance is at it
                        }
                        return work(conn, now)
                                .eventually(() -> conn.preparedQuery("SELECT pg_advisory_unlock($1)")
                                        .execute(Tuple.of(LOCK_KEY)));
                    }));
        }

        private Future<Void> work(SqlConnection conn, Instant now) {
            YearMonth current = YearMonth.from(now.atOffset(ZoneOffset.UTC));
            Future<List<YearMonth>> existing = conn.query("SELECT c.relname FROM pg_inherits i"
                            + " JOIN pg_class c ON c.oid = i.inhrelid"
                            + " WHERE i.inhparent = 'status_events'::regclass AND c.relname LIKE 'status_events_p%'")
                    .execute()
                    .map(rows -> {
                        List<YearMonth> out = new ArrayList<>();
                        for (Row r : rows) {
                            String name = r.getString("relname").substring("status_events_p".length());
                            out.add(YearMonth.parse(name, NAME));
                        }
                        return out;
                    });
            Future<List<YearMonth>> stray = conn.query("SELECT DISTINCT to_char(received_at AT TIME ZONE 'UTC',"
                            + " 'YYYYMM') AS month FROM status_events_default LIMIT 1000")
                    .execute()
                    .map(rows -> {
                        List<YearMonth> out = new ArrayList<>();
                        rows.forEach(r -> out.add(YearMonth.parse(r.getString("month"), NAME)));
                        return out;
                    });
            return Future.all(existing, stray).compose(v -> {
                TreeSet<YearMonth> wanted = new TreeSet<>(stray.result());
                for (int i = 0; i <= settings.monthsAhead(); i++) {
                    wanted.add(current.plusMonths(i));
                }
                wanted.removeAll(existing.result());
                TreeSet<YearMonth> all = new TreeSet<>(existing.result());
                all.addAll(wanted);
                Instant cutoff = now.minusSeconds(86_400L * settings.retentionDays());
                Future<Void> chain = Future.succeededFuture();
                for (YearMonth m : wanted) {
                    chain = chain.compose(x -> create(conn, m));
                }
                for (YearMonth m : all) {
                    Instant end = m.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
                    if (!end.isAfter(cutoff)) {
                        chain = chain.compose(x -> drop(conn, m));
                    }
                }
                // The uptime roll-up's stretches that ended before the retention go with the history.
                return chain.compose(x -> conn.preparedQuery("DELETE FROM port_downs WHERE end_s < $1")
                        .execute(io.vertx.sqlclient.Tuple.of(cutoff.getEpochSecond()))
                        .mapEmpty());
            });
        }

        /**
         * A month as a table of its own, the default partition's rows of that month moved into it, attached:
         * one transaction, so the rows are in exactly one of the two whatever happens.
         */
        private Future<Void> create(SqlConnection conn, YearMonth m) {
            String name = partition(m);
            String from = bound(m);
            String to = bound(m.plusMonths(1));
            return conn.begin()
                    .compose(tx -> conn.query("CREATE TABLE IF NOT EXISTS " + name
                                    + " (LIKE status_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
                            .execute()
                            .compose(v -> conn.query("WITH moved AS (DELETE FROM status_events_default"
                                            + " WHERE received_at >= '" + from + "' AND received_at < '" + to
                                            + "' RETURNING *) INSERT INTO " + name + " SELECT * FROM moved")
                                    .execute())
                            .compose(moved -> conn.query("ALTER TABLE status_events ATTACH PARTITION " + name
                                            + " FOR VALUES FROM ('" + from + "') TO ('" + to + "')")
                                    .execute()
                                    .map(moved.rowCount()))
                            .compose(moved -> tx.commit().map(moved))
                            .onFailure(e -> tx.rollback()))
                    .map(moved -> {
                        LOG.info("history partition " + name + " made"
                                + (moved > 0 ? ", " + moved + " rows moved into it from the default partition" : ""));
                        return null;
                    });
        }

        private Future<Void> drop(SqlConnection conn, YearMonth m) {
            String name = partition(m);
            long start = System.nanoTime();
            return conn.begin()
                    .compose(tx -> {
                        Future<Void> chain = Future.succeededFuture();
                        for (String statement : HistoryPartitions.dropStatements(name)) {
                            chain = chain.compose(
                                    v -> conn.query(statement).execute().mapEmpty());
                        }
                        return chain.compose(v -> tx.commit()).onFailure(e -> tx.rollback());
                    })
                    .map(v -> {
                        LOG.info("history partition " + name + " dropped in " + (System.nanoTime() - start) / 1_000_000
                                + " ms (older than " + settings.retentionDays() + " days, HISTORY_RETENTION_DAYS)");
                        return null;
                    });
        }
    }
}
