package io.chargerstatus.engine;

import io.chargerstatus.infra.Membership;
import io.chargerstatus.status.BatchPlan;
import io.chargerstatus.status.ChargerState;
import io.chargerstatus.status.Fact;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chargers one status engine holds: their state, the epoch at which it claimed each (the fence that keeps
 * an engine that lost a charger from overwriting it), and the session each is served by here. Claims, adoptions,
 * letting go and the sweep of chargers whose instance is gone are here; the commit queue is the engine's.
 *
 * <p>Confined to the engine's event loop.
 */
final class ChargerOwnership {
    private static final Logger LOG = LoggerFactory.getLogger(ChargerOwnership.class);

    private final EngineStore store;
    private final Membership membership;
    private final Map<String, ChargerState> chargers = new HashMap<>();
    private final Map<String, Long> epochs = new HashMap<>();
    /** The session each held charger is served by here, to restore it when a charger is claimed again. */
    private final Map<String, String> sessions = new HashMap<>();

    ChargerOwnership(EngineStore store, Membership membership) {
        this.store = store;
        this.membership = membership;
    }

    /** The state of a charger held here, or null. */
    ChargerState held(String chargerId) {
        return chargers.get(chargerId);
    }

    /** The epoch this engine claimed a charger at; -1 when it holds none (the fence then refuses the write). */
    long epoch(String chargerId) {
        return epochs.getOrDefault(chargerId, -1L);
    }

    /** The session a held charger is served by here, or null. */
    String session(String chargerId) {
        return sessions.get(chargerId);
    }

    /** Lets a charger go: the next fact of a session of it here claims it again, with its state reloaded. */
    void forget(String chargerId) {
        chargers.remove(chargerId);
        epochs.remove(chargerId);
        sessions.remove(chargerId);
    }

    /**
     * Claims the chargers of these facts that this engine does not hold, and claims again those that
     * (re)connect: a connect always starts from the charger's state as the database has it.
     */
    Future<Void> claimFor(List<Fact> facts) {
        Set<String> wanted = new LinkedHashSet<>();
        for (Fact f : facts) {
            if (f instanceof Fact.Connected c) {
                if (wanted.add(c.chargerId())) {
                    forget(c.chargerId()); // reloaded below; a late fact of it in this batch follows the connect
                }
                sessions.put(c.chargerId(), c.sessionId());
            } else if (!chargers.containsKey(f.chargerId())) {
                wanted.add(f.chargerId());
            }
        }
        if (wanted.isEmpty()) {
            return Future.succeededFuture();
        }
        return store.claim(new ArrayList<>(wanted), membership.nodeId())
                .onSuccess(claimed -> claimed.forEach(this::adopt))
                .mapEmpty();
    }

    /** Holds a claimed charger unless a newer claim of this engine already holds it. */
    private boolean adopt(EngineStore.Claimed c) {
        String id = c.state().id();
        Long held = epochs.get(id);
        if (held != null && held >= c.epoch()) {
            return false;
        }
        String session = sessions.get(id);
        chargers.put(id, session == null ? c.state() : c.state().withSession(session));
        epochs.put(id, c.epoch());
        return true;
    }

    /** A committed plan's states become the ones held, but for chargers let go meanwhile or whose session ended. */
    void committed(BatchPlan plan) {
        plan.next().forEach((id, state) -> {
            if (!chargers.containsKey(id)) {
                return; // let go while the commit ran: the next fact of it claims it fresh
            }
            if (state.online()) {
                chargers.put(id, state);
            } else {
                forget(id); // its session ended: nothing here serves it any more
            }
        });
    }

    /**
     * Chargers marked online whose holder is no live member (the previous process of this instance, or an
     * instance that died) have no session anywhere: they are claimed and their Offline handed to {@code
     * disconnect} (the engine's queue), before any charger connecting from now on. A charger that reconnected
     * meanwhile was claimed by its new holder and is not swept.
     */
    Future<?> sweep(Instant now, Consumer<Fact> disconnect) {
        return store.claimOrphans(membership.members(), membership.nodeId())
                .onSuccess(claimed -> {
                    if (claimed.isEmpty()) {
                        return;
                    }
                    LOG.info(claimed.size()
                            + " chargers were online on an instance that is gone; recording them offline");
                    for (EngineStore.Claimed c : claimed) {
                        String session = "swept-" + c.epoch();
                        if (adopt(new EngineStore.Claimed(c.state().withSession(session), c.epoch()))) {
                            sessions.put(c.state().id(), session);
                            disconnect.accept(new Fact.Disconnected(c.state().id(), session, "instance gone", now));
                        }
                    }
                })
                .onFailure(e -> LOG.warn("sweeping the chargers of instances that are gone failed: " + e.getMessage()
                        + " (retried when the next member leaves or this instance restarts)"))
                .recover(e -> Future.succeededFuture());
    }
}
