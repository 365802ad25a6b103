package io.chargerstatus;

import io.chargerstatus.store.Database;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

import java.time.Clock;

/**
 * What every verticle is built with: where the data lives, the configuration, the clock (settable in
 * tests), and the service's meters.
 */
public record Wiring(Database database, Config config, Clock clock, Metrics metrics) {

  /**
   * A connection pool for one verticle, on that verticle's event loop. The three verticles each get
   * half of DB_POOL_SIZE (at least 2): the status engine keeps one commit in flight, the others query.
   */
  public Pool pool(Vertx vertx) {
    return database.pool(vertx, Math.max(2, config.dbPoolSize() / 2));
  }
}
