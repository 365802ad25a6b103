package io.chargerstatus.notify;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;

/**
 * {@link UrlGuard} for a sender that calls the same urls again and again: a url's host is resolved again at
 * most once a minute (an address that changes to an internal one after the subscription was made is refused
 * too), off the event loop. One per event loop.
 */
public final class GuardedUrls {
    private static final long RECHECK_MS = 60_000;

    private final Vertx vertx;
    private final boolean allowPrivate;
    private final Map<String, Long> checkedUntil = new HashMap<>();

    public GuardedUrls(Vertx vertx, boolean allowPrivate) {
        this.vertx = vertx;
        this.allowPrivate = allowPrivate;
    }

    /** Succeeds when the url may be called; fails with a {@link Refused} otherwise. */
    public Future<Void> check(String url) {
        Long until = checkedUntil.get(url);
        long now = System.currentTimeMillis();
        if (until != null && until > now) {
            return Future.succeededFuture();
        }
        return vertx.executeBlocking(() -> UrlGuard.refusal(url, allowPrivate), false)
                .compose(refusal -> {
                    if (refusal != null) {
                        checkedUntil.remove(url);
                        return Future.failedFuture(new Refused(null, "refused: " + refusal));
                    }
                    if (checkedUntil.size() > 10_000) {
                        checkedUntil.clear(); // bounded: urls of deleted subscriptions are not kept for ever
                    }
                    checkedUntil.put(url, now + RECHECK_MS);
                    return Future.succeededFuture();
                });
    }
}
