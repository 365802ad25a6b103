package io.chargerstatus.store;

import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.io.IOException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the database answers, as every verticle sees it. Thread-safe: the OCPP, status and HTTP
 * verticles report into one instance from their own event loops.
 *
 * <p>An outage is logged twice, once when the first query fails for want of a database and once when one
 * succeeds again, however many queries fail in between (a stopped database used to log 2,000 lines in 20
 * seconds and nothing on recovery).
 */
public final class DatabaseHealth {
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseHealth.class);

    private final AtomicLong downSinceMillis = new AtomicLong();

    /** A query refused without being sent, because the database is known to be away. No stack trace. */
    public static final class Unavailable extends RuntimeException {
        public Unavailable() {
            super("the database is unavailable", null, false, false);
        }
    }

    /** Whether the database answered the last query or probe that finished. */
    public boolean up() {
        return downSinceMillis.get() == 0;
    }

    /** A query succeeded: the database is there. */
    public void reached() {
        if (downSinceMillis.get() == 0) {
            return; // the usual case, on every query of every event loop: a read, no write
        }
        long since = downSinceMillis.getAndSet(0);
        if (since != 0) {
            LOG.info("database reachable again after " + (System.currentTimeMillis() - since) / 1000.0 + " s");
        }
    }

    /** A query failed; counts as an outage only when {@link #unavailable} says the database was not there. */
    public void failed(Throwable cause) {
        if (unavailable(cause) && downSinceMillis.compareAndSet(0, System.currentTimeMillis())) {
            LOG.warn("database unavailable: " + cause);
        }
    }

    /**
     * Whether a failure means "no database" (connection refused or lost, no answer in time, the server
     * shutting down) rather than "this statement is wrong" (a constraint, a bad value).
     */
    public static boolean unavailable(Throwable cause) {
        if (cause instanceof io.vertx.core.json.DecodeException) {
            return false; // JSON that did not decode (its cause is Jackson's, an IOException): our bug, not the
            // database
        }
        if (cause instanceof PgException pg) {
            String state = pg.getSqlState() == null ? "" : pg.getSqlState();
            // 08: connection exception; 57P0x: admin/crash shutdown, cannot connect now; 53: insufficient resources.
            return state.startsWith("08") || state.startsWith("57P") || state.startsWith("53");
        }
        if (cause instanceof VertxException
                && String.valueOf(cause.getMessage()).startsWith("Timeout waiting for connection")) {
            return true; // the pool's own deadline: every connection is held by queries the database does not answer
        }
        return cause instanceof Unavailable
                || cause instanceof TimeoutException
                || cause instanceof ClosedConnectionException
                || cause instanceof IOException
                || cause instanceof ConnectTimeoutException
                || (cause != null && cause.getCause() instanceof IOException);
    }
}
