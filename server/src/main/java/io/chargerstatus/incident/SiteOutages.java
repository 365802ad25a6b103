package io.chargerstatus.incident;

import io.chargerstatus.incident.IncidentModel.Change;
import io.chargerstatus.incident.IncidentModel.Event;
import io.chargerstatus.incident.IncidentModel.Kind;
import io.chargerstatus.incident.IncidentModel.Outcome;
import io.chargerstatus.incident.IncidentModel.World;
import io.chargerstatus.incident.Watch.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The SiteOffline rule of {@link IncidentModel}: chargers of one site whose Offline lasted, and went Offline
 * together, make one incident of the site instead of one each; it lists them, takes in those that follow, and
 * resolves when all of them have been back for the resolve period. It reads the model's watches and marks the
 * ones it changes in the model's dirty set.
 */
final class SiteOutages {
    private final Map<String, Watch> watches;
    private final Set<String> dirtyWatches;
    private final Map<String, SiteIncident> sites = new HashMap<>();
    private final Map<String, Set<String>> bySite = new HashMap<>();
    private final Set<String> dirtySites = new HashSet<>();

    SiteOutages(Map<String, Watch> watches, Set<String> dirtyWatches) {
        this.watches = watches;
        this.dirtyWatches = dirtyWatches;
    }

    /** The open site incidents the evaluator saved; the model indexes its watches again as it restores them. */
    void restore(Iterable<SiteIncident> savedSites) {
        sites.clear();
        bySite.clear();
        for (SiteIncident s : savedSites) {
            sites.put(s.incident.siteId(), s);
        }
    }

    Map<String, SiteIncident> sites() {
        return sites;
    }

    Set<String> takeDirty() {
        Set<String> out = new HashSet<>(dirtySites);
        dirtySites.clear();
        return out;
    }

    void index(Watch w) {
        if (w.siteId != null) {
            bySite.computeIfAbsent(w.siteId, s -> new HashSet<>()).add(w.chargerId);
        }
    }

    /** The charger leaves its site's index (it moved to another site, or is no longer followed). */
    void unindex(Watch w) {
        Set<String> members = w.siteId == null ? null : bySite.get(w.siteId);
        if (members != null) {
            members.remove(w.chargerId);
            if (members.isEmpty()) {
                bySite.remove(w.siteId);
            }
        }
    }

    /** The sites with an Offline charger that has no incident yet ({@link IncidentModel#sitesInQuestion}). */
    Set<String> inQuestion(List<Event> events) {
        Set<String> out = new TreeSet<>();
        for (Event e : events) {
            if (e.siteId() != null && "Offline".equals(e.status())) {
                out.add(e.siteId());
            }
        }
        for (Watch w : watches.values()) {
            Condition c = w.conditions.get(Kind.Offline.name());
            if (w.siteId != null && c != null && c.bad && c.incident == null && c.site == null) {
                out.add(w.siteId);
            }
        }
        return out;
    }

    /**
     * The charger's Offline lasted: part of a site-wide outage (joins the site's open incident, or opens one
     * with the other chargers of the site that went Offline within {@code withinS} of it) or not (false).
     */
    boolean offlineLasted(Watch x, Condition c, Instant now, World world, List<Outcome> out) {
        SiteIncident open = sites.get(x.siteId);
        if (open != null && open.incident.accountId().equals(x.accountId)) {
            c.site = open.incident.id();
            open.members.add(x.chargerId);
            open.incident = open.incident.withChargers(new ArrayList<>(open.members));
            dirtyWatches.add(x.chargerId);
            dirtySites.add(x.siteId);
            out.add(new Outcome(Change.UPDATED, open.incident));
            return true;
        }
        AlertRules.SiteOffline rule = world.rules(x.accountId).siteOffline();
        List<Watch> peers = new ArrayList<>();
        for (String id : bySite.getOrDefault(x.siteId, Set.of())) {
            Watch w = watches.get(id);
            Condition o = w == null ? null : w.conditions.get(Kind.Offline.name());
            if (o != null
                    && o.bad
                    && o.incident == null
                    && o.site == null
                    && w.flapping == null
                    && Math.abs(o.since.getEpochSecond() - c.since.getEpochSecond()) <= rule.withinS()) {
                peers.add(w);
            }
        }
        int size = Math.max(world.siteSize(x.siteId), peers.size());
        if (peers.size() < rule.min() || peers.size() < rule.share() * size) {
            return false;
        }
        SiteIncident s = new SiteIncident();
        Condition first = c;
        for (Watch w : peers) {
            Condition o = w.conditions.get(Kind.Offline.name());
            if (o.startSeq < first.startSeq) {
                first = o;
            }
            s.members.add(w.chargerId);
        }
        String id = IncidentModel.id("site", x.siteId, String.valueOf(first.startSeq));
        for (Watch w : peers) {
            w.conditions.get(Kind.Offline.name()).site = id;
            dirtyWatches.add(w.chargerId);
        }
        Instant started = first.startedAt;
        for (Watch w : peers) {
            Instant t = w.conditions.get(Kind.Offline.name()).startedAt;
            if (t.isBefore(started)) {
                started = t;
            }
        }
        s.incident = new Incident(
                id,
                x.accountId,
                x.siteId,
                null,
                null,
                Kind.SiteOffline,
                started,
                now,
                null,
                null,
                "Offline",
                null,
                List.copyOf(s.members));
        sites.put(x.siteId, s);
        dirtySites.add(x.siteId);
        out.add(new Outcome(Change.OPENED, s.incident));
        return true;
    }

    /** Site incidents whose chargers have all been back long enough resolve. */
    void tick(Instant now, World world, List<Outcome> out) {
        for (Iterator<SiteIncident> it = sites.values().iterator(); it.hasNext(); ) {
            SiteIncident s = it.next();
            Instant back = backSince(s);
            if (back != null
                    && !now.isBefore(
                            back.plusSeconds(world.rules(s.incident.accountId()).resolveAfterS()))) {
                out.add(new Outcome(Change.RESOLVED, s.incident.resolved(back, now)));
                for (String member : s.members) {
                    Watch w = watches.get(member);
                    if (w != null) {
                        w.conditions.values().removeIf(c -> s.incident.id().equals(c.site));
                        dirtyWatches.add(member);
                    }
                }
                dirtySites.add(s.incident.siteId());
                it.remove();
            }
        }
    }

    /** A decommissioned charger leaves its site incident, which resolves with it when it was the last one. */
    void decommissioned(String chargerId, Instant at, Instant now, List<Outcome> out) {
        for (Iterator<SiteIncident> it = sites.values().iterator(); it.hasNext(); ) {
            SiteIncident s = it.next();
            if (!s.members.remove(chargerId)) {
                continue;
            }
            dirtySites.add(s.incident.siteId());
            if (s.members.isEmpty()) {
                out.add(new Outcome(Change.RESOLVED, s.incident.resolved(at, now)));
                it.remove();
            } else {
                s.incident = s.incident.withChargers(new ArrayList<>(s.members));
                out.add(new Outcome(Change.UPDATED, s.incident));
            }
        }
    }

    /** When every charger of the site incident was back (null while one of them is still Offline). */
    private Instant backSince(SiteIncident s) {
        Instant back = null;
        for (String member : s.members) {
            Watch w = watches.get(member);
            Condition c = w == null ? null : w.conditions.get(Kind.Offline.name());
            if (c == null || !s.incident.id().equals(c.site)) {
                continue;
            }
            if (c.bad) {
                return null;
            }
            if (back == null || c.goodSince.isAfter(back)) {
                back = c.goodSince;
            }
        }
        return back == null ? s.incident.openedAt() : back;
    }
}
