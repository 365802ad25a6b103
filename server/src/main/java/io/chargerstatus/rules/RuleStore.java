package io.chargerstatus.rules;

import io.chargerstatus.store.LookupCache;
import io.chargerstatus.store.Sql;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;

/** What the business rules read and write: a charger's site rules and held transactions. */
public final class RuleStore extends Sql {
    /** Queries over the caller's pool. */
    public RuleStore(Sql.Access access) {
        super(access);
    }

    /** A site's delayed-charging settings as seen from one of its chargers; null when the charger has no site. */
    public record SiteRules(String timezone, JsonObject delayedCharging) {}

    /** A charger's site rules, asked at every transaction start; forgotten when its site or the sites change. */
    private final LookupCache<String, SiteRules> siteRules = new LookupCache<>(50_000);

    /** Forgets the site rules kept for this charger: its site changed, or it was removed. */
    public void forgetCharger(String chargerId) {
        siteRules.forget(chargerId);
    }

    /** Forgets every site rule kept: a site changed. */
    public void forgetSites() {
        siteRules.forgetAll();
    }

    public Future<SiteRules> siteRules(String chargerId) {
        return siteRules.get(chargerId, () -> readSiteRules(chargerId));
    }

    private Future<SiteRules> readSiteRules(String chargerId) {
        return exec(
                        "SELECT s.timezone, s.delayed_charging FROM chargers c JOIN sites s ON s.account_id = c.account_id AND s.id = c.site_id WHERE c.id = $1",
                        Tuple.of(chargerId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    Row r = rows.iterator().next();
                    Object delayed = r.getValue("delayed_charging");
                    return new SiteRules(r.getString("timezone"), delayed instanceof JsonObject o ? o : null);
                });
    }

    public Future<Void> markTransaction(int transactionId, boolean boost, Instant heldUntil) {
        return exec(
                        "UPDATE transactions SET boost = $2, held_until = $3 WHERE id = $1",
                        Tuple.of(transactionId, boost, odt(heldUntil)))
                .mapEmpty();
    }
}
