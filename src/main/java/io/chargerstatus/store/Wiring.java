package io.chargerstatus.store;

import io.chargerstatus.infra.Config;
import io.chargerstatus.infra.Membership;
import io.chargerstatus.infra.Metrics;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Clock;

/**
 * What every verticle is built with: where the data lives, the configuration, the clock (settable in
 * tests), the service's meters and the cluster this instance belongs to (a cluster of one when alone).
 */
public record Wiring(Database database, Config config, Clock clock, Metrics metrics, Membership membership) {

    /**
     * A connection pool for one verticle, on that verticle's event loop. The three verticles each get
     * half of DB_POOL_SIZE (at least 2): the status engine keeps one commit in flight, the others query.
     */
    public Pool pool(Vertx vertx) {
        return database.pool(vertx, Math.max(2, config.database().poolSize() / 2));
    }

    /** The database access of one verticle, on a pool of its own (see {@link #pool}). */
    public Sql.Access sql(Vertx vertx) {
        return new Sql.Access(pool(vertx), database.health(), Database.QUERY_DEADLINE_S * 1000L);
    }

    /**
     * A store on a small pool of its own, for work that must not take connections from the rest of its
     * verticle (SSE replays, which would otherwise starve REST and health).
     */
    public Sql.Access sql(Vertx vertx, int poolSize) {
        return new Sql.Access(database.pool(vertx, poolSize), database.health(), Database.QUERY_DEADLINE_S * 1000L);
    }
}
