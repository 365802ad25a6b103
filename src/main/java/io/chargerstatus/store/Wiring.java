package io.chargerstatus.store;

import io.chargerstatus.infra.Config;
import io.chargerstatus.infra.Metrics;
import io.chargerstatus.ocpp.ChargerLogins;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

import java.time.Clock;

/**
 * What every verticle is built with: where the data lives, the configuration, the clock (settable in
 * tests), the service's meters, and the charger password checks that all OCPP verticles share.
 */
public record Wiring(Database database, Config config, Clock clock, Metrics metrics, ChargerLogins logins) {

  /**
   * A connection pool for one verticle, on that verticle's event loop. The three verticles each get
   * half of DB_POOL_SIZE (at least 2): the status engine keeps one commit in flight, the others query.
   */
  public Pool pool(Vertx vertx) {
    return database.pool(vertx, Math.max(2, config.dbPoolSize() / 2));
  }

  /** The queries of one verticle, on a pool of its own (see {@link #pool}). */
  public Store store(Vertx vertx) {
    return new Store(pool(vertx), database.health(), database.timeoutS() * 1000L);
  }

  /**
   * A store on a small pool of its own, for work that must not take connections from the rest of its
   * verticle (SSE replays, which would otherwise starve REST and health).
   */
  public Store store(Vertx vertx, int poolSize) {
    return new Store(database.pool(vertx, poolSize), database.health(), database.timeoutS() * 1000L);
  }
}
