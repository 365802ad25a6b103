package io.chargerstatus.roaming;

import io.chargerstatus.notify.GuardedUrls;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.UUID;

/**
 * Calls a partner's OCPI side during registration: its versions, its 2.2.1 endpoints, its credentials module.
 * Every url is checked like a webhook's (no internal addresses unless WEBHOOK_ALLOW_PRIVATE), redirects are
 * not followed, an answer larger than 256 KiB or slower than the timeout fails the registration.
 */
public final class OcpiClient {
    static final String VERSION = "2.2.1";
    private static final int MAX_ANSWER = 256 * 1024;

    private final WebClient client;
    private final GuardedUrls urls;
    private final int timeoutMs;

    /** Why a registration with a partner failed, with the OCPI status code to answer (3001, 3002, 3003). */
    public static final class Failed extends RuntimeException {
        public final int ocpiStatus;

        Failed(int ocpiStatus, String message) {
            super(message, null, false, false);
            this.ocpiStatus = ocpiStatus;
        }
    }

    /** What registration needs of the partner: its credentials and Locations receiver urls. */
    public record Endpoints(String credentials, String locationsReceiver) {}

    public OcpiClient(Vertx vertx, int timeoutMs, boolean allowPrivate) {
        this.client = WebClient.create(
                vertx,
                new WebClientOptions()
                        .setConnectTimeout(timeoutMs)
                        .setIdleTimeout(timeoutMs)
                        .setIdleTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS)
                        .setFollowRedirects(false));
        this.urls = new GuardedUrls(vertx, allowPrivate);
        this.timeoutMs = timeoutMs;
    }

    /** The partner's 2.2.1 endpoints, read from its versions url with {@code token}. */
    public Future<Endpoints> endpoints(String versionsUrl, String token) {
        return get(versionsUrl, token)
                .compose(data -> {
                    String url = null;
                    if (data instanceof JsonArray versions) {
                        for (Object v : versions) {
                            if (v instanceof JsonObject o && VERSION.equals(o.getString("version"))) {
                                url = o.getString("url");
                            }
                        }
                    }
                    if (url == null) {
                        return Future.failedFuture(new Failed(3002, "the partner offers no OCPI " + VERSION));
                    }
                    return get(url, token);
                })
                .map(data -> {
                    if (!(data instanceof JsonObject details) || details.getJsonArray("endpoints") == null) {
                        throw new Failed(3001, "the partner's version details have no endpoints");
                    }
                    String credentials = null;
                    String locations = null;
                    for (Object e : details.getJsonArray("endpoints")) {
                        if (!(e instanceof JsonObject o)) {
                            continue;
                        }
                        if ("credentials".equals(o.getString("identifier"))) {
                            credentials = o.getString("url");
                        }
                        if ("locations".equals(o.getString("identifier")) && "RECEIVER".equals(o.getString("role"))) {
                            locations = o.getString("url");
                        }
                    }
                    if (credentials == null || locations == null) {
                        throw new Failed(
                                3003, "the partner's 2.2.1 endpoints lack credentials or a Locations RECEIVER");
                    }
                    return new Endpoints(credentials, locations);
                });
    }

    /** POSTs our credentials to the partner's credentials module with its token A; its credentials back. */
    public Future<JsonObject> postCredentials(String url, String tokenA, JsonObject ours) {
        return urls.check(url)
                .compose(v -> client.postAbs(url)
                        .putHeader("Authorization", OcpiTokens.header(tokenA))
                        .putHeader("X-Request-ID", UUID.randomUUID().toString())
                        .putHeader("X-Correlation-ID", UUID.randomUUID().toString())
                        .timeout(timeoutMs)
                        .sendJsonObject(ours))
                .recover(e -> Future.failedFuture(failed(url, e)))
                .map(r -> envelope(url, r))
                .map(data -> {
                    if (!(data instanceof JsonObject c) || c.getString("token") == null) {
                        throw new Failed(3001, "the partner answered its credentials without a token");
                    }
                    return c;
                });
    }

    private Future<Object> get(String url, String token) {
        return urls.check(url)
                .compose(v -> client.getAbs(url)
                        .putHeader("Authorization", OcpiTokens.header(token))
                        .putHeader("X-Request-ID", UUID.randomUUID().toString())
                        .putHeader("X-Correlation-ID", UUID.randomUUID().toString())
                        .timeout(timeoutMs)
                        .send())
                .recover(e -> Future.failedFuture(failed(url, e)))
                .map(r -> envelope(url, r));
    }

    private static Failed failed(String url, Throwable e) {
        return e instanceof Failed f
                ? f
                : new Failed(3001, "cannot reach " + url + ": " + (e.getMessage() == null ? e : e.getMessage()));
    }

    /** The data of an OCPI answer; a failed one (not 2xx, not an envelope, not 1xxx) is a {@link Failed}. */
    private static Object envelope(String url, HttpResponse<Buffer> r) {
        Buffer body = r.body();
        if (r.statusCode() < 200 || r.statusCode() >= 300) {
            throw new Failed(3001, url + " answered HTTP " + r.statusCode());
        }
        if (body == null || body.length() > MAX_ANSWER) {
            throw new Failed(3001, url + " answered no body or one larger than " + MAX_ANSWER + " bytes");
        }
        JsonObject envelope;
        try {
            envelope = body.toJsonObject();
        } catch (RuntimeException e) {
            throw new Failed(3001, url + " did not answer an OCPI envelope");
        }
        Integer code = envelope.getInteger("status_code");
        if (code == null || code < 1000 || code >= 2000) {
            throw new Failed(3001, url + " answered OCPI status " + code + ": " + envelope.getString("status_message"));
        }
        return envelope.getValue("data");
    }

    public void close() {
        client.close();
    }
}
