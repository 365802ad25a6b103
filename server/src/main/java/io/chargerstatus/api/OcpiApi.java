package io.chargerstatus.api;

import com.networknt.schema.JsonSchema;
import com.networknt.schema.ValidationMessage;
import io.chargerstatus.infra.Config;
import io.chargerstatus.infra.Passwords;
import io.chargerstatus.infra.Schemas;
import io.chargerstatus.roaming.Locations;
import io.chargerstatus.roaming.OcpiTokens;
import io.chargerstatus.roaming.Registrations;
import io.chargerstatus.roaming.RoamingStore;
import io.chargerstatus.store.DatabaseHealth;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OCPI 2.2.1 server of the CPO role (the contract's "Roaming and open data"): versions, version details,
 * credentials (SENDER and RECEIVER) and the Locations SENDER interface, under {@code /ocpi}. Every answer is
 * an OCPI envelope; every request needs {@code Authorization: Token <base64 token>} (a partner's token A only
 * for versions and credentials, as the specification asks).
 */
public final class OcpiApi {
    private static final Logger LOG = LoggerFactory.getLogger(OcpiApi.class);
    static final String VERSION = "2.2.1";
    private static final String CALLER = "ocpi.caller";
    private static final JsonSchema CREDENTIALS = Schemas.fromOpenApi("OcpiCredentials");

    private final Vertx vertx;
    private final RoamingStore store;
    private final Registrations registrations;
    private final Config.Roaming settings;
    private final Clock clock;

    /** An OCPI failure: the HTTP status and the OCPI status code of the envelope. */
    static final class OcpiError extends RuntimeException {
        final int http;
        final int code;

        OcpiError(int http, int code, String message) {
            super(message, null, false, false);
            this.http = http;
            this.code = code;
        }
    }

    public OcpiApi(Vertx vertx, RoamingStore store, Registrations registrations, Config.Roaming settings, Clock clock) {
        this.vertx = vertx;
        this.store = store;
        this.registrations = registrations;
        this.settings = settings;
        this.clock = clock;
    }

    void mount(Router router) {
        Router ocpi = Router.router(vertx);
        ocpi.route().handler(this::authenticate); // who is calling first: no body of a stranger is read
        ocpi.route().handler(BodyHandler.create(false).setBodyLimit(Responses.MAX_BODY_BYTES));
        ocpi.get("/versions")
                .handler(answer(ctx -> Future.succeededFuture(new JsonArray()
                        .add(new JsonObject().put("version", VERSION).put("url", base(ctx) + "/ocpi/" + VERSION)))));
        ocpi.get("/" + VERSION).handler(answer(ctx -> Future.succeededFuture(details(base(ctx)))));
        String credentials = "/" + VERSION + "/credentials";
        ocpi.get(credentials).handler(answer(this::getCredentials));
        ocpi.post(credentials).handler(answer(ctx -> register(ctx, true)));
        ocpi.put(credentials).handler(answer(ctx -> register(ctx, false)));
        ocpi.delete(credentials).handler(answer(this::unregister));
        String locations = "/" + VERSION + "/locations";
        ocpi.get(locations).handler(this::locations);
        ocpi.get(locations + "/:location").handler(answer(ctx -> object(ctx, null, null)));
        ocpi.get(locations + "/:location/:evse").handler(answer(ctx -> object(ctx, ctx.pathParam("evse"), null)));
        ocpi.get(locations + "/:location/:evse/:connector")
                .handler(answer(ctx -> object(ctx, ctx.pathParam("evse"), ctx.pathParam("connector"))));
        ocpi.route()
                .handler(ctx -> ctx.fail(new OcpiError(
                        404, 2000, "no such OCPI endpoint: " + ctx.request().path())));
        ocpi.route().failureHandler(OcpiApi::failure);
        router.route("/ocpi/*").subRouter(ocpi);
    }

    // ---- the envelope ---------------------------------------------------------------------------

    static JsonObject envelope(Object data, int code, String message, Instant at) {
        JsonObject e = new JsonObject();
        if (data != null) {
            e.put("data", data);
        }
        e.put("status_code", code);
        if (message != null) {
            e.put("status_message", message);
        }
        return e.put("timestamp", Locations.time(at));
    }

    /** The request's X-Request-ID and X-Correlation-ID on the answer (made up when the partner sent none). */
    private static void ids(RoutingContext ctx) {
        String request = ctx.request().getHeader("X-Request-ID");
        String correlation = ctx.request().getHeader("X-Correlation-ID");
        ctx.response().putHeader("X-Request-ID", safe(request)).putHeader("X-Correlation-ID", safe(correlation));
    }

    private static String safe(String id) {
        return id == null || id.length() > 64 || !id.matches("[A-Za-z0-9._:-]+")
                ? UUID.randomUUID().toString()
                : id;
    }

    private Handler<RoutingContext> answer(Function<RoutingContext, Future<?>> handler) {
        return ctx -> {
            Future<?> result;
            try {
                result = handler.apply(ctx);
            } catch (RuntimeException e) {
                ctx.fail(e);
                return;
            }
            result.onSuccess(data -> send(ctx, 200, envelope(data, 1000, null, clock.instant())))
                    .onFailure(ctx::fail);
        };
    }

    static void send(RoutingContext ctx, int status, JsonObject body) {
        ids(ctx);
        ctx.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(body.encode());
    }

    /** Every failure as an OCPI envelope: ours with its codes, a refused body as 2001, the rest as 3000. */
    static void failure(RoutingContext ctx) {
        Throwable cause = ctx.failure();
        OcpiError error;
        if (cause instanceof OcpiError e) {
            error = e;
        } else if (cause instanceof io.chargerstatus.roaming.OcpiClient.Failed f) {
            LOG.info("OCPI registration refused: " + f.getMessage());
            error = new OcpiError(200, f.ocpiStatus, f.getMessage());
        } else if (cause instanceof ApiError a) {
            error = new OcpiError(a.status(), a.status() == 404 ? 2003 : 2001, a.getMessage());
        } else if (DatabaseHealth.unavailable(cause)) {
            error = new OcpiError(503, 3000, "the database is unavailable, try again shortly");
        } else if (cause == null && ctx.statusCode() == 413) {
            error = new OcpiError(413, 2001, "the body is larger than " + Responses.MAX_BODY_BYTES + " bytes");
        } else if (cause == null && ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
            error = new OcpiError(ctx.statusCode(), 2000, "the request was refused");
        } else {
            LOG.warn("OCPI request " + ctx.request().method() + " "
                    + ctx.request().path() + " failed: " + cause);
            error = new OcpiError(500, 3000, "the request could not be completed");
        }
        if (ctx.response().headWritten()) {
            ctx.response().reset();
            return;
        }
        send(ctx, error.http, envelope(null, error.code, error.getMessage(), Instant.now()));
    }

    // ---- who is calling -------------------------------------------------------------------------

    /** The partner of the token; token A only for versions and credentials; 401 otherwise. */
    private void authenticate(RoutingContext ctx) {
        String token = OcpiTokens.of(ctx.request().getHeader("Authorization"));
        if (token == null) {
            LOG.info("OCPI request " + ctx.request().path() + " from "
                    + ctx.request().remoteAddress() + " refused: no Authorization: Token header");
            ctx.fail(new OcpiError(401, 2000, "an Authorization: Token header is required"));
            return;
        }
        // The body must wait while the token is looked up, or it would be gone when the body handler runs.
        ctx.request().pause();
        store.caller(Passwords.tokenHash(token)).onComplete(ar -> {
            ctx.request().resume(); // a refused request's body is read and dropped, never kept
            if (ar.failed()) {
                ctx.fail(ar.cause());
            } else if (ar.result() == null) {
                LOG.info("OCPI request " + ctx.request().path() + " from "
                        + ctx.request().remoteAddress() + " refused: unknown token");
                ctx.fail(new OcpiError(401, 2000, "unknown credentials token"));
            } else if (ar.result().tokenA() && !registrationPath(ctx.request().path())) {
                LOG.info("OCPI request " + ctx.request().path() + " of partner "
                        + ar.result().party().id() + " refused: token A opens only versions and credentials");
                ctx.fail(new OcpiError(401, 2000, "token A opens only versions and credentials"));
            } else {
                ctx.put(CALLER, ar.result());
                ctx.next();
            }
        });
    }

    private static boolean registrationPath(String path) {
        return path.equals("/ocpi/versions")
                || path.equals("/ocpi/versions/")
                || path.equals("/ocpi/" + VERSION)
                || path.equals("/ocpi/" + VERSION + "/")
                || path.startsWith("/ocpi/" + VERSION + "/credentials");
    }

    private static RoamingStore.Caller caller(RoutingContext ctx) {
        return ctx.get(CALLER);
    }

    private String base(RoutingContext ctx) {
        return base(ctx, settings.baseUrl());
    }

    /** The url partners reach the service at: OCPI_BASE_URL, else this request's scheme and host. */
    static String base(RoutingContext ctx, String configured) {
        return configured != null
                ? configured
                : ctx.request().scheme() + "://" + ctx.request().authority();
    }

    private static JsonObject details(String base) {
        String root = base + "/ocpi/" + VERSION;
        return new JsonObject()
                .put("version", VERSION)
                .put(
                        "endpoints",
                        new JsonArray()
                                .add(endpoint("credentials", "SENDER", root + "/credentials"))
                                .add(endpoint("credentials", "RECEIVER", root + "/credentials"))
                                .add(endpoint("locations", "SENDER", root + "/locations")));
    }

    private static JsonObject endpoint(String id, String role, String url) {
        return new JsonObject().put("identifier", id).put("role", role).put("url", url);
    }

    // ---- credentials ----------------------------------------------------------------------------

    private Future<JsonObject> getCredentials(RoutingContext ctx) {
        RoamingStore.Caller c = caller(ctx);
        String token = OcpiTokens.of(ctx.request().getHeader("Authorization"));
        return account(c.party().accountId()).map(a -> Registrations.ours(a, token, base(ctx)));
    }

    /** POST (a partner not registered yet, with token A) or PUT (a registered one, with token C). */
    private Future<JsonObject> register(RoutingContext ctx, boolean post) {
        RoamingStore.Caller c = caller(ctx);
        if (post && !c.tokenA()) {
            throw new OcpiError(405, 2000, "already registered: update the credentials with PUT");
        }
        if (!post && c.tokenA()) {
            throw new OcpiError(405, 2000, "not registered yet: register with POST");
        }
        JsonObject body;
        try {
            body = ctx.body().asJsonObject();
        } catch (RuntimeException e) {
            throw new OcpiError(400, 2001, "the body must be a credentials object");
        }
        if (body == null) {
            throw new OcpiError(400, 2001, "the body must be a credentials object");
        }
        Set<ValidationMessage> errors = Schemas.check(CREDENTIALS, body);
        if (!errors.isEmpty()) {
            throw new OcpiError(400, 2001, Schemas.describe(Schemas.mostSpecific(errors)));
        }
        return account(c.party().accountId())
                .compose(a -> registrations.accept(c.party(), body, base(ctx)))
                .onSuccess(v -> LOG.info("OCPI partner " + c.party().id() + " of account "
                        + c.party().accountId() + (post ? " registered" : " updated its credentials")));
    }

    private Future<Object> unregister(RoutingContext ctx) {
        RoamingStore.Caller c = caller(ctx);
        if (c.tokenA()) {
            throw new OcpiError(405, 2000, "not registered");
        }
        return store.deleteParty(c.party().id(), null).map(v -> {
            LOG.info("OCPI partner " + c.party().id() + " unregistered itself");
            return null;
        });
    }

    private Future<RoamingStore.Account> account(String accountId) {
        return store.account(accountId).map(a -> {
            if (a == null || a.cpo() == null) {
                throw new OcpiError(200, 3000, "this account publishes no OCPI data (no country code and party id)");
            }
            return a;
        });
    }

    // ---- locations ------------------------------------------------------------------------------

    /** {@code GET /locations}: a page, with X-Total-Count, X-Limit and a Link to the next page. */
    private void locations(RoutingContext ctx) {
        RoamingStore.Caller c = caller(ctx);
        account(c.party().accountId())
                .compose(a -> page(ctx, a, base(ctx) + "/ocpi/" + VERSION + "/locations"))
                .onSuccess(p -> {
                    p.headers(ctx);
                    send(ctx, 200, envelope(new JsonArray(p.page().locations()), 1000, null, clock.instant()));
                })
                .onFailure(ctx::fail);
    }

    /** One page of an account's locations (the query's filters); shared with the open data feed. */
    Future<OcpiPage> page(RoutingContext ctx, RoamingStore.Account a, String self) {
        Instant from = time(ctx.queryParams().get("date_from"), "date_from");
        Instant to = time(ctx.queryParams().get("date_to"), "date_to");
        int offset = number(ctx.queryParams().get("offset"), "offset", 0, Integer.MAX_VALUE, 0);
        int limit = number(ctx.queryParams().get("limit"), "limit", 1, settings.pageLimit(), settings.pageLimit());
        return store.locations(a.cpo(), a.id(), null, from, to, offset, limit)
                .map(p -> new OcpiPage(p, offset, limit, link(self, ctx, offset, limit, p.total())));
    }

    /** A page of locations and the pagination headers it is sent with. */
    record OcpiPage(RoamingStore.Page page, int offset, int limit, String next) {
        void headers(RoutingContext ctx) {
            ctx.response()
                    .putHeader("X-Total-Count", String.valueOf(page.total()))
                    .putHeader("X-Limit", String.valueOf(limit));
            if (next != null) {
                ctx.response().putHeader("Link", "<" + next + ">; rel=\"next\"");
            }
        }
    }

    private static String link(String self, RoutingContext ctx, int offset, int limit, int total) {
        if (offset + limit >= total) {
            return null;
        }
        StringBuilder url = new StringBuilder(self)
                .append("?offset=")
                .append(offset + limit)
                .append("&limit=")
                .append(limit);
        for (String filter : new String[] {"date_from", "date_to"}) {
            String value = ctx.queryParams().get(filter);
            if (value != null) {
                url.append('&').append(filter).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
            }
        }
        return url.toString();
    }

    /** OCPI DateTime: RFC 3339, UTC when no offset is given. */
    static Instant time(String raw, String name) {
        if (raw == null || raw.isEmpty()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(raw).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return LocalDateTime.parse(raw).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException again) {
                throw new OcpiError(400, 2001, name + " must be an RFC 3339 date-time, got " + abbreviate(raw));
            }
        }
    }

    static int number(String raw, String name, int min, int max, int fallback) {
        if (raw == null || raw.isEmpty()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(raw);
            if (n < min) {
                throw new OcpiError(400, 2001, name + " must be at least " + min);
            }
            return Math.min(n, max);
        } catch (NumberFormatException e) {
            throw new OcpiError(400, 2001, name + " must be a whole number, got " + abbreviate(raw));
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    /** {@code GET /locations/{location}[/{evse}[/{connector}]]}. */
    private Future<JsonObject> object(RoutingContext ctx, String evseUid, String connectorId) {
        RoamingStore.Caller c = caller(ctx);
        String locationId = ctx.pathParam("location");
        return account(c.party().accountId())
                .compose(a -> store.locations(a.cpo(), a.id(), locationId, null, null, 0, 1))
                .map(page -> {
                    if (page.locations().isEmpty()) {
                        throw new OcpiError(404, 2003, "unknown location " + abbreviate(locationId));
                    }
                    JsonObject location = page.locations().get(0);
                    if (evseUid == null) {
                        return location;
                    }
                    JsonObject evse = find(location.getJsonArray("evses"), "uid", evseUid);
                    if (evse == null) {
                        throw new OcpiError(404, 2003, "unknown EVSE " + abbreviate(evseUid));
                    }
                    if (connectorId == null) {
                        return evse;
                    }
                    JsonObject connector = find(evse.getJsonArray("connectors"), "id", connectorId);
                    if (connector == null) {
                        throw new OcpiError(404, 2003, "unknown connector " + abbreviate(connectorId));
                    }
                    return connector;
                });
    }

    private static JsonObject find(JsonArray list, String key, String value) {
        for (Object o : list) {
            if (o instanceof JsonObject j && value.equals(j.getString(key))) {
                return j;
            }
        }
        return null;
    }
}
