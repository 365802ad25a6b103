package io.chargerstatus.ocpp;

import io.chargerstatus.store.LookupCache;
import io.chargerstatus.store.Sql;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;

/**
 * What the OCPP side reads and writes: charger credentials, id tags, OCPP 2.0.1 transactions (those of 1.6 are
 * numbered and written by the status engine, in its batches).
 */
public final class ChargerStore extends Sql {
    /** Queries over the OCPP verticle's pool. */
    public ChargerStore(Sql.Access access) {
        super(access);
    }

    /** What the OCPP handshake needs to know of a registered charger. */
    public record ChargerAuth(String id, String accountId, String passwordHash, boolean secured) {}

    public Future<ChargerAuth> chargerAuth(String id) {
        return exec("SELECT id, account_id, password_hash, secured FROM chargers WHERE id = $1", Tuple.of(id))
                .map(rows -> rows.size() == 0 ? null : toAuth(rows.iterator().next()));
    }

    /** Replaces a charger's password hash with a costlier one of the same password, unless it changed meanwhile. */
    public Future<Void> rehashPassword(String id, String oldHash, String newHash) {
        return exec(
                        "UPDATE chargers SET password_hash = $3 WHERE id = $1 AND password_hash = $2",
                        Tuple.of(id, oldHash, newHash))
                .mapEmpty();
    }

    private static ChargerAuth toAuth(Row r) {
        return new ChargerAuth(
                r.getString("id"), r.getString("account_id"), r.getString("password_hash"), r.getBoolean("secured"));
    }

    /** The id tag as this account knows it: status and expiry, or null when the account has no such tag. */
    public record IdTag(String status, Instant expiryDate) {}

    /** Id tags asked at every Authorize and StartTransaction; forgotten on {@code Bus.ID_TAGS_CHANGED}. */
    private final LookupCache<String, IdTag> idTags = new LookupCache<>(50_000);

    /** Forgets the id tags kept: one of them changed. */
    public void forgetIdTags() {
        idTags.forgetAll();
    }

    public Future<IdTag> idTag(String accountId, String idTag) {
        return idTags.get(accountId + '\u0000' + idTag, () -> readIdTag(accountId, idTag));
    }

    private Future<IdTag> readIdTag(String accountId, String idTag) {
        return exec(
                        "SELECT status, expiry_date FROM id_tags WHERE id_tag = $1 AND account_id = $2",
                        Tuple.of(idTag, accountId))
                .map(rows -> rows.size() == 0
                        ? null
                        : new IdTag(
                                rows.iterator().next().getString(0),
                                instant(rows.iterator().next(), "expiry_date")));
    }

    /**
     * Records an OCPP 2.0.1 transaction under the service's own number (what the rules and the command log
     * use), keeping the charger's string id; a repeated Started of the same id returns the same number.
     */
    public Future<Integer> startTransaction201(
            String chargerId, int evseId, String idToken, String transactionRef, Instant at) {
        return exec(
                        "SELECT id FROM transactions WHERE charger_id = $1 AND ocpp_ref = $2",
                        Tuple.of(chargerId, transactionRef))
                .compose(rows -> rows.size() > 0
                        ? Future.succeededFuture(rows.iterator().next().getInteger(0))
                        : exec(
                                        "INSERT INTO transactions (charger_id, connector_id, id_tag, meter_start, "
                                                + "started_at, ocpp_ref) VALUES ($1, $2, $3, 0, $4, $5) RETURNING id",
                                        Tuple.of(chargerId, evseId, idToken, odt(at), transactionRef))
                                .map(r -> r.iterator().next().getInteger(0)));
    }

    /** Closes an OCPP 2.0.1 transaction; returns the EVSE it ran on, or null when the service never saw it. */
    public Future<Integer> stopTransaction201(String chargerId, String transactionRef, Instant at, String reason) {
        return exec(
                        "UPDATE transactions SET meter_stop = COALESCE(meter_stop, meter_start), stopped_at = COALESCE(stopped_at, $3), "
                                + "stop_reason = COALESCE(stop_reason, $4) WHERE charger_id = $1 AND ocpp_ref = $2 RETURNING connector_id",
                        Tuple.of(chargerId, transactionRef, odt(at), reason))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getInteger(0));
    }

    /** The EVSE an OCPP 2.0.1 transaction runs on, as the service recorded it; null when unknown. */
    public Future<Integer> evseOfTransaction(String chargerId, String transactionRef) {
        return exec(
                        "SELECT connector_id FROM transactions WHERE charger_id = $1 AND ocpp_ref = $2",
                        Tuple.of(chargerId, transactionRef))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getInteger(0));
    }
}
