package io.chargerstatus.api;

import io.chargerstatus.store.Sql;
import io.vertx.core.Future;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/** Sites: their time zone, delayed-charging rules, opening hours and OCPI location data. */
public final class SiteStore extends Sql {
    /** Queries over the HTTP verticle's pool (or the SSE replays' own). */
    public SiteStore(Sql.Access access) {
        super(access);
    }

    /**
     * The site, and a record for the roaming partners that its location changed (written in the same statement:
     * a partner is never told of a change that was not committed, nor misses one that was).
     */
    private static final String UPSERT_SITE = """
      WITH s AS (
        INSERT INTO sites (id, account_id, name, timezone, delayed_charging, opening_hours, address, city, postal_code,
                           country, latitude, longitude, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6::text::jsonb, $7, $8, $9, $10, $11, $12, now())
        ON CONFLICT (account_id, id) DO UPDATE SET name = excluded.name, timezone = excluded.timezone,
          delayed_charging = excluded.delayed_charging, opening_hours = excluded.opening_hours,
          address = excluded.address, city = excluded.city, postal_code = excluded.postal_code,
          country = excluded.country, latitude = excluded.latitude, longitude = excluded.longitude,
          updated_at = excluded.updated_at
        RETURNING *),
      o AS (
        INSERT INTO ocpi_changes (account_id, kind, site_id, last_seq)
        SELECT account_id, 'location', id, (SELECT last_seq FROM event_counter WHERE id = 1) FROM s)
      SELECT * FROM s""";

    /** Creates or replaces a site of its account (site ids are unique per account). */
    public Future<JsonObject> upsertSite(JsonObject site) {
        JsonObject delayed = site.getJsonObject("delayedCharging");
        JsonObject coordinates = site.getJsonObject("coordinates");
        return exec(UPSERT_SITE, Tuple.from(new Object[] {
                    site.getString("id"),
                    site.getString("accountId"),
                    site.getString("name"),
                    site.getString("timezone"),
                    delayed,
                    site.getValue("openingHours") == null ? null : Json.encode(site.getValue("openingHours")),
                    site.getString("address"),
                    site.getString("city"),
                    site.getString("postalCode"),
                    site.getString("country"),
                    coordinates == null ? null : coordinates.getString("latitude"),
                    coordinates == null ? null : coordinates.getString("longitude")
                }))
                .map(rows -> rows.size() == 0 ? null : site(rows.iterator().next()));
    }

    /** Whether {@code accountId} has a site of that id. */
    public Future<Boolean> siteExists(String siteId, String accountId) {
        return exec("SELECT 1 FROM sites WHERE id = $1 AND account_id = $2", Tuple.of(siteId, accountId))
                .map(rows -> rows.size() > 0);
    }

    public Future<JsonArray> sites(String accountId) {
        return exec("SELECT * FROM sites WHERE $1::text IS NULL OR account_id = $1 ORDER BY id", Tuple.of(accountId))
                .map(rows -> collect(rows, SiteStore::site));
    }

    private static JsonObject site(Row r) {
        Object delayed = r.getValue("delayed_charging");
        Object hours = r.getValue("opening_hours");
        return new JsonObject()
                .put("id", r.getString("id"))
                .put("accountId", r.getString("account_id"))
                .put("name", r.getString("name"))
                .put("timezone", r.getString("timezone"))
                .put("delayedCharging", delayed)
                .put("openingHours", hours)
                .put("address", r.getString("address"))
                .put("city", r.getString("city"))
                .put("postalCode", r.getString("postal_code"))
                .put("country", r.getString("country"))
                .put(
                        "coordinates",
                        r.getString("latitude") == null
                                ? null
                                : new JsonObject()
                                        .put("latitude", r.getString("latitude"))
                                        .put("longitude", r.getString("longitude")))
                .put("updatedAt", iso(r, "updated_at"));
    }
}
