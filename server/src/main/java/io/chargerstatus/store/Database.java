package io.chargerstatus.store;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the data lives: the PostgreSQL named by {@code PG_URL}, or an embedded one under the data
 * directory when none is given. Migrations run here, on the caller's thread, before any verticle is
 * deployed, so that no event loop ever waits for them.
 */
public final class Database implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    private final PgConnectOptions connectOptions;
    private final EmbeddedPostgres embedded;
    private final DatabaseHealth health = new DatabaseHealth();
    private final int timeoutS;

    /**
     * The most a query may wait for a connection and an answer. Generous on purpose: during a reconnect storm
     * on a saturated machine thousands of look-ups queue for seconds, and failing them only makes chargers
     * reconnect again. A database that is away is noticed by the watchdog within DB_TIMEOUT_S instead, and
     * from then on queries fail at once.
     */
    public static final int QUERY_DEADLINE_S = 60;

    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);

    /** The longest the embedded server waits at exit for the service to stop first (SHUTDOWN_DEADLINE_S and more). */
    private static final Duration SERVICE_SHUTDOWN_MAX = Duration.ofSeconds(90);

    private Database(PgConnectOptions connectOptions, EmbeddedPostgres embedded, int timeoutS) {
        this.connectOptions = connectOptions;
        this.embedded = embedded;
        this.timeoutS = timeoutS;
        if (embedded != null) {
            stopAtExit(SERVICE_SHUTDOWN_MAX);
        }
    }

    /**
     * Connects to {@code pgUrl} (or starts the embedded server) and migrates the schema. Blocking.
     * {@code timeoutS} (DB_TIMEOUT_S) is how long the database may take to answer the watchdog's probe or a
     * commit before it counts as unavailable; it also bounds connecting. Queries themselves get the generous
     * {@link #QUERY_DEADLINE_S}. Not bounding every query but the status
     * engine's commit.
     */
    public static Database open(String pgUrl, String dataDir, int timeoutS) {
        EmbeddedPostgres embedded = null;
        String url = pgUrl;
        if (url == null) {
            if (Database.class.getClassLoader().getResource("io/zonky/test/db/postgres/embedded/EmbeddedPostgres.class")
                    == null) {
                throw new Unavailable("PG_URL is required: this build (the server jar) has no embedded PostgreSQL");
            }
            embedded = startEmbedded(Path.of(dataDir, "postgres"));
            url = "postgresql://postgres@localhost:" + embedded.getPort() + "/postgres";
        }
        PgConnectOptions options = PgConnectOptions.fromUri(url);
        Database database = new Database(options, embedded, timeoutS);
        String where = options.getHost() + ":" + options.getPort() + "/" + options.getDatabase();
        try {
            Flyway flyway = Flyway.configure()
                    .dataSource("jdbc:postgresql://" + where, options.getUser(), options.getPassword())
                    .locations("classpath:db/migration")
                    .load();
            MigrateResult migrated = flyway.migrate();
            LOG.info("database " + where + " at schema version "
                    + flyway.info().current().getVersion() + " (" + migrated.migrationsExecuted
                    + " migrations applied now)");
        } catch (RuntimeException e) {
            database.close();
            // The JDBC driver's own message says what is wrong ("database "x" does not exist", "Connection to
            // host:port refused", "password authentication failed"); Flyway wraps it in 30 lines.
            throw new Unavailable("cannot use the database " + where + " (PG_URL): " + rootMessage(e));
        }
        return database;
    }

    /** The database cannot be used; said in one line (the settings it names), no stack trace. */
    public static final class Unavailable extends IllegalStateException {
        public Unavailable(String message) {
            super(message, null);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.lines().findFirst().orElse(message).trim();
    }

    private static EmbeddedPostgres startEmbedded(Path dir) {
        try {
            Files.createDirectories(dir);
            // zonky's defaults are made for throw-away test databases (fsync, synchronous_commit and
            // full_page_writes off): a power cut could lose statuses that chargers were told were stored.
            // Its own shutdown hook is off: it stopped the database while the service was still draining
            // (SIGTERM took the whole deadline and the chargers' Offline was lost). close() stops it, after the
            // service; the hook below does when nothing else will (a failed start, an exit without a service).
            EmbeddedPostgres started = EmbeddedPostgres.builder()
                    .setDataDirectory(dir)
                    .setCleanDataDirectory(false)
                    .setRegisterShutdownHook(false)
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on")
                    .start();
            // One line for what initdb and the server print line by line (their loggers are at WARN).
            LOG.info("embedded PostgreSQL ready on 127.0.0.1:" + started.getPort() + ", data under "
                    + dir.toAbsolutePath());
            return started;
        } catch (IOException | RuntimeException e) {
            String why = rootMessage(e);
            throw new Unavailable("cannot start the embedded PostgreSQL under " + dir + ": " + why
                    + (why.contains("lock")
                            ? " (is another charger-status using DATA_DIR " + dir.getParent() + "?)"
                            : ""));
        }
    }

    /** The database server's host name. */
    public String host() {
        return connectOptions.getHost();
    }

    /** The database server's port. */
    public int port() {
        return connectOptions.getPort();
    }

    /** What every verticle's queries report to: whether the database is there. */
    public DatabaseHealth health() {
        return health;
    }

    /** The longest statement each connection keeps prepared (the client's default is 2,048 characters). */
    public static final int STATEMENT_CACHE_SQL_LIMIT = 16_384;

    /** The deadline of a query, in seconds. */
    public int timeoutS() {
        return timeoutS;
    }

    /**
     * A reactive pool for one verticle; each verticle has its own so that its connections stay on its event
     * loop. Waiting for a connection is bounded in time, generously (see {@link #QUERY_DEADLINE_S}), not in
     * number: a reconnect storm queues thousands of look-ups for a moment, and a cap refused them.
     */
    public Pool pool(Vertx vertx, int size) {
        return pool(vertx, size, Map.of());
    }

    /** A pool whose sessions start with these planner settings (PostgreSQL GUCs) on top of the service's. */
    public Pool pool(Vertx vertx, int size, Map<String, String> settings) {
        PgConnectOptions options = new PgConnectOptions(connectOptions)
                // The rows the service touches (chargers, connectors, recent history) stay in memory: a
                // random page is not four times a sequential one. At the default 4 the planner updated a
                // batch's few hundred chargers by scanning every charger (bench/pg-profile.sh).
                .addProperty("random_page_cost", "1.1")
                .setPipeliningLimit(256)
                .setCachePreparedStatements(true)
                // The client caches statements up to 2,048 characters by default; the engine's batch statement
                // is longer, and was parsed, planned and closed again for every batch.
                .setPreparedStatementCacheSqlLimit(STATEMENT_CACHE_SQL_LIMIT);
        settings.forEach(options::addProperty);
        return PgBuilder.pool()
                .with(new PoolOptions()
                        .setMaxSize(size)
                        .setConnectionTimeout(QUERY_DEADLINE_S)
                        .setConnectionTimeoutUnit(TimeUnit.SECONDS))
                .with(new NetClientOptions().setConnectTimeout(timeoutS * 1000).setTcpKeepAlive(true))
                .connectingTo(options)
                .using(vertx)
                .build();
    }

    /** Stops the embedded server, if this process started one. Idempotent; called after the service has stopped. */
    @Override
    public void close() {
        if (embedded != null && closed.compareAndSet(false, true)) {
            try {
                embedded.close();
            } catch (IOException e) {
                LOG.warn("embedded PostgreSQL did not stop cleanly: " + e.getMessage());
            } finally {
                stopped.countDown();
            }
        }
    }

    /**
     * The embedded server's last resort: a JVM shutdown hook that waits for the service's own shutdown (its hook
     * runs at the same time and calls {@link #close} when it is done) and stops the server if no one did, so
     * that no postgres process outlives the JVM.
     */
    private void stopAtExit(Duration serviceShutdown) {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            try {
                                stopped.await(serviceShutdown.toMillis(), TimeUnit.MILLISECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            close();
                        },
                        "embedded-postgres-stop"));
    }
}
