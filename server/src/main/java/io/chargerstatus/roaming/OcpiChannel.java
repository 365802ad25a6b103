package io.chargerstatus.roaming;

import io.chargerstatus.infra.Config;
import io.chargerstatus.notify.Channel;
import io.chargerstatus.notify.GuardedUrls;
import io.chargerstatus.notify.Refused;
import io.chargerstatus.notify.WebhookStore.Message;
import io.chargerstatus.notify.WebhookStore.Subscription;
import io.chargerstatus.store.Sql;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The live push to roaming partners (the contract's "Live push"), as a channel of the webhook deliverers: a
 * registered partner is a subscription {@code ocpi:<party>} whose messages ({@link PartnerFeed}) are the
 * partner's Locations receiver requests, sent one at a time in history order with the webhooks' retries,
 * leases and cursors. A partner answering with an OCPI client error (2xxx, or an HTTP 4xx other than 401, 408
 * and 429) has refused that one message: it is logged and passed, never retried for a day in front of every
 * later change.
 */
public final class OcpiChannel implements Channel {
    public static final String SCHEME = "ocpi:";
    /** How long a partner's url and token are kept before they are read again (a credentials PUT changes them). */
    private static final long PARTY_TTL_MS = 2_000;

    private final RoamingStore store;
    private final FeedStore feed;
    private final Config.Notify settings;
    private final Clock clock;
    private final HttpClient client;
    private final GuardedUrls urls;
    private final Map<String, Cached> parties = new HashMap<>();

    private record Cached(RoamingStore.Party party, RoamingStore.Account account, long until) {}

    private final int window;

    public OcpiChannel(Vertx vertx, Sql.Access db, Config.Notify settings, int window, Clock clock) {
        this.window = window;
        this.store = new RoamingStore(db);
        this.feed = new FeedStore(db);
        this.settings = settings;
        this.clock = clock;
        this.client = vertx.createHttpClient(
                new HttpClientOptions().setKeepAlive(true).setConnectTimeout(settings.timeoutMs()),
                new PoolOptions().setHttp1MaxSize(Math.min(64, Math.max(4, window))));
        this.urls = new GuardedUrls(vertx, settings.allowPrivate());
    }

    @Override
    public String scheme() {
        return SCHEME;
    }

    @Override
    public Source open(Subscription s) {
        return new PartnerFeed(store, feed, s.accountId(), window);
    }

    /**
     * A request to the partner's Locations receiver as a message: its type is the method and the path under the
     * receiver's url ({@code PATCH /NL/ABC/depot/CP-1-1}, what the delivery log shows), its body the request's.
     */
    static Message request(
            String id, String method, String path, String body, boolean status, long position, java.time.Instant at) {
        return new Message(id, method + " " + path, body, status, position, at);
    }

    /** Whether a message is one of {@link #request}'s. */
    static boolean isRequest(Message m) {
        return m.type().startsWith("PATCH /") || m.type().startsWith("PUT /");
    }

    @Override
    public Future<Integer> send(Subscription s, Message m) {
        String partyId = s.url().substring(SCHEME.length());
        return party(partyId, s.accountId()).compose(cached -> {
            RoamingStore.Party p = cached.party();
            if (p == null || !p.registered() || p.locationsUrl() == null) {
                return Future.failedFuture(new Refused(null, "partner " + partyId + " has no Locations receiver"));
            }
            int space = m.type().indexOf(' ');
            String url = stripSlash(p.locationsUrl()) + m.type().substring(space + 1);
            // The partner's host is what the guard checks (once a minute), not each EVSE's path.
            return urls.check(p.locationsUrl()).compose(v -> {
                Buffer body = Buffer.buffer(m.body());
                RequestOptions options = new RequestOptions()
                        .setMethod(HttpMethod.valueOf(m.type().substring(0, space)))
                        .setAbsoluteURI(url)
                        .setFollowRedirects(false)
                        .setIdleTimeout(settings.timeoutMs())
                        .putHeader("content-type", "application/json")
                        .putHeader("authorization", OcpiTokens.header(p.outgoingToken()))
                        .putHeader("x-request-id", UUID.randomUUID().toString())
                        .putHeader("x-correlation-id", m.id())
                        .putHeader(
                                "ocpi-from-country-code", cached.account().cpo().countryCode())
                        .putHeader("ocpi-from-party-id", cached.account().cpo().partyId());
                if (p.countryCode() != null) {
                    options.putHeader("ocpi-to-country-code", p.countryCode())
                            .putHeader("ocpi-to-party-id", p.partyId());
                }
                return client.request(options)
                        .compose(req -> req.send(body))
                        .compose(response -> response.body().map(b -> answer(response.statusCode(), b)))
                        .recover(e -> Future.failedFuture(
                                e instanceof Refused
                                        ? e
                                        : new Refused(
                                                null,
                                                e.getMessage() == null
                                                        ? e.getClass().getSimpleName()
                                                        : e.getMessage())));
            });
        });
    }

    /** The partner's answer: HTTP 2xx with an OCPI 1xxx status (or none) delivers the message. */
    private static int answer(int http, Buffer body) {
        Integer code = null;
        try {
            JsonObject envelope = body.length() == 0 || body.length() > 65536 ? null : body.toJsonObject();
            code = envelope == null ? null : envelope.getInteger("status_code");
        } catch (RuntimeException e) {
            // not an OCPI envelope: judged by the HTTP status alone
        }
        boolean clientError = code != null && code >= 2000 && code < 3000;
        if (http >= 200 && http < 300 && !clientError) {
            return http;
        }
        boolean permanent = clientError || (http >= 400 && http < 500 && http != 401 && http != 408 && http != 429);
        throw new Refused(http, "HTTP " + http + (code == null ? "" : ", OCPI status " + code), permanent);
    }

    private Future<Cached> party(String partyId, String accountId) {
        Cached c = parties.get(partyId);
        long now = clock.millis();
        if (c != null && c.until() > now) {
            return Future.succeededFuture(c);
        }
        return store.party(partyId, accountId)
                .compose(p -> store.account(accountId).map(a -> {
                    if (a == null || a.cpo() == null) {
                        throw new Refused(null, "account " + accountId + " has no OCPI identity");
                    }
                    Cached fresh = new Cached(p, a, now + PARTY_TTL_MS);
                    if (parties.size() > 10_000) {
                        parties.clear();
                    }
                    parties.put(partyId, fresh);
                    return fresh;
                }));
    }

    static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    @Override
    public void close() {
        client.close();
    }

    @Override
    public Future<Void> prune() {
        return feed.pruneChanges();
    }

    /** Makes one per deliverer. */
    public static Channel.Factory factory(
            java.util.function.Function<Vertx, Sql.Access> db, Config.Notify settings, int window, Clock clock) {
        return vertx -> new OcpiChannel(vertx, db.apply(vertx), settings, window, clock);
    }
}
