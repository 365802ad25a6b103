package io.chargerstatus.notify;

import io.chargerstatus.infra.Config;
import io.chargerstatus.notify.WebhookStore.Message;
import io.chargerstatus.notify.WebhookStore.Subscription;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * A webhook POST as the Standard Webhooks specification writes it. Redirects are not followed (a 3xx is a
 * failed attempt: following one would let a receiver point the service anywhere); the answer's body is not
 * read; the url's host is checked by {@link GuardedUrls}.
 */
final class HttpTransport implements Transport {
    private final Vertx vertx;
    private final HttpClient client;
    private final Config.Notify settings;
    private final Clock clock;
    private final GuardedUrls urls;
    /** One keyed MAC per subscription (this transport runs on its deliverer's event loop only). */
    private final Map<String, Signature.Signer> signers = new HashMap<>();

    HttpTransport(Vertx vertx, Config.Notify settings, Clock clock) {
        this.vertx = vertx;
        this.settings = settings;
        this.clock = clock;
        this.urls = new GuardedUrls(vertx, settings.allowPrivate());
        // Vert.x core's client rather than the Web Client: one POST of a body already written, an answer that is
        // not read; nothing for the Web Client's codecs and interceptors to do once per change of a fleet
        // (docs/performance.md, 2026-12-03: the two measured).
        this.client = vertx.createHttpClient(
                new HttpClientOptions().setKeepAlive(true).setConnectTimeout(settings.timeoutMs()),
                new PoolOptions().setHttp1MaxSize(4));
    }

    @Override
    public Future<Integer> send(Subscription s, Message m) {
        return urls.check(s.url()).compose(v -> {
            byte[] bytes = m.body().getBytes(StandardCharsets.UTF_8);
            Buffer body = Buffer.buffer(bytes);
            long timestamp = clock.instant().getEpochSecond();
            RequestOptions request = new RequestOptions()
                    .setMethod(HttpMethod.POST)
                    .setAbsoluteURI(s.url())
                    .setFollowRedirects(false)
                    .setIdleTimeout(settings.timeoutMs())
                    .putHeader("content-type", "application/json")
                    .putHeader("user-agent", "charger-status-webhooks")
                    .putHeader("webhook-id", m.id())
                    .putHeader("webhook-timestamp", String.valueOf(timestamp))
                    .putHeader("webhook-signature", signer(s).sign(m.id(), timestamp, bytes));
            return client.request(request)
                    .compose(req -> req.send(body))
                    // The answer's body is not read: drained and dropped, whatever its size.
                    .compose(response -> response.end().map(done -> response.statusCode()))
                    .recover(e -> Future.failedFuture(new Refused(
                            null, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())))
                    .compose(code -> code >= 200 && code < 300
                            ? Future.succeededFuture(code)
                            : Future.failedFuture(new Refused(code, "HTTP " + code)));
        });
    }

    private Signature.Signer signer(Subscription s) {
        if (signers.size() > 10_000) {
            signers.clear(); // bounded: the keys of deleted subscriptions or replaced secrets are not kept for ever
        }
        return signers.computeIfAbsent(s.id() + "|" + s.secret(), k -> new Signature.Signer(Signature.key(s.secret())));
    }

    void close() {
        client.close();
    }
}
