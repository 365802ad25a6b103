package io.chargerstatus.api;

import io.chargerstatus.store.Sql;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;

/** The id tags (RFID cards, app users) an account's chargers may charge with. */
public final class IdTagStore extends Sql {
    /** Queries over the HTTP verticle's pool (or the SSE replays' own). */
    public IdTagStore(Sql.Access access) {
        super(access);
    }

    private static final String UPSERT_ID_TAG = """
      INSERT INTO id_tags (id_tag, account_id, status, expiry_date) VALUES ($1, $2, $3, $4)
      ON CONFLICT (account_id, id_tag) DO UPDATE SET status = excluded.status, expiry_date = excluded.expiry_date
      RETURNING *""";

    public Future<JsonObject> upsertIdTag(JsonObject tag) {
        Instant expiry = tag.getString("expiryDate") == null ? null : Instant.parse(tag.getString("expiryDate"));
        return exec(
                        UPSERT_ID_TAG,
                        Tuple.of(
                                tag.getString("idTag"),
                                tag.getString("accountId"),
                                tag.getString("status", "Accepted"),
                                odt(expiry)))
                .map(rows -> rows.size() == 0 ? null : idTag(rows.iterator().next()));
    }

    public Future<JsonArray> idTags(String accountId) {
        return exec(
                        "SELECT * FROM id_tags WHERE $1::text IS NULL OR account_id = $1 ORDER BY id_tag",
                        Tuple.of(accountId))
                .map(rows -> collect(rows, IdTagStore::idTag));
    }

    /** Deletes a tag if it belongs to {@code accountId} (any account when null). */
    public Future<Boolean> deleteIdTag(String idTag, String accountId) {
        return exec(
                        "DELETE FROM id_tags WHERE id_tag = $1 AND ($2::text IS NULL OR account_id = $2)",
                        Tuple.of(idTag, accountId))
                .map(r -> r.rowCount() > 0);
    }

    private static JsonObject idTag(Row r) {
        return new JsonObject()
                .put("idTag", r.getString("id_tag"))
                .put("accountId", r.getString("account_id"))
                .put("status", r.getString("status"))
                .put("expiryDate", iso(r, "expiry_date"));
    }
}
