package io.chargerstatus.api;

import io.chargerstatus.store.EventHistory;
import io.chargerstatus.store.Sql;

/** The back office's stores, one per aggregate, over one pool. */
public record BackOffice(
        AccountStore accounts, SiteStore sites, IdTagStore idTags, ChargerQueries chargers, EventHistory events) {
    public static BackOffice over(Sql.Access access) {
        return new BackOffice(
                new AccountStore(access),
                new SiteStore(access),
                new IdTagStore(access),
                new ChargerQueries(access),
                new EventHistory(access));
    }
}
