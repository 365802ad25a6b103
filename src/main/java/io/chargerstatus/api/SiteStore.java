package io.chargerstatus.api;

import io.chargerstatus.store.Sql;
import io.vertx.core.Future;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/** Sites: their time zone and delayed-charging rules. */
public final class SiteStore extends Sql {
    /** Queries over the HTTP verticle's pool (or the SSE replays' own). */
    public SiteStore(Sql.Access access) {
        super(access);
    }

    private static final String UPSERT_SITE = """
      INSERT INTO sites (id, account_id, name, timezone, delayed_charging, opening_hours)
      VALUES ($1, $2, $3, $4, $5, $6::text::jsonb)
      ON CONFLICT (account_id, id) DO UPDATE SET name = excluded.name, timezone = excluded.timezone,
        delayed_charging = excluded.delayed_charging, opening_hours = excluded.opening_hours
      RETURNING *""";

    /** Creates or replaces a site of its account (site ids are unique per account). */
    public Future<JsonObject> upsertSite(JsonObject site) {
        JsonObject delayed = site.getJsonObject("delayedCharging");
        return exec(
                        UPSERT_SITE,
                        Tuple.of(
                                site.getString("id"),
                                site.getString("accountId"),
                                site.getString("name"),
                                site.getString("timezone"),
                                delayed,
                                site.getValue("openingHours") == null
                                        ? null
                                        : Json.encode(site.getValue("openingHours"))))
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
                .put("openingHours", hours);
    }
}
