package io.chargerstatus.api;

import io.chargerstatus.roaming.RoamingStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /open-data/{accountId}/locations}: an account's OCPI Locations without a token, when the account
 * enables it (free, machine-readable availability). Cacheable: an ETag of the page and Last-Modified of its
 * newest location, answered 304 when the client has them. Each client address may ask OPEN_DATA_PER_MINUTE
 * times a minute on each instance (a token bucket refilled continuously); beyond that 429 with Retry-After.
 */
final class OpenData {
    private static final Logger LOG = LoggerFactory.getLogger(OpenData.class);
    private static final int MAX_CLIENTS = 100_000;

    private final OcpiApi ocpi;
    private final RoamingStore store;
    private final Clock clock;
    private final int perMinute;
    private final String baseUrl;
    /** Client address -> {tokens left, last refill millis}; oldest-first, so that the bound drops the stalest. */
    private final Map<String, double[]> buckets = new LinkedHashMap<>(16, 0.75f, true);

    OpenData(OcpiApi ocpi, RoamingStore store, Clock clock, int perMinute, String baseUrl) {
        this.ocpi = ocpi;
        this.store = store;
        this.clock = clock;
        this.perMinute = perMinute;
        this.baseUrl = baseUrl;
    }

    void mount(Router router) {
        router.get("/open-data/:accountId/locations").handler(this::locations);
    }

    /** Whether the client may ask now; takes one token when it may. Runs on the HTTP verticle's loop only. */
    boolean allow(String client, long nowMs) {
        double[] b = buckets.get(client);
        if (b == null) {
            if (buckets.size() >= MAX_CLIENTS) {
                String eldest = buckets.keySet().iterator().next();
                buckets.remove(eldest);
            }
            b = new double[] {perMinute, nowMs};
            buckets.put(client, b);
        }
        b[0] = Math.min(perMinute, b[0] + (nowMs - b[1]) * perMinute / 60_000.0);
        b[1] = nowMs;
        if (b[0] < 1) {
            return false;
        }
        b[0] -= 1;
        return true;
    }

    private void locations(RoutingContext ctx) {
        String client = ctx.request().remoteAddress() == null
                ? "?"
                : ctx.request().remoteAddress().hostAddress();
        if (!allow(client, clock.millis())) {
            long wait = (long) Math.ceil(60.0 / perMinute);
            LOG.atInfo().log(() -> "open data: " + client + " over " + perMinute + " requests a minute, refused");
            ctx.response()
                    .setStatusCode(429)
                    .putHeader("Retry-After", String.valueOf(Math.max(1, wait)))
                    .putHeader("Content-Type", "application/json")
                    .end(new JsonObject()
                            .put("error", "too_many_requests")
                            .put("message", "at most " + perMinute + " requests a minute per client address")
                            .encode());
            return;
        }
        String accountId;
        try {
            accountId = Params.pathId(ctx, "accountId");
        } catch (ApiError e) {
            ctx.fail(e);
            return;
        }
        store.account(accountId)
                .compose(a -> {
                    if (a == null || a.cpo() == null || !a.openData()) {
                        // The same answer whether the account exists or not: nothing to learn by probing.
                        throw ApiError.notFound("no open data for " + accountId);
                    }
                    String self = OcpiApi.base(ctx, baseUrl) + "/open-data/" + accountId + "/locations";
                    return ocpi.page(ctx, a, self);
                })
                .onSuccess(p -> {
                    JsonArray data = new JsonArray(p.page().locations());
                    Instant newest = Instant.EPOCH;
                    for (Object o : data) {
                        Instant at = Instant.parse(((JsonObject) o).getString("last_updated"));
                        newest = at.isAfter(newest) ? at : newest;
                    }
                    String tag = "\"" + digest(data.encode() + "|" + p.page().total()) + "\"";
                    String modified = DateTimeFormatter.RFC_1123_DATE_TIME.format(newest.atOffset(ZoneOffset.UTC));
                    p.headers(ctx);
                    ctx.response()
                            .putHeader("ETag", tag)
                            .putHeader("Last-Modified", modified)
                            .putHeader("Cache-Control", "public, max-age=30")
                            .putHeader("Access-Control-Allow-Origin", "*");
                    if (notModified(ctx, tag, newest)) {
                        ctx.response().setStatusCode(304).end();
                        return;
                    }
                    OcpiApi.send(ctx, 200, OcpiApi.envelope(data, 1000, null, clock.instant()));
                })
                .onFailure(e -> {
                    if (e instanceof OcpiApi.OcpiError o) {
                        ctx.fail(ApiError.badRequest(o.getMessage()));
                    } else {
                        ctx.fail(e);
                    }
                });
    }

    private static boolean notModified(RoutingContext ctx, String tag, Instant newest) {
        String match = ctx.request().getHeader("If-None-Match");
        if (match != null) {
            for (String t : match.split(",")) {
                String v = t.trim();
                if (v.equals(tag) || v.equals("W/" + tag) || v.equals("*")) {
                    return true;
                }
            }
            return false;
        }
        String since = ctx.request().getHeader("If-Modified-Since");
        if (since != null) {
            try {
                Instant at = DateTimeFormatter.RFC_1123_DATE_TIME.parse(since, Instant::from);
                return !newest.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                        .isAfter(at); // HTTP dates: seconds
            } catch (DateTimeParseException e) {
                return false;
            }
        }
        return false;
    }

    private static String digest(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
