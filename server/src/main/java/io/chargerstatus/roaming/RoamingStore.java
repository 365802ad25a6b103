package io.chargerstatus.roaming;

import io.chargerstatus.store.Sql;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The OCPI side's tables: the CPO of each account, the ports' static data, the roaming partners, and the
 * Location objects as the Locations module serves them (built from the sites, ports and live statuses).
 */
public final class RoamingStore extends Sql {
    public RoamingStore(Sql.Access access) {
        super(access);
    }

    // ---- the CPO of an account ------------------------------------------------------------------

    /** An account's OCPI identity; null fields when it has none yet. */
    public record Account(String id, String name, Locations.Cpo cpo, boolean openData) {}

    public Future<Account> account(String accountId) {
        return exec(
                        "SELECT id, name, ocpi_country_code, ocpi_party_id, ocpi_open_data FROM accounts WHERE id = $1",
                        Tuple.of(accountId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    Row r = rows.iterator().next();
                    String cc = r.getString("ocpi_country_code");
                    return new Account(
                            accountId,
                            r.getString("name"),
                            cc == null ? null : new Locations.Cpo(cc, r.getString("ocpi_party_id")),
                            r.getBoolean("ocpi_open_data"));
                });
    }

    public Future<Boolean> setAccount(String accountId, String countryCode, String partyId, boolean openData) {
        return exec(
                        "UPDATE accounts SET ocpi_country_code = $2, ocpi_party_id = $3, ocpi_open_data = $4"
                                + " WHERE id = $1",
                        Tuple.of(accountId, countryCode, partyId, openData))
                .map(rows -> rows.rowCount() > 0);
    }

    // ---- ports ----------------------------------------------------------------------------------

    /**
     * Sets a port's static data of a charger of {@code accountId} (null: any account) and records the change
     * for the partners in the same statement; false when there is no such charger.
     */
    public Future<Boolean> setPort(String chargerId, String accountId, int connectorId, JsonObject body) {
        return exec("""
          WITH c AS (SELECT id, account_id, site_id FROM chargers WHERE id = $1 AND ($2::text IS NULL OR account_id = $2)),
          p AS (
            INSERT INTO port_static (charger_id, connector_id, evse_id, standard, format, power_type, max_voltage,
                                     max_amperage, max_electric_power, updated_at)
            SELECT c.id, $3, $4, $5, $6, $7, $8, $9, $10, now() FROM c
            ON CONFLICT (charger_id, connector_id) DO UPDATE SET evse_id = excluded.evse_id,
              standard = excluded.standard, format = excluded.format, power_type = excluded.power_type,
              max_voltage = excluded.max_voltage, max_amperage = excluded.max_amperage,
              max_electric_power = excluded.max_electric_power, updated_at = excluded.updated_at
            RETURNING charger_id),
          o AS (
            INSERT INTO ocpi_changes (account_id, kind, site_id, charger_id, ports, last_seq)
            SELECT c.account_id, 'evse', c.site_id, c.id, ARRAY[$3::int], (SELECT last_seq FROM event_counter WHERE id = 1)
            FROM c WHERE c.site_id IS NOT NULL AND EXISTS (SELECT 1 FROM p))
          SELECT count(*) AS n FROM p""", Tuple.from(new Object[] {
                    chargerId,
                    accountId,
                    connectorId,
                    body.getString("evseId"),
                    body.getString("standard"),
                    body.getString("format"),
                    body.getString("powerType"),
                    body.getInteger("maxVoltage"),
                    body.getInteger("maxAmperage"),
                    body.getInteger("maxElectricPower")
                }))
                .map(rows -> rows.iterator().next().getLong("n") > 0);
    }

    // ---- Location objects -----------------------------------------------------------------------

    /** A page of an account's publishable locations and how many match in all. */
    public record Page(List<JsonObject> locations, int total) {}

    private static final String PUBLISHABLE = """
        s.account_id = $1 AND s.address IS NOT NULL AND s.city IS NOT NULL AND s.country IS NOT NULL
          AND s.latitude IS NOT NULL AND s.longitude IS NOT NULL
          AND ($2::text[] IS NULL OR s.id = ANY($2))
          AND ($3::text IS NULL OR s.id = $3 OR left(encode(sha256(convert_to(s.id, 'UTF8')), 'hex'), 36) = $3)""";

    /** A page of the publishable sites (their last_updated comes from their ports, in Java). */
    private static final String SITES = "SELECT s.*, count(*) OVER () AS total FROM sites s WHERE " + PUBLISHABLE
            + " ORDER BY s.id OFFSET $4 LIMIT $5";

    /**
     * The same with date filters: each site's last_updated (its own, or its newest port's status or data) from
     * one pass over the account's ports, not one per site.
     */
    private static final String SITES_UPDATED = """
      WITH upd AS (
        SELECT c.site_id, max(greatest(ps.updated_at, c.status_since, k.since)) AS t
        FROM chargers c JOIN port_static ps ON ps.charger_id = c.id
        LEFT JOIN connectors k ON k.charger_id = c.id AND k.connector_id = ps.connector_id
        WHERE c.account_id = $1 AND c.site_id IS NOT NULL GROUP BY c.site_id),
      loc AS (
        SELECT s.*, greatest(s.updated_at, upd.t) AS last_updated FROM sites s LEFT JOIN upd ON upd.site_id = s.id
        WHERE""" + " " + PUBLISHABLE + """
      )
      SELECT *, count(*) OVER () AS total FROM loc
      WHERE ($6::timestamptz IS NULL OR last_updated >= $6) AND ($7::timestamptz IS NULL OR last_updated < $7)
      ORDER BY id OFFSET $4 LIMIT $5""";

    private static final String PORTS = """
      SELECT c.id AS charger_id, c.site_id, c.status AS charger_status, c.status_since, ps.*,
             (SELECT json_agg(json_build_object('id', k.connector_id, 'status', k.status, 'ocpp', k.ocpp_status,
                                                'fault', k.error_code, 'since', k.since))
              FROM connectors k WHERE k.charger_id = c.id) AS connectors
      FROM chargers c JOIN port_static ps ON ps.charger_id = c.id
      WHERE c.account_id = $1 AND c.site_id = ANY($2) ORDER BY c.id, ps.connector_id""";

    /**
     * Locations of an account in id order, those last updated in {@code [from, to)} (either may be null), a
     * page of them; {@code locationId} non-null: that one location only.
     */
    public Future<Page> locations(
            Locations.Cpo cpo, String accountId, String locationId, Instant from, Instant to, int offset, int limit) {
        return locations(cpo, accountId, null, locationId, from, to, offset, limit);
    }

    /** The Locations of these sites now (those that can be published), by site id. */
    public Future<Map<String, JsonObject>> locationsOf(Locations.Cpo cpo, String accountId, Set<String> sites) {
        return locations(cpo, accountId, sites.toArray(String[]::new), null, null, null, 0, sites.size())
                .map(page -> {
                    Map<String, JsonObject> byId = new HashMap<>();
                    page.locations().forEach(l -> byId.put(l.getString("id"), l));
                    Map<String, JsonObject> out = new HashMap<>();
                    for (String site : sites) {
                        JsonObject l = byId.get(Locations.locationId(site));
                        if (l != null) {
                            out.put(site, l);
                        }
                    }
                    return out;
                });
    }

    private Future<Page> locations(
            Locations.Cpo cpo,
            String accountId,
            String[] siteIds,
            String locationId,
            Instant from,
            Instant to,
            int offset,
            int limit) {
        Future<io.vertx.sqlclient.RowSet<Row>> found = from == null && to == null
                ? exec(SITES, Tuple.from(new Object[] {accountId, siteIds, locationId, offset, limit}))
                : exec(
                        SITES_UPDATED,
                        Tuple.from(new Object[] {accountId, siteIds, locationId, offset, limit, odt(from), odt(to)}));
        return found.compose(sites -> {
            Map<String, Locations.Site> page = new LinkedHashMap<>();
            int total = 0;
            for (Row r : sites) {
                total = r.getInteger("total");
                if (locationId != null
                        && !Locations.locationId(r.getString("id")).equals(locationId)) {
                    continue;
                }
                page.put(r.getString("id"), site(r));
            }
            int count = locationId == null ? total : page.size();
            if (page.isEmpty()) {
                return Future.succeededFuture(new Page(List.of(), count));
            }
            return exec(PORTS, Tuple.of(accountId, (Object) page.keySet().toArray(String[]::new)))
                    .map(rows -> {
                        Map<String, List<Locations.Port>> ports = new HashMap<>();
                        rows.forEach(r -> ports.computeIfAbsent(r.getString("site_id"), k -> new ArrayList<>())
                                .add(port(r)));
                        List<JsonObject> out = new ArrayList<>();
                        page.forEach((id, site) -> {
                            JsonObject l = Locations.location(cpo, site, ports.getOrDefault(id, List.of()));
                            if (l != null) {
                                out.add(l);
                            }
                        });
                        return new Page(out, count);
                    });
        });
    }

    private static Locations.Site site(Row r) {
        return new Locations.Site(
                r.getString("id"),
                r.getString("name"),
                r.getString("address"),
                r.getString("city"),
                r.getString("postal_code"),
                r.getString("country"),
                r.getString("latitude"),
                r.getString("longitude"),
                r.getString("timezone"),
                r.getValue("opening_hours"),
                instant(r, "updated_at"));
    }

    /** A port with its OCPI status now, from its charger's live state (the rule of {@link OcpiStatus}). */
    private static Locations.Port port(Row r) {
        io.chargerstatus.status.ChargerPorts state = new io.chargerstatus.status.ChargerPorts();
        int n = r.getInteger("connector_id");
        Instant since = instant(r, "status_since");
        Object raw = r.getValue("connectors");
        JsonArray connectors =
                raw == null ? new JsonArray() : raw instanceof JsonArray a ? a : new JsonArray(String.valueOf(raw));
        String charger = r.getString("charger_status");
        state.apply(charger, null, null, null, null);
        for (Object o : connectors) {
            JsonObject k = (JsonObject) o;
            state.apply(charger, k.getInteger("id"), k.getString("status"), k.getString("ocpp"), k.getString("fault"));
            if (k.getInteger("id") == n || k.getInteger("id") == 0) {
                Instant at = Instant.parse(normalise(k.getString("since")));
                since = at.isAfter(since) ? at : since;
            }
        }
        return new Locations.Port(
                r.getString("charger_id"),
                n,
                r.getString("evse_id"),
                r.getString("standard"),
                r.getString("format"),
                r.getString("power_type"),
                r.getInteger("max_voltage"),
                r.getInteger("max_amperage"),
                r.getInteger("max_electric_power"),
                instant(r, "updated_at"),
                OcpiStatus.of(state, n),
                since);
    }

    /** json_build_object writes timestamptz as PostgreSQL prints it, with an offset such as +00:00. */
    private static String normalise(String pgTime) {
        return java.time.OffsetDateTime.parse(pgTime).toInstant().toString();
    }

    // ---- partners -------------------------------------------------------------------------------

    /** A roaming partner of an account, as the OCPI side needs it. */
    public record Party(
            String id,
            String accountId,
            String name,
            String state,
            String outgoingToken,
            String versionsUrl,
            String locationsUrl,
            String countryCode,
            String partyId) {
        public boolean registered() {
            return "registered".equals(state);
        }
    }

    private static Party party(Row r) {
        return new Party(
                r.getString("id"),
                r.getString("account_id"),
                r.getString("name"),
                r.getString("state"),
                r.getString("outgoing_token"),
                r.getString("versions_url"),
                r.getString("locations_url"),
                r.getString("country_code"),
                r.getString("party_id"));
    }

    private static JsonObject partyJson(Row r) {
        return new JsonObject()
                .put("id", r.getString("id"))
                .put("accountId", r.getString("account_id"))
                .put("name", r.getString("name"))
                .put("state", r.getString("state"))
                .put("versionsUrl", r.getString("versions_url"))
                .put("locationsUrl", r.getString("locations_url"))
                .put("countryCode", r.getString("country_code"))
                .put("partyId", r.getString("party_id"))
                .put("createdAt", iso(r, "created_at"))
                .put("registeredAt", iso(r, "registered_at"));
    }

    public Future<Void> createParty(String id, String accountId, String name, String tokenAHash) {
        return exec(
                        "INSERT INTO ocpi_parties (id, account_id, name, state, token_a_hash) VALUES ($1, $2, $3,"
                                + " 'pending', $4)",
                        Tuple.of(id, accountId, name, tokenAHash))
                .mapEmpty();
    }

    /** The partner presenting this token (hashed), and whether it is still its token A. */
    public record Caller(Party party, boolean tokenA) {}

    public Future<Caller> caller(String tokenHash) {
        return exec(
                        "SELECT *, token_a_hash = $1 AS is_a FROM ocpi_parties WHERE token_a_hash = $1 OR"
                                + " incoming_hash = $1",
                        Tuple.of(tokenHash))
                .map(rows -> rows.size() == 0
                        ? null
                        : new Caller(
                                party(rows.iterator().next()),
                                Boolean.TRUE.equals(rows.iterator().next().getBoolean("is_a"))));
    }

    public Future<Party> party(String id, String accountId) {
        return exec(
                        "SELECT * FROM ocpi_parties WHERE id = $1 AND ($2::text IS NULL OR account_id = $2)",
                        Tuple.of(id, accountId))
                .map(rows -> rows.size() == 0 ? null : party(rows.iterator().next()));
    }

    public Future<JsonArray> parties(String accountId) {
        return exec(
                        "SELECT * FROM ocpi_parties WHERE $1::text IS NULL OR account_id = $1 ORDER BY created_at, id",
                        Tuple.of(accountId))
                .map(rows -> collect(rows, RoamingStore::partyJson));
    }

    /** What the handshake learnt of a partner and the tokens that now hold both ways. */
    public record Registration(
            String incomingHash,
            String outgoingToken,
            String versionsUrl,
            String locationsUrl,
            String countryCode,
            String partyId) {}

    /**
     * Marks a partner registered (token A forgotten) and, the first time, gives it its push subscription: a
     * {@code webhooks} row starting at the present, so the live push shares the webhooks' cursors and leases.
     */
    public Future<Void> register(String id, Registration reg) {
        return inTransaction(conn -> conn.preparedQuery("""
              UPDATE ocpi_parties SET state = 'registered', token_a_hash = NULL, incoming_hash = $2,
                outgoing_token = $3, versions_url = $4, locations_url = $5, country_code = $6, party_id = $7,
                registered_at = coalesce(registered_at, now())
              WHERE id = $1 RETURNING account_id""")
                .execute(Tuple.of(
                        id,
                        reg.incomingHash(),
                        reg.outgoingToken(),
                        reg.versionsUrl(),
                        reg.locationsUrl(),
                        reg.countryCode(),
                        reg.partyId()))
                .compose(rows -> {
                    if (rows.size() == 0) {
                        return Future.failedFuture(new IllegalStateException("no such partner " + id));
                    }
                    return conn.preparedQuery("""
                      INSERT INTO webhooks (id, account_id, url, events, secret, status_seq, incident_seq)
                      VALUES ($1, $2, $3, ARRAY['status.changed'], '', (SELECT last_seq FROM event_counter WHERE id = 1),
                              (SELECT coalesce(max(id), 0) FROM ocpi_changes))
                      ON CONFLICT (id) DO NOTHING""")
                            .execute(Tuple.of(
                                    subscriptionId(id),
                                    rows.iterator().next().getString("account_id"),
                                    OcpiChannel.SCHEME + id));
                })
                .mapEmpty());
    }

    /** Unregisters a partner: its tokens stop working and its pushes stop. */
    public Future<Boolean> deleteParty(String id, String accountId) {
        return inTransaction(conn -> conn.preparedQuery(
                        "DELETE FROM ocpi_parties WHERE id = $1 AND ($2::text IS NULL OR account_id = $2)")
                .execute(Tuple.of(id, accountId))
                .compose(rows -> conn.preparedQuery("DELETE FROM webhooks WHERE id = $1")
                        .execute(Tuple.of(subscriptionId(id)))
                        .map(v -> rows.rowCount() > 0)));
    }

    /** The webhooks row of a partner's pushes. */
    static String subscriptionId(String partyId) {
        return "ocpi_" + partyId;
    }
}
