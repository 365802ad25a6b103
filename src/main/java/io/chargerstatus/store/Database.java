package io.chargerstatus.store;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
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

    private Database(PgConnectOptions connectOptions, EmbeddedPostgres embedded, int timeoutS) {
        this.connectOptions = connectOptions;
        this.embedded = embedded;
        this.timeoutS = timeoutS;
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
                throw new IllegalStateException(
                        "PG_URL is required: this build (the server jar) has no embedded PostgreSQL");
            }
            embedded = startEmbedded(Path.of(dataDir, "postgres"));
            url = "postgresql://postgres@localhost:" + embedded.getPort() + "/postgres";
        }
        PgConnectOptions options = PgConnectOptions.fromUri(url);
        String jdbc = "jdbc:postgresql://" + options.getHost() + ":" + options.getPort() + "/" + options.getDatabase();
        Flyway.configure()
                .dataSource(jdbc, options.getUser(), options.getPassword())
                .locations("classpath:db/migration")
                .load()
                .migrate();
        return new Database(options, embedded, timeoutS);
    }

    private static EmbeddedPostgres startEmbedded(Path dir) {
        try {
            Files.createDirectories(dir);
            // zonky's defaults are made for throw-away test databases (fsync, synchronous_commit and
            // full_page_writes off): a power cut could lose statuses that chargers were told were stored.
            EmbeddedPostgres started = EmbeddedPostgres.builder()
                    .setDataDirectory(dir)
                    .setCleanDataDirectory(false)
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on")
                    .start();
            // One line for what initdb and the server print line by line (their loggers are at WARN).
            LOG.info("embedded PostgreSQL ready on 127.0.0.1:" + started.getPort() + ", data under "
                    + dir.toAbsolutePath());
            return started;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded PostgreSQL under " + dir, e);
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

    @Override
    public void close() {
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException e) {
                LOG.warn("embedded PostgreSQL did not stop cleanly: " + e.getMessage());
            }
        }
    }
}
