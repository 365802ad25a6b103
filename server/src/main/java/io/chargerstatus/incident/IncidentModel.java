package io.chargerstatus.incident;

import io.chargerstatus.incident.Watch.Condition;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The incident rules, pure: status events of the history go in (in seq order), and so does the passing of
 * time ({@link #tick}); incidents opened, changed and resolved come out. Nothing here reads a clock or the
 * database: what the rules need from outside (an account's rules, maintenance windows, a site's size) is
 * asked of a {@link World}, so the same history and the same ticks give the same incidents (table tests in
 * IncidentModelTest; the evaluator persists this state with its cursor, docs/incidents.md).
 *
 * <p>Timing is measured on the service's clock ({@code receivedAt} of the events), never on the chargers'
 * own clocks; {@code startedAt} of an incident is the timestamp of the event that began the bad state, as the
 * charger row's {@code statusSince} shows it.
 */
public final class IncidentModel {
    public enum Kind {
        Offline,
        Faulted,
        Unavailable,
        Flapping,
        SiteOffline
    }

    /** One status event as the rules read it ({@code operatorCaused}: an accepted change-availability to false). */
    public record Event(
            long seq,
            String chargerId,
            String accountId,
            String siteId,
            String status,
            String faultCode,
            Integer connectorId,
            String connectorStatus,
            Instant timestamp,
            Instant receivedAt,
            boolean operatorCaused) {}

    /** What the rules need from outside. */
    public interface World {
        AlertRules rules(String accountId);

        /** The end of a maintenance window covering this charger at {@code at}, or null when none does. */
        Instant maintenanceUntil(String accountId, String siteId, String chargerId, Instant at);

        /** How many chargers the site has. */
        int siteSize(String siteId);
    }

    public enum Change {
        OPENED,
        UPDATED,
        RESOLVED
    }

    public record Outcome(Change change, Incident incident) {}

    private final Map<String, Watch> watches = new HashMap<>();
    private final Set<String> dirtyWatches = new HashSet<>();
    private final SiteOutages sitesRule = new SiteOutages(watches, dirtyWatches);

    /** The state the evaluator saved (its cursor's state). */
    public void restore(Iterable<Watch> savedWatches, Iterable<SiteIncident> savedSites) {
        watches.clear();
        sitesRule.restore(savedSites);
        for (Watch w : savedWatches) {
            watches.put(w.chargerId, w);
            sitesRule.index(w);
        }
    }

    public Map<String, Watch> watches() {
        return watches;
    }

    public Map<String, SiteIncident> sites() {
        return sitesRule.sites();
    }

    /** Watches and sites changed since the last call (sites may be gone: then absent from {@link #sites}). */
    public Set<String> takeDirtyWatches() {
        Set<String> out = new HashSet<>(dirtyWatches);
        dirtyWatches.clear();
        return out;
    }

    public Set<String> takeDirtySites() {
        return sitesRule.takeDirty();
    }

    /**
     * The sites whose size the rules may ask about while applying {@code events} and the next tick: those
     * with an Offline charger that has no incident yet (usually none, so the evaluator reads no site sizes).
     */
    public Set<String> sitesInQuestion(List<Event> events) {
        return sitesRule.inQuestion(events);
    }

    /** A status event of the history; {@code now} is when the evaluator applies it. */
    public List<Outcome> apply(Event e, Instant now, World world) {
        Watch x = watches.get(e.chargerId());
        if (x == null && !bad(e)) {
            return List.of(); // a working charger's good news: it would be followed and forgotten at once
        }
        List<Outcome> out = new ArrayList<>();
        if (x == null) {
            x = new Watch();
            x.chargerId = e.chargerId();
            watches.put(x.chargerId, x);
        }
        if (x.siteId != null && !x.siteId.equals(e.siteId())) {
            sitesRule.unindex(x);
        }
        x.accountId = e.accountId();
        x.siteId = e.siteId();
        sitesRule.index(x);
        dirtyWatches.add(x.chargerId);
        boolean wasBad = bad(x);
        x.status = e.status();
        if (e.connectorId() != null && e.connectorId() > 0 && e.connectorStatus() != null) {
            // Only a fault matters to the rules: the other connector statuses are not kept.
            if ("Faulted".equals(e.connectorStatus())) {
                x.connectors.put(e.connectorId(), e.connectorStatus());
            } else {
                x.connectors.remove(e.connectorId());
            }
        }
        Set<String> keys = badKeys(x);
        for (String key : keys) {
            Condition c = x.conditions.get(key);
            if (c == null) {
                c = new Condition();
                c.kind = Kind.valueOf(key.split(":")[0]);
                c.connectorId = key.startsWith("Faulted:") && !key.equals("Faulted:0")
                        ? Integer.valueOf(key.substring("Faulted:".length()))
                        : null;
                c.startSeq = e.seq();
                c.startedAt = e.timestamp();
                c.since = e.receivedAt();
                c.status = c.kind == Kind.Faulted ? "Faulted" : e.status();
                c.faultCode = c.kind == Kind.Faulted ? e.faultCode() : null;
                c.operator = c.kind == Kind.Unavailable && e.operatorCaused();
                x.conditions.put(key, c);
            } else if (!c.bad) { // the resolve was interrupted: the same incident goes on
                c.bad = true;
                c.goodSince = null;
            } else if (c.kind == Kind.Faulted && e.faultCode() != null) {
                c.faultCode = e.faultCode();
            }
        }
        for (Iterator<Map.Entry<String, Condition>> it = x.conditions.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Condition> entry = it.next();
            Condition c = entry.getValue();
            if (keys.contains(entry.getKey()) || !c.bad) {
                continue;
            }
            if (c.incident != null || c.site != null) {
                c.bad = false;
                c.goodSince = e.receivedAt();
            } else {
                it.remove(); // cleared inside its debounce: never an incident
            }
        }
        boolean isBad = bad(x);
        if (isBad && !wasBad) {
            entered(x, e, now, world, out);
        }
        if (!isBad && wasBad) {
            x.goodSince = e.receivedAt();
        } else if (isBad) {
            x.goodSince = null;
        }
        forgetIfGood(x);
        return out;
    }

    /**
     * The charger was decommissioned ({@code DELETE /api/v1/chargers/{id}}) at {@code at}, after every event of
     * the history up to its decommissioning's seq: its open incidents and its flapping resolve then (nothing
     * will ever report it back), it is no longer followed, and it leaves a SiteOffline incident, which resolves
     * with it when it was the last one listed. A charger id registered again starts afresh.
     */
    public List<Outcome> decommissioned(String chargerId, Instant at, Instant now) {
        List<Outcome> out = new ArrayList<>();
        Watch x = watches.get(chargerId);
        if (x != null) {
            for (Condition c : x.conditions.values()) {
                if (c.incident != null) {
                    out.add(new Outcome(Change.RESOLVED, c.incident.resolved(at, now)));
                }
            }
            if (x.flapping != null) {
                out.add(new Outcome(Change.RESOLVED, x.flapping.resolved(at, now)));
            }
            x.conditions.clear();
            x.flapping = null;
            x.entries.clear();
            x.connectors.clear();
            forgetIfGood(x);
        }
        sitesRule.decommissioned(chargerId, at, now, out);
        return out;
    }

    /**
     * A charger with nothing pending (no bad state, no incident, no flapping count, no fault) is not kept: the
     * next event starts it afresh with the same result, and the evaluator neither holds nor writes state for the
     * chargers that are simply working.
     */
    private void forgetIfGood(Watch x) {
        if (x.conditions.isEmpty() && x.flapping == null && x.entries.isEmpty() && x.connectors.isEmpty()) {
            watches.remove(x.chargerId);
            sitesRule.unindex(x);
            dirtyWatches.add(x.chargerId);
        }
    }

    /** The passing of time: incidents whose bad state has lasted open, those good long enough resolve. */
    public List<Outcome> tick(Instant now, World world) {
        List<Outcome> out = new ArrayList<>();
        List<Watch> settled = new ArrayList<>();
        for (Watch x : watches.values()) {
            AlertRules rules = world.rules(x.accountId);
            if (x.flapping == null && !x.entries.isEmpty()) {
                Instant horizon = now.minusSeconds(rules.flapping().withinS());
                if (x.entries.removeIf(t -> t.isBefore(horizon))) {
                    dirtyWatches.add(x.chargerId);
                }
            }
            if (x.conditions.isEmpty() && x.flapping == null) {
                settled.add(x);
                continue;
            }
            for (Iterator<Condition> it = x.conditions.values().iterator(); it.hasNext(); ) {
                Condition c = it.next();
                if (c.bad && c.incident == null && c.site == null && !c.operator && x.flapping == null) {
                    Instant deadline = c.since.plusSeconds(rules.after(c.kind));
                    if (c.notBefore != null && c.notBefore.isAfter(deadline)) {
                        deadline = c.notBefore;
                    }
                    if (now.isBefore(deadline)) {
                        continue;
                    }
                    Instant until = world.maintenanceUntil(x.accountId, x.siteId, x.chargerId, now);
                    if (until != null) {
                        c.notBefore = until.plusSeconds(rules.after(c.kind));
                        dirtyWatches.add(x.chargerId);
                        continue;
                    }
                    if (c.kind == Kind.Offline && x.siteId != null && sitesRule.offlineLasted(x, c, now, world, out)) {
                        continue;
                    }
                    c.incident = new Incident(
                            id(x.chargerId, c.kind.name(), String.valueOf(c.connectorId), String.valueOf(c.startSeq)),
                            x.accountId,
                            x.siteId,
                            x.chargerId,
                            c.connectorId,
                            c.kind,
                            c.startedAt,
                            now,
                            null,
                            null,
                            c.status,
                            c.faultCode,
                            null);
                    dirtyWatches.add(x.chargerId);
                    out.add(new Outcome(Change.OPENED, c.incident));
                } else if (!c.bad
                        && c.incident != null
                        && !now.isBefore(c.goodSince.plusSeconds(rules.resolveAfterS()))) {
                    out.add(new Outcome(Change.RESOLVED, c.incident.resolved(c.goodSince, now)));
                    dirtyWatches.add(x.chargerId);
                    it.remove();
                }
            }
            if (x.flapping != null
                    && x.goodSince != null
                    && !now.isBefore(x.goodSince.plusSeconds(rules.resolveAfterS()))
                    && !now.isBefore(x.entries
                            .get(x.entries.size() - 1)
                            .plusSeconds(rules.flapping().quietS()))) {
                out.add(new Outcome(Change.RESOLVED, x.flapping.resolved(x.goodSince, now)));
                x.flapping = null;
                x.entries.clear();
                dirtyWatches.add(x.chargerId);
            }
            if (x.conditions.isEmpty() && x.flapping == null) {
                settled.add(x);
            }
        }
        settled.forEach(this::forgetIfGood);
        sitesRule.tick(now, world, out);
        return out;
    }

    /** The charger entered a bad state: counted for flapping. */
    private void entered(Watch x, Event e, Instant now, World world, List<Outcome> out) {
        AlertRules.Flapping rule = world.rules(x.accountId).flapping();
        x.entries.add(e.receivedAt());
        Instant horizon = e.receivedAt().minusSeconds(rule.withinS());
        if (x.flapping == null) {
            x.entries.removeIf(t -> t.isBefore(horizon));
        } else if (x.entries.size() > 1) { // kept from the first: only the last entry matters for quiet
            x.entries = new ArrayList<>(List.of(x.entries.get(0), e.receivedAt()));
        }
        if (x.flapping != null || x.entries.size() < rule.entries()) {
            return;
        }
        for (Condition c : x.conditions.values()) {
            if (c.incident != null || c.site != null) {
                return; // already heard about: the incident open says enough
            }
        }
        x.flapping = new Incident(
                id(x.chargerId, Kind.Flapping.name(), String.valueOf(e.seq())),
                x.accountId,
                x.siteId,
                x.chargerId,
                null,
                Kind.Flapping,
                x.entries.get(0),
                now,
                null,
                null,
                x.status,
                null,
                null);
        out.add(new Outcome(Change.OPENED, x.flapping));
    }

    /** Whether the event can start a bad state (anything else changes nothing for a charger not followed). */
    private static boolean bad(Event e) {
        return "Offline".equals(e.status())
                || "Unavailable".equals(e.status())
                || "Faulted".equals(e.status())
                || "Faulted".equals(e.connectorStatus());
    }

    private static boolean bad(Watch x) {
        for (Condition c : x.conditions.values()) {
            if (c.bad && !c.operator) {
                return true;
            }
        }
        return false;
    }

    /** The bad states the charger is in now, keyed {@code Offline}, {@code Unavailable}, {@code Faulted:<c>}. */
    private static Set<String> badKeys(Watch x) {
        Set<String> keys = new TreeSet<>();
        if ("Offline".equals(x.status)) {
            keys.add(Kind.Offline.name());
            // While it is Offline its connectors say nothing: a fault stays what it was.
            x.conditions.forEach((key, c) -> {
                if (c.kind == Kind.Faulted && c.bad) {
                    keys.add(key);
                }
            });
            return keys;
        }
        if ("Unavailable".equals(x.status)) {
            keys.add(Kind.Unavailable.name());
        }
        boolean connectorFaulted = false;
        for (Map.Entry<Integer, String> c : x.connectors.entrySet()) {
            if ("Faulted".equals(c.getValue())) {
                keys.add("Faulted:" + c.getKey());
                connectorFaulted = true;
            }
        }
        if ("Faulted".equals(x.status) && !connectorFaulted) {
            keys.add("Faulted:0");
        }
        return keys;
    }

    /** An id derived from what began the incident: a replayed evaluation writes the same one. */
    static String id(String... parts) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest(String.join("|", parts).getBytes(StandardCharsets.UTF_8));
            return "inc_" + HexFormat.of().formatHex(hash, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
