package io.chargerstatus.uptime;

import io.chargerstatus.infra.Config;
import io.chargerstatus.store.CursorFollower;
import io.chargerstatus.store.Wiring;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The uptime roll-up: follows the history after its cursor and keeps each charger lifetime's port down
 * stretches ({@code port_downs}) and roll-up state ({@code uptime_lifetimes}), written with the cursor in one
 * transaction. One instance of a cluster does it at a time: the one holding the row lock and lease of
 * {@code uptime_rollup} (as the incident evaluator). A report reads the stretches of its range and applies
 * only the events after the cursor, so it is exact whether the roll-up is current or behind.
 */
public final class UptimeRollup extends CursorFollower {
    private static final Logger LOG = LoggerFactory.getLogger(UptimeRollup.class);
    private static final int LEASE_S = 15;

    private final Wiring wiring;
    private final Config.History settings;
    private RollupStore store;
    private String me;

    public UptimeRollup(Wiring wiring, Config.History settings) {
        super(settings.rollupTickMs());
        this.wiring = wiring;
        this.settings = settings;
    }

    @Override
    protected void prepare() {
        store = new RollupStore(wiring.sql(vertx, 2));
        me = wiring.membership().nodeId();
    }

    @Override
    protected Future<?> release() {
        return store.release(me);
    }

    @Override
    protected void failed(Throwable cause) {
        LOG.warn("uptime roll-up step failed, again at the next tick: " + cause.getMessage());
    }

    /** One batch; true when it was full. */
    @Override
    protected Future<Boolean> step() {
        return store.inTransactionOf(conn -> store.lockCursor(conn).compose(c -> {
            if (c.held() && !me.equals(c.owner())) {
                leader = false;
                return Future.succeededFuture(false);
            }
            if (!leader) {
                LOG.info("uptime roll-up runs on this instance from history seq " + c.lastSeq());
                leader = true;
            }
            return store.events(conn, c.lastSeq(), settings.rollupBatchMax())
                    .compose(
                            events -> apply(conn, c.lastSeq(), events).map(events.size() >= settings.rollupBatchMax()));
        }));
    }

    private Future<Void> apply(SqlConnection conn, long cursor, List<Row> events) {
        if (events.isEmpty()) {
            return store.advance(conn, cursor, me, LEASE_S);
        }
        long last = events.get(events.size() - 1).getLong("seq");
        Set<String> chargers = new LinkedHashSet<>();
        events.forEach(e -> chargers.add(e.getString("charger_id")));
        return store.decommissionings(conn, chargers.toArray(String[]::new)).compose(ends -> {
            // Each applied event's lifetime: after the charger's last decommissioning before it.
            List<String> keys = new ArrayList<>();
            List<Long> afters = new ArrayList<>();
            for (Row e : events) {
                afters.add(afterSeq(ends.getOrDefault(e.getString("charger_id"), List.of()), e.getLong("seq")));
            }
            Map<String, String[]> lifetimes = new LinkedHashMap<>(); // key -> {charger, afterSeq, account}
            for (int i = 0; i < events.size(); i++) {
                Row e = events.get(i);
                if (!e.getBoolean("applied")) {
                    continue;
                }
                String key = e.getString("charger_id") + "|" + afters.get(i);
                keys.add(key);
                lifetimes.putIfAbsent(key, new String[] {
                    e.getString("charger_id"), String.valueOf(afters.get(i)), e.getString("account_id")
                });
            }
            String[] ids = lifetimes.values().stream().map(l -> l[0]).toArray(String[]::new);
            Long[] afterSeqs =
                    lifetimes.values().stream().map(l -> Long.valueOf(l[1])).toArray(Long[]::new);
            return store.states(conn, ids, afterSeqs).compose(states -> {
                Map<String, RollupStore.Stretch> stretches = new LinkedHashMap<>();
                for (int i = 0; i < events.size(); i++) {
                    Row e = events.get(i);
                    if (!e.getBoolean("applied")) {
                        continue;
                    }
                    String key = e.getString("charger_id") + "|" + afters.get(i);
                    String[] life = lifetimes.get(key);
                    PortRollup state = states.computeIfAbsent(key, k -> new PortRollup());
                    for (PortRollup.Stretch s : state.apply(UptimeStore.event(e))) {
                        // Within a batch the last word on a stretch is kept (a close after the open).
                        stretches.remove(key + "|" + s.port() + "|" + s.start());
                        stretches.put(
                                key + "|" + s.port() + "|" + s.start(),
                                new RollupStore.Stretch(life[0], Long.parseLong(life[1]), life[2], s));
                    }
                }
                List<RollupStore.Kept> kept = new ArrayList<>();
                lifetimes.forEach((key, life) -> {
                    PortRollup state = states.get(key);
                    if (state != null) {
                        kept.add(new RollupStore.Kept(life[0], Long.parseLong(life[1]), life[2], state));
                    }
                });
                return store.keep(conn, kept, new ArrayList<>(stretches.values()))
                        .compose(v -> store.advance(conn, last, me, LEASE_S));
            });
        });
    }

    /** The lifetime of an event at {@code seq}: the last decommissioning before it (0: the first lifetime). */
    static long afterSeq(List<Long> decommissionings, long seq) {
        long after = 0;
        for (long d : decommissionings) {
            if (d < seq) {
                after = d;
            }
        }
        return after;
    }
}
