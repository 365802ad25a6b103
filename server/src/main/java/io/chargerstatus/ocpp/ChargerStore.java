package io.chargerstatus.ocpp;

import io.chargerstatus.store.LookupCache;
import io.chargerstatus.store.Sql;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * What the OCPP side reads and writes: charger credentials, id tags, OCPP 2.0.1 transactions (those of 1.6 are
 * numbered and written by the status engine, in its batches).
 */
public final class ChargerStore extends Sql {
    /** Queries over the OCPP verticle's pool. */
    public ChargerStore(Sql.Access access) {
        super(access);
    }

    /**
     * What the OCPP handshake needs to know of a registered charger; {@code booted}: it has sent a BootNotification
     * at least once (a session of one that never did asks for one).
     */
    public record ChargerAuth(String id, String accountId, String passwordHash, boolean secured, boolean booted) {}

    public Future<ChargerAuth> chargerAuth(String id) {
        return exec(
                        "SELECT id, account_id, password_hash, secured, booted_at IS NOT NULL AS booted FROM chargers "
                                + "WHERE id = $1",
                        Tuple.of(id))
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
                r.getString("id"),
                r.getString("account_id"),
                r.getString("password_hash"),
                r.getBoolean("secured"),
                r.getBoolean("booted"));
    }

    /** Uses of a field-tolerance rule by one charger at one field since the last write. */
    public record DeviationCount(
            String chargerId, String rule, String field, String detail, Instant first, Instant last, long count) {}

    /**
     * Adds counted deviations to the chargers' rows in one statement. Rows of chargers removed meanwhile are
     * dropped (the join), so a deletion never fails the write of other chargers' counts.
     */
    public Future<Void> addDeviations(List<DeviationCount> counts) {
        int n = counts.size();
        String[] chargers = new String[n], rules = new String[n], fields = new String[n], details = new String[n];
        OffsetDateTime[] firsts = new OffsetDateTime[n], lasts = new OffsetDateTime[n];
        Long[] numbers = new Long[n];
        for (int i = 0; i < n; i++) {
            DeviationCount c = counts.get(i);
            chargers[i] = c.chargerId();
            rules[i] = c.rule();
            fields[i] = c.field();
            details[i] = c.detail();
            firsts[i] = odt(c.first());
            lasts[i] = odt(c.last());
            numbers[i] = c.count();
        }
        return exec("""
                        INSERT INTO charger_deviations (charger_id, rule, field, detail, first_seen_at, last_seen_at, count)
                        SELECT u.* FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[],
                          $6::timestamptz[], $7::bigint[]) AS u(charger_id, rule, field, detail, f, l, n)
                        JOIN chargers c ON c.id = u.charger_id
                        ON CONFLICT (charger_id, rule, field) DO UPDATE SET
                          detail = excluded.detail,
                          first_seen_at = least(charger_deviations.first_seen_at, excluded.first_seen_at),
                          last_seen_at = greatest(charger_deviations.last_seen_at, excluded.last_seen_at),
                          count = charger_deviations.count + excluded.count""", Tuple.of(chargers, rules, fields, details, firsts, lasts, numbers))
                .mapEmpty();
    }

    /** Stores a security event a charger reported; the charger is answered once it is stored. */
    public Future<Void> addSecurityEvent(
            String chargerId, String type, Instant timestamp, String techInfo, boolean critical, Instant receivedAt) {
        return exec(
                        "INSERT INTO security_events (charger_id, type, ts, tech_info, critical, received_at) "
                                + "VALUES ($1, $2, $3, $4, $5, $6)",
                        Tuple.of(chargerId, type, odt(timestamp), techInfo, critical, odt(receivedAt)))
                .mapEmpty();
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
