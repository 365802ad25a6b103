package io.chargerstatus.store;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * Where the data lives: the PostgreSQL named by {@code PG_URL}, or an embedded one under the data
 * directory when none is given. Migrations run here, on the caller's thread, before any verticle is
 * deployed, so that no event loop ever waits for them.
 */
public final class Database implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Database.class.getName());

  private final PgConnectOptions connectOptions;
  private final EmbeddedPostgres embedded;

  private Database(PgConnectOptions connectOptions, EmbeddedPostgres embedded) {
    this.connectOptions = connectOptions;
    this.embedded = embedded;
  }

  /** Connects to {@code pgUrl} (or starts the embedded server) and migrates the schema. Blocking. */
  public static Database open(String pgUrl, String dataDir) {
    EmbeddedPostgres embedded = null;
    String url = pgUrl;
    if (url == null) {
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
    return new Database(options, embedded);
  }

  private static EmbeddedPostgres startEmbedded(Path dir) {
    try {
      Files.createDirectories(dir);
      LOG.info("PG_URL is not set: starting an embedded PostgreSQL with its data under " + dir.toAbsolutePath());
      return EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the embedded PostgreSQL under " + dir, e);
    }
  }

  /** A reactive pool for one verticle; each verticle has its own so that its connections stay on its event loop. */
  public Pool pool(Vertx vertx, int size) {
    return PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(size))
        .connectingTo(new PgConnectOptions(connectOptions).setPipeliningLimit(256).setCachePreparedStatements(true))
        .using(vertx)
        .build();
  }

  @Override
  public void close() {
    if (embedded != null) {
      try {
        embedded.close();
      } catch (IOException e) {
        LOG.warning("embedded PostgreSQL did not stop cleanly: " + e.getMessage());
      }
    }
  }
}
