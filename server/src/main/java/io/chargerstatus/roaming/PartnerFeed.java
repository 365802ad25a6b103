package io.chargerstatus.roaming;

import io.chargerstatus.notify.Channel;
import io.chargerstatus.notify.WebhookStore;
import io.chargerstatus.notify.WebhookStore.Message;
import io.chargerstatus.status.ChargerPorts;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one partner is owed, read from the history after its status cursor and from ocpi_changes after its
 * second cursor, in commit order: a PATCH of an EVSE's status each time a port's OCPI status changes, a PUT of
 * a Location or EVSE whose static data changed, a REMOVED for each port of a decommissioned charger.
 *
 * <p>A charger-level change (Offline, a firmware update) changes every port, so the feed keeps each charger's
 * ports as of its position ({@link ChargerPorts}), seeded from the history the first time it meets a charger.
 * The cursors only move when a message is passed; a change that yields several messages advances the status
 * cursor only with its last, so a deliverer killed in between sends the rest (at least once).
 */
final class PartnerFeed implements Channel.Source {
    private static final int CHANGES = 100;

    private final RoamingStore store;
    private final FeedStore feed;
    private final String accountId;
    private final Map<String, ChargerPorts> chargers = new HashMap<>();
    private final Map<String, String> pushed = new HashMap<>(); // "charger|port" -> OCPI status last queued
    private long consumed = -1;
    private static final long ACCOUNT_TTL_MS = 5_000;
    private static final long PORTS_TTL_MS = 30_000;
    private RoamingStore.Account account;
    private long accountUntil;
    private final Map<String, List<Integer>> ports = new HashMap<>();
    private long portsUntil;
    private final int window;

    PartnerFeed(RoamingStore store, FeedStore feed, String accountId, int window) {
        this.store = store;
        this.feed = feed;
        this.accountId = accountId;
        this.window = window;
    }

    /** An EVSE's PATCH or PUT: its path; a Location's PUT (it holds every EVSE) or a skip: none, it goes alone. */
    @Override
    public String orderKey(Message m) {
        if (!OcpiChannel.isRequest(m)) {
            return null;
        }
        String path = m.type().substring(m.type().indexOf(' ') + 1);
        return path.chars().filter(c -> c == '/').count() >= 4 ? path : null;
    }

    @Override
    public int window() {
        return window;
    }

    @Override
    public Future<List<Message>> owed(long statusSeq, long secondSeq, int limit) {
        long from = Math.max(statusSeq, consumed);
        return account().compose(account -> {
            if (account == null || account.cpo() == null) {
                return Channel.none();
            }
            return feed.eventsAfter(accountId, from, limit).compose(events -> {
                Long bound =
                        events.size() == limit ? events.get(events.size() - 1).getLong("seq") : null;
                return feed.changesAfter(accountId, secondSeq, bound, CHANGES)
                        .compose(changes -> build(account.cpo(), from, events, changes));
            });
        });
    }

    private Future<List<Message>> build(Locations.Cpo cpo, long from, List<Row> events, List<Row> changes) {
        if (changes.size() == CHANGES) {
            // Changes beyond the last one read may come before later events: those events wait for the next fetch.
            long bound = changes.get(changes.size() - 1).getLong("last_seq");
            events = events.stream().filter(e -> e.getLong("seq") <= bound).toList();
        }
        Set<String> unknown = new HashSet<>();
        Set<String> ids = new HashSet<>();
        for (Row e : events) {
            String id = e.getString("charger_id");
            ids.add(id);
            if (!chargers.containsKey(id)) {
                unknown.add(id);
            }
        }
        List<Row> finalEvents = events;
        return feed.seed(unknown, from)
                .compose(seeds -> publishable(ids, changes).map(ports -> {
                    seeds.forEach((id, state) -> {
                        chargers.put(id, state);
                        for (int p : ports.getOrDefault(id, List.of())) {
                            pushed.put(id + "|" + p, OcpiStatus.of(state, p));
                        }
                    });
                    return messages(cpo, from, finalEvents, changes, ports);
                }))
                .compose(messages -> withObjects(cpo, messages));
    }

    /** The account's OCPI identity, read again every few seconds (it changes only by the API). */
    private Future<RoamingStore.Account> account() {
        long now = System.currentTimeMillis();
        if (account != null && now < accountUntil) {
            return Future.succeededFuture(account);
        }
        return store.account(accountId).map(a -> {
            account = a;
            accountUntil = now + ACCOUNT_TTL_MS;
            return a;
        });
    }

    /**
     * The ports a partner knows of these chargers, kept between fetches: forgotten when a static data change
     * is read (the next fetch reads them again), and every {@value #PORTS_TTL_MS} ms (a charger moved to
     * another site, a site's address removed).
     */
    private Future<Map<String, List<Integer>>> publishable(Set<String> ids, List<Row> changes) {
        long now = System.currentTimeMillis();
        if (!changes.isEmpty() || now >= portsUntil) {
            ports.clear();
            portsUntil = now + PORTS_TTL_MS;
        }
        Set<String> missing = new HashSet<>();
        for (String id : ids) {
            if (!ports.containsKey(id)) {
                missing.add(id);
            }
        }
        return feed.publishablePorts(missing).map(read -> {
            for (String id : missing) {
                ports.put(id, read.getOrDefault(id, List.of()));
            }
            Map<String, List<Integer>> out = new HashMap<>();
            for (String id : ids) {
                out.put(id, ports.get(id));
            }
            return out;
        });
    }

    /** The messages in order; PUTs of static data are placeholders filled in by {@link #withObjects}. */
    private List<Message> messages(
            Locations.Cpo cpo, long from, List<Row> events, List<Row> changes, Map<String, List<Integer>> ports) {
        List<Message> out = new ArrayList<>();
        int c = 0;
        long last = from;
        for (Row e : events) {
            long seq = e.getLong("seq");
            while (c < changes.size() && changes.get(c).getLong("last_seq") < seq) {
                out.addAll(change(cpo, changes.get(c++)));
            }
            String charger = e.getString("charger_id");
            ChargerPorts state = chargers.computeIfAbsent(charger, k -> new ChargerPorts());
            state.apply(
                    e.getString("status"),
                    e.getInteger("connector_id"),
                    e.getString("connector_status"),
                    e.getString("ocpp_status"),
                    e.getString("fault_code"));
            String site = e.getString("site_id");
            List<Message> own = new ArrayList<>();
            Instant at = e.getOffsetDateTime("received_at").toInstant();
            for (int p : ports.getOrDefault(charger, List.of())) {
                String status = OcpiStatus.of(state, p);
                if (site != null && !status.equals(pushed.put(charger + "|" + p, status))) {
                    own.add(patch(cpo, site, charger, p, status, at, "msg_ocpi_" + seq + "_" + p, seq - 1));
                }
            }
            if (!own.isEmpty()) {
                Message lastOne = own.remove(own.size() - 1);
                own.add(new Message(lastOne.id(), lastOne.type(), lastOne.body(), true, seq, lastOne.createdAt()));
            }
            out.addAll(own);
            last = seq;
        }
        while (c < changes.size()) {
            out.addAll(change(cpo, changes.get(c++)));
        }
        if (last > from) {
            consumed = last;
            // The cursor moves past what needed no message too, so that a restart does not read it again.
            out.add(new Message("skip_" + last, WebhookStore.SKIP, "", true, last, Instant.EPOCH));
        }
        return out;
    }

    private static Message patch(
            Locations.Cpo cpo, String site, String charger, int port, String status, Instant at, String id, long pos) {
        String path = "/" + cpo.countryCode() + "/" + cpo.partyId() + "/" + Locations.locationId(site) + "/"
                + Locations.evseUid(charger, port);
        // Written out: an OCPI status and a DateTime need no escaping, and this is once per change of a fleet.
        String body = "{\"status\":\"" + status + "\",\"last_updated\":\"" + Locations.time(at) + "\"}";
        return OcpiChannel.request(id, "PATCH", path, body, true, pos, at);
    }

    /** The messages of one static data change: REMOVED patches, or a placeholder PUT. */
    private List<Message> change(Locations.Cpo cpo, Row r) {
        long id = r.getLong("id");
        String kind = r.getString("kind");
        String site = r.getString("site_id");
        String charger = r.getString("charger_id");
        Instant at = r.getOffsetDateTime("created_at").toInstant();
        List<Message> out = new ArrayList<>();
        Integer[] ports = r.getArrayOfIntegers("ports");
        if ("removed".equals(kind)) {
            for (int i = 0; ports != null && i < ports.length; i++) {
                Message m = patch(
                        cpo,
                        site,
                        charger,
                        ports[i],
                        OcpiStatus.REMOVED,
                        at,
                        "msg_ocpi_removed_" + id + "_" + ports[i],
                        id - 1);
                out.add(new Message(m.id(), m.type(), m.body(), false, i == ports.length - 1 ? id : id - 1, at));
                pushed.remove(charger + "|" + ports[i]);
            }
            chargers.remove(charger);
            if (out.isEmpty()) {
                out.add(new Message("skip_change_" + id, WebhookStore.SKIP, "", false, id, at));
            }
            return out;
        }
        JsonObject placeholder = new JsonObject()
                .put("kind", kind)
                .put("site", site)
                .put("charger", charger)
                .put("port", ports == null || ports.length == 0 ? null : ports[0]);
        out.add(new Message("msg_ocpi_" + kind + "_" + id, "ocpi.placeholder", placeholder.encode(), false, id, at));
        return out;
    }

    /** Fills the PUTs with the Location or EVSE as it is now; one that cannot be published is skipped. */
    private Future<List<Message>> withObjects(Locations.Cpo cpo, List<Message> messages) {
        Set<String> sites = new HashSet<>();
        for (Message m : messages) {
            if ("ocpi.placeholder".equals(m.type())) {
                sites.add(m.json().getString("site"));
            }
        }
        if (sites.isEmpty()) {
            return Future.succeededFuture(messages);
        }
        return store.locationsOf(cpo, accountId, sites).map(locations -> {
            List<Message> out = new ArrayList<>(messages.size());
            for (Message m : messages) {
                if (!"ocpi.placeholder".equals(m.type())) {
                    out.add(m);
                    continue;
                }
                JsonObject p = m.json();
                JsonObject location = p.getString("site") == null ? null : locations.get(p.getString("site"));
                String path = location == null
                        ? null
                        : "/" + cpo.countryCode() + "/" + cpo.partyId() + "/" + location.getString("id");
                JsonObject object = location;
                if (location != null && "evse".equals(p.getString("kind"))) {
                    String uid = Locations.evseUid(p.getString("charger"), p.getInteger("port"));
                    object = null;
                    for (Object evse : location.getJsonArray("evses")) {
                        if (uid.equals(((JsonObject) evse).getString("uid"))) {
                            object = (JsonObject) evse;
                        }
                    }
                    path = path + "/" + uid;
                }
                out.add(
                        object == null
                                ? new Message(m.id(), WebhookStore.SKIP, "", false, m.position(), m.createdAt())
                                : OcpiChannel.request(
                                        m.id(), "PUT", path, object.encode(), false, m.position(), m.createdAt()));
            }
            return out;
        });
    }
}
