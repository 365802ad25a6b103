package io.chargerstatus.incident;

import io.chargerstatus.bus.Bus;
import io.chargerstatus.incident.IncidentModel.Outcome;
import io.chargerstatus.infra.Config;
import io.chargerstatus.store.CursorFollower;
import io.chargerstatus.store.Wiring;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Derives incidents from the history, once for the whole cluster. Every instance runs one; each step is one
 * transaction that first locks the evaluator's row: the instance whose lease is current (or any, once it has
 * lapsed) reads the history after the cursor, applies it and the passing time to the {@link IncidentModel},
 * and writes the incidents, their events (the outbox of incident.* messages), the model's changed state and
 * the new cursor in that same transaction. A killed evaluator's step never committed, so the next owner
 * re-reads the same events from the same state: no incident lost, none doubled (ids come from the history).
 *
 * <p>Any failure drops the state held in memory; the next step reloads it from the database.
 */
public final class IncidentEvaluator extends CursorFollower {
    private static final Logger LOG = LoggerFactory.getLogger(IncidentEvaluator.class);
    private final Wiring wiring;
    private final Config.Incidents settings;
    private final Clock clock;
    private final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();
    private IncidentStore store;
    private String me;
    private IncidentModel model;
    private long cursor = -1;
    private Set<String> persistedWatches = new HashSet<>();

    public IncidentEvaluator(Wiring wiring, Config.Incidents settings) {
        super(settings.tickMs());
        this.wiring = wiring;
        this.settings = settings;
        this.clock = wiring.clock();
    }

    @Override
    protected void prepare() {
        store = new IncidentStore(wiring.sql(vertx, 2));
        me = wiring.membership().nodeId();
        for (IncidentModel.Kind kind : IncidentModel.Kind.values()) {
            AtomicInteger n = new AtomicInteger();
            open.put(kind.name(), n);
            Gauge.builder("charger_status_incidents_open", n, AtomicInteger::get)
                    .description("Open incidents of every account, by kind (the same figure on every instance)")
                    .tag("kind", kind.name())
                    .register(wiring.metrics().registry());
        }
    }

    @Override
    protected Future<?> release() {
        return store.release(me);
    }

    @Override
    protected void failed(Throwable cause) {
        model = null; // what is in memory may be ahead of what committed
        LOG.warn("incident evaluation failed, state reloaded at the next step: " + cause.getMessage());
    }

    /** The open incidents per kind, for the gauge. */
    @Override
    protected Future<?> afterStep() {
        return store.openPerKind().onSuccess(counts -> open.forEach((kind, n) -> n.set(counts.getOrDefault(kind, 0))));
    }

    /** One evaluation; true when it read a full batch (there is more history to catch up with). */
    @Override
    protected Future<Boolean> step() {
        Instant now = clock.instant();
        List<Outcome> committed = new ArrayList<>();
        boolean[] full = {false};
        return store.inTransactionOf(conn -> store.lockCursor(conn).compose(c -> {
                    if (c.held() && !me.equals(c.owner())) {
                        if (leader) {
                            LOG.info("incident evaluation taken over by instance " + c.owner());
                        }
                        leader = false;
                        model = null;
                        return Future.succeededFuture(false);
                    }
                    Future<Void> loaded =
                            model != null && leader && cursor == c.lastSeq() ? Future.succeededFuture() : load(conn, c);
                    return loaded.compose(v -> applyBatch(conn, now, committed, full));
                }))
                .map(took -> {
                    if (took && !committed.isEmpty()) {
                        vertx.eventBus().publish(Bus.INCIDENT_EVENTS, committed.size());
                        for (Outcome o : committed) {
                            if (o.change() != IncidentModel.Change.UPDATED) {
                                LOG.info("incident " + o.change().name().toLowerCase() + ": " + describe(o.incident()));
                            }
                        }
                    }
                    return took && full[0];
                });
    }

    private Future<Void> load(SqlConnection conn, io.chargerstatus.store.LeasedCursor.Cursor c) {
        return store.loadState(conn).map(state -> {
            IncidentModel fresh = new IncidentModel();
            state.restoreInto(fresh);
            model = fresh;
            persistedWatches = new HashSet<>(fresh.watches().keySet());
            cursor = c.lastSeq();
            if (!leader) {
                LOG.info("incident evaluation runs on this instance from history seq " + cursor + " ("
                        + fresh.watches().size() + " chargers followed)");
            }
            leader = true;
            return null;
        });
    }

    private Future<Boolean> applyBatch(SqlConnection conn, Instant now, List<Outcome> committed, boolean[] full) {
        IncidentModel m = model;
        return store.eventsAfter(conn, cursor, settings.batchMax()).compose(events -> {
            long newCursor =
                    events.isEmpty() ? cursor : events.get(events.size() - 1).seq();
            full[0] = events.size() >= settings.batchMax();
            return store.decommissionedUpTo(conn, newCursor)
                    .compose(decommissioned -> store.rules(conn)
                            .compose(rules -> store.windows(conn, now)
                                    .compose(windows -> store.siteSizes(conn, m.sitesInQuestion(events))
                                            .map(sizes -> new World(rules, windows, sizes))))
                            .compose(world -> {
                                List<Outcome> outcomes = apply(m, events, decommissioned, now, world);
                                return write(conn, outcomes)
                                        .compose(v -> store.decommissioningsDone(conn, decommissioned))
                                        .compose(v -> store.remind(conn, now))
                                        .compose(v -> saveState(conn, m))
                                        .compose(v -> store.advance(conn, newCursor, me, settings.leaseS()))
                                        .map(v -> {
                                            cursor = newCursor;
                                            committed.addAll(outcomes);
                                            return true;
                                        });
                            }));
        });
    }

    /**
     * The batch's events in seq order, each decommissioning after the history up to its seq (and before the
     * charger id's next lifetime), then the passing time.
     */
    private static List<Outcome> apply(
            IncidentModel m,
            List<IncidentModel.Event> events,
            List<IncidentStore.Decommissioning> decommissioned,
            Instant now,
            World world) {
        List<Outcome> outcomes = new ArrayList<>();
        int d = 0;
        for (IncidentModel.Event e : events) {
            for (; d < decommissioned.size() && decommissioned.get(d).lastSeq() < e.seq(); d++) {
                IncidentStore.Decommissioning gone = decommissioned.get(d);
                outcomes.addAll(m.decommissioned(gone.chargerId(), gone.at(), now));
            }
            outcomes.addAll(m.apply(e, now, world));
        }
        for (; d < decommissioned.size(); d++) {
            IncidentStore.Decommissioning gone = decommissioned.get(d);
            outcomes.addAll(m.decommissioned(gone.chargerId(), gone.at(), now));
        }
        outcomes.addAll(m.tick(now, world));
        return outcomes;
    }

    private Future<Void> write(SqlConnection conn, List<Outcome> outcomes) {
        Future<Void> chain = Future.succeededFuture();
        for (Outcome o : outcomes) {
            chain = chain.compose(v -> switch (o.change()) {
                case OPENED -> store.opened(conn, o.incident());
                case UPDATED -> store.updated(conn, o.incident());
                case RESOLVED -> store.resolved(conn, o.incident());
            });
        }
        return chain;
    }

    private Future<Void> saveState(SqlConnection conn, IncidentModel m) {
        List<String> ids = new ArrayList<>();
        List<String> states = new ArrayList<>();
        List<String> gone = new ArrayList<>();
        for (String id : m.takeDirtyWatches()) {
            Watch w = m.watches().get(id);
            if (w != null) {
                ids.add(id);
                states.add(IncidentState.encode(w));
                persistedWatches.add(id);
            } else if (persistedWatches.remove(id)) {
                gone.add(id);
            }
        }
        List<String> siteIds = new ArrayList<>();
        List<String> siteStates = new ArrayList<>();
        List<String> sitesGone = new ArrayList<>();
        for (String site : m.takeDirtySites()) {
            SiteIncident s = m.sites().get(site);
            if (s != null) {
                siteIds.add(site);
                siteStates.add(IncidentState.encode(s));
            } else {
                sitesGone.add(site);
            }
        }
        return store.saveState(conn, "charger", ids, states, gone)
                .compose(v -> store.saveState(conn, "site", siteIds, siteStates, sitesGone));
    }

    private static String describe(Incident i) {
        return i.kind() + " of " + (i.chargerId() == null ? "site " + i.siteId() : i.chargerId())
                + (i.connectorId() == null ? "" : " connector " + i.connectorId()) + " (" + i.id() + ", account "
                + i.accountId() + ")";
    }

    /** What the rules ask about, as read in this step's transaction. */
    private record World(Map<String, AlertRules> rules, List<IncidentStore.Window> windows, Map<String, Integer> sizes)
            implements IncidentModel.World {
        @Override
        public AlertRules rules(String accountId) {
            return rules.getOrDefault(accountId, AlertRules.DEFAULTS);
        }

        @Override
        public Instant maintenanceUntil(String accountId, String siteId, String chargerId, Instant at) {
            Instant until = null;
            for (IncidentStore.Window w : windows) {
                boolean covers = w.accountId().equals(accountId)
                        && (w.chargerId() == null || w.chargerId().equals(chargerId))
                        && (w.siteId() == null || w.siteId().equals(siteId))
                        && !at.isBefore(w.from())
                        && at.isBefore(w.to());
                if (covers && (until == null || w.to().isAfter(until))) {
                    until = w.to();
                }
            }
            return until;
        }

        @Override
        public int siteSize(String siteId) {
            return sizes.getOrDefault(siteId, 0);
        }
    }
}
