package io.chargerstatus.store;

import io.chargerstatus.infra.Config;
import io.chargerstatus.infra.Membership;
import io.chargerstatus.infra.Metrics;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.Map;

/**
 * What every verticle is built with besides its own settings (which each verticle's constructor takes as
 * its configuration groups, so that none reads the whole configuration): its database pool, the clock
 * (settable in tests), the service's meters and the cluster this instance belongs to (a cluster of one when
 * alone). {@code config} sizes the pools.
 */
public record Wiring(Database database, Config config, Clock clock, Metrics metrics, Membership membership) {

    /**
     * A connection pool for one verticle, on that verticle's event loop. The three verticles each get
     * half of DB_POOL_SIZE (at least 2): the status engine keeps one commit in flight, the others query.
     */
    public Pool pool(Vertx vertx) {
        return database.pool(vertx, verticlePoolSize());
    }

    private int verticlePoolSize() {
        return Math.max(2, config.database().poolSize() / 2);
    }

    /** The database access of one verticle, on a pool of its own (see {@link #pool}). */
    public Sql.Access sql(Vertx vertx) {
        return access(pool(vertx));
    }

    private Sql.Access access(Pool pool) {
        return new Sql.Access(pool, database.health(), Database.QUERY_DEADLINE_S * 1000L);
    }

    /**
     * The status engine's database access. Its statements are few and always the same, keyed lookups and
     * writes by primary key, so it plans each once (a generic plan, kept per connection) instead of for
     * every batch: planning the batch statement cost PostgreSQL ~0.3 ms per batch. Sequential scans are
     * off for these sessions because a generic plan made while a table is still small (a fresh database's
     * first batch) would otherwise scan it for ever after; every statement here has an index to use.
     */
    public Sql.Access engineSql(Vertx vertx) {
        return access(database.pool(
                vertx, verticlePoolSize(), Map.of("plan_cache_mode", "force_generic_plan", "enable_seqscan", "off")));
    }

    /**
     * A store on a small pool of its own, for work that must not take connections from the rest of its
     * verticle (SSE replays, which would otherwise starve REST and health).
     */
    public Sql.Access sql(Vertx vertx, int poolSize) {
        return access(database.pool(vertx, poolSize));
    }
}
