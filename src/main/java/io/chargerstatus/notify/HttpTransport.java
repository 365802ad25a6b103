package io.chargerstatus.notify;

import io.chargerstatus.infra.Config;
import io.chargerstatus.notify.WebhookStore.Message;
import io.chargerstatus.notify.WebhookStore.Subscription;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.codec.BodyCodec;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * A webhook POST as the Standard Webhooks specification writes it. Redirects are not followed (a 3xx is a
 * failed attempt: following one would let a receiver point the service anywhere); the answer's body is not
 * read; the url's host is checked again at most once a minute (an address that changes to an internal one
 * after the subscription was made is refused too).
 */
final class HttpTransport implements SubscriptionRunner.Transport {
    private static final long RECHECK_MS = 60_000;

    private final Vertx vertx;
    private final WebClient client;
    private final Config.Notify settings;
    private final Clock clock;
    private final Map<String, Long> checkedUntil = new HashMap<>();

    HttpTransport(Vertx vertx, Config.Notify settings, Clock clock) {
        this.vertx = vertx;
        this.settings = settings;
        this.clock = clock;
        this.client = WebClient.create(
                vertx,
                new WebClientOptions()
                        .setFollowRedirects(false)
                        .setKeepAlive(true)
                        .setConnectTimeout(settings.timeoutMs())
                        .setUserAgent("charger-status-webhooks"));
    }

    @Override
    public Future<Integer> send(Subscription s, Message m) {
        return allowed(s.url()).compose(v -> {
            String body = m.body().encode();
            long timestamp = clock.instant().getEpochSecond();
            return client.postAbs(s.url())
                    .timeout(settings.timeoutMs())
                    .putHeader("content-type", "application/json")
                    .putHeader("webhook-id", m.id())
                    .putHeader("webhook-timestamp", String.valueOf(timestamp))
                    .putHeader("webhook-signature", Signature.sign(Signature.key(s.secret()), m.id(), timestamp, body))
                    .as(BodyCodec.none())
                    .sendBuffer(Buffer.buffer(body))
                    .recover(e -> Future.failedFuture(new SubscriptionRunner.Refused(
                            null, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())))
                    .compose(response -> {
                        int code = response.statusCode();
                        return code >= 200 && code < 300
                                ? Future.succeededFuture(code)
                                : Future.failedFuture(new SubscriptionRunner.Refused(code, "HTTP " + code));
                    });
        });
    }

    private Future<Void> allowed(String url) {
        Long until = checkedUntil.get(url);
        long now = System.currentTimeMillis();
        if (until != null && until > now) {
            return Future.succeededFuture();
        }
        return vertx.executeBlocking(() -> UrlGuard.refusal(url, settings.allowPrivate()), false)
                .compose(refusal -> {
                    if (refusal != null) {
                        checkedUntil.remove(url);
                        return Future.failedFuture(new SubscriptionRunner.Refused(null, "refused: " + refusal));
                    }
                    checkedUntil.put(url, now + RECHECK_MS);
                    return Future.succeededFuture();
                });
    }

    void close() {
        client.close();
    }
}
