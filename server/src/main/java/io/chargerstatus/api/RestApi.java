package io.chargerstatus.api;

import io.chargerstatus.bus.Bus;
import io.chargerstatus.command.ChargerCalls;
import io.chargerstatus.command.CommandCatalog;
import io.chargerstatus.infra.Passwords;
import io.chargerstatus.status.ChargerState;
import io.chargerstatus.status.Status;
import io.chargerstatus.uptime.OpeningHours;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.UUID;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The back-office REST API under {@code /api/v1} and the SSE route. Every handler resolves the caller's
 * {@link Principal} first; failures travel as failed futures and are mapped to JSON errors in
 * {@link #failure} only.
 */
public final class RestApi {
    private static final Logger LOG = LoggerFactory.getLogger(RestApi.class);

    private final Vertx vertx;
    private final BackOffice backOffice;
    private final SseHub sse;
    private final ChargerCalls commands;
    private final String adminToken;
    private final int passwordIterations;
    private final NotificationApi notifications;
    private final UptimeApi uptime;
    private final RoamingApi roaming;

    public RestApi(
            Vertx vertx,
            BackOffice backOffice,
            SseHub sse,
            ChargerCalls commands,
            NotificationApi notifications,
            UptimeApi uptime,
            RoamingApi roaming,
            String adminToken,
            int passwordIterations) {
        this.notifications = notifications;
        this.uptime = uptime;
        this.roaming = roaming;
        this.passwordIterations = passwordIterations;
        this.vertx = vertx;
        this.backOffice = backOffice;
        this.sse = sse;
        this.commands = commands;
        this.adminToken = adminToken;
    }

    public void mount(Router router) {
        Router api = Router.router(vertx);
        // Who is calling comes first: nothing of an unauthenticated request's body is read, let alone stored.
        api.route().handler(new Authentication(backOffice.accounts(), adminToken));
        api.route()
                .handler(BodyHandler.create(false)
                        .setBodyLimit(Responses.MAX_BODY_BYTES)); // false: no file uploads, ever
        api.post("/accounts").handler(Responses.json(201, this::createAccount));
        api.get("/accounts")
                .handler(Responses.json(
                        200,
                        ctx -> backOffice
                                .accounts()
                                .accounts(Authentication.principal(ctx).scope(null))));
        api.post("/accounts/:id/tokens").handler(Responses.json(201, this::issueToken));
        api.get("/accounts/:id/tokens").handler(Responses.json(200, ctx -> {
            Authentication.principal(ctx).requireAdmin();
            return backOffice.accounts().tokens(Params.pathId(ctx, "id")).map(a -> (Object) a);
        }));
        api.delete("/tokens/:id").handler(Responses.json(204, this::revokeToken));
        api.post("/sites").handler(Responses.json(201, this::upsertSite));
        api.get("/sites")
                .handler(Responses.json(
                        200,
                        ctx -> backOffice
                                .sites()
                                .sites(Authentication.principal(ctx).scope(Params.queryId(ctx, "accountId")))));
        api.post("/chargers").handler(Responses.json(201, this::addCharger));
        api.get("/chargers").handler(Responses.json(200, this::listChargers));
        api.get("/chargers/:id").handler(Responses.json(200, ctx -> visibleCharger(ctx)));
        api.delete("/chargers/:id").handler(Responses.json(204, this::removeCharger));
        api.patch("/chargers/:id").handler(Responses.json(200, this::updateCharger));
        api.get("/chargers/:id/history").handler(Responses.json(200, this::history));
        api.post("/chargers/:id/commands/:name").handler(Responses.json(200, this::command));
        api.get("/chargers/:id/commands").handler(Responses.json(200, ctx -> listOf(ctx, commands::history)));
        api.get("/chargers/:id/transactions")
                .handler(Responses.json(200, ctx -> listOf(ctx, backOffice.chargers()::transactions)));
        api.get("/chargers/:id/security-events")
                .handler(Responses.json(200, ctx -> listOf(ctx, backOffice.chargers()::securityEvents)));
        api.get("/status-summary").handler(Responses.json(200, this::statusSummary));
        api.get("/status-history").handler(Responses.json(200, this::statusHistory));
        api.post("/id-tags").handler(Responses.json(201, this::upsertIdTag));
        api.get("/id-tags")
                .handler(Responses.json(
                        200,
                        ctx -> backOffice
                                .idTags()
                                .idTags(Authentication.principal(ctx).scope(Params.queryId(ctx, "accountId")))));
        api.delete("/id-tags/:idTag").handler(Responses.json(204, this::deleteIdTag));
        api.get("/events").handler(this::events);
        api.get("/statuses").handler(Responses.json(200, ctx -> Future.succeededFuture(statuses())));
        notifications.mount(api);
        uptime.mount(api);
        roaming.mount(api);
        api.route()
                .handler(ctx -> ctx.fail(ApiError.notFound("no such route: "
                        + ctx.request().method() + " " + ctx.request().path())));
        api.route().failureHandler(Responses::failure);
        router.route("/api/v1/*").subRouter(api);
    }

    // ---- handlers ------------------------------------------------------------------------------

    private Future<JsonObject> createAccount(RoutingContext ctx) {
        Authentication.principal(ctx).requireAdmin();
        JsonObject body = BodySchemas.ACCOUNT.read(ctx);
        return backOffice.accounts().createAccount(body.getString("id"), body.getString("name"));
    }

    private Future<JsonObject> issueToken(RoutingContext ctx) {
        Authentication.principal(ctx).requireAdmin();
        String accountId = Params.pathId(ctx, "id");
        String token = Passwords.newToken();
        String id = UUID.randomUUID().toString();
        return backOffice
                .accounts()
                .accountExists(accountId)
                .compose(exists -> {
                    if (!exists) {
                        throw ApiError.notFound("no account " + accountId);
                    }
                    return backOffice.accounts().insertToken(id, accountId, Passwords.tokenHash(token));
                })
                .map(v -> new JsonObject()
                        .put("id", id)
                        .put("accountId", accountId)
                        .put("token", token));
    }

    private Future<Object> revokeToken(RoutingContext ctx) {
        Authentication.principal(ctx).requireAdmin();
        String id = Params.pathId(ctx, "id");
        return backOffice.accounts().deleteToken(id).map(deleted -> {
            if (!deleted) {
                throw ApiError.notFound("no token " + id);
            }
            vertx.eventBus().publish(Bus.TOKEN_REVOKED, id); // its open SSE streams end, on every instance
            return null;
        });
    }

    /** {@code PATCH /chargers/{id}}: name, site, secured, password (null clears it). */
    private Future<JsonObject> updateCharger(RoutingContext ctx) {
        JsonObject patch = BodySchemas.CHARGER_PATCH.read(ctx);
        return visibleCharger(ctx).compose(row -> {
            String siteId = patch.getString("siteId");
            Future<Void> siteOk = siteId == null
                    ? Future.succeededFuture()
                    : backOffice
                            .sites()
                            .siteExists(siteId, row.getString("accountId"))
                            .map(exists -> {
                                if (!exists) {
                                    throw ApiError.notFound(
                                            "no site " + siteId + " in account " + row.getString("accountId"));
                                }
                                return null;
                            });
            Future<String> hash = !patch.containsKey("password")
                    ? Future.succeededFuture(null)
                    : patch.getString("password") == null
                            ? Future.succeededFuture("")
                            : vertx.executeBlocking(
                                    () -> Passwords.hash(patch.getString("password"), passwordIterations), false);
            return siteOk.compose(v -> hash)
                    .compose(h -> this.registry(new Bus.UpdateCharger(
                            row.getString("id"),
                            patch.containsKey("name"),
                            patch.getString("name"),
                            patch.containsKey("siteId"),
                            patch.getString("siteId"),
                            patch.getBoolean("secured"),
                            h)))
                    .compose(v -> backOffice.chargers().charger(row.getString("id"), null));
        });
    }

    private Future<JsonObject> upsertSite(RoutingContext ctx) {
        JsonObject body = BodySchemas.SITE.read(ctx);
        Authentication.principal(ctx).scope(body.getString("accountId"));
        try {
            ZoneId.of(body.getString("timezone"));
        } catch (DateTimeException e) {
            throw ApiError.badRequest("timezone: not an IANA time zone: " + body.getString("timezone"));
        }
        try {
            OpeningHours.parse(body.getValue("openingHours"));
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage());
        }
        return backOffice
                .sites()
                .upsertSite(body)
                .onSuccess(site -> vertx.eventBus().publish(Bus.SITES_CHANGED, body.getString("accountId")));
    }

    private Future<JsonObject> addCharger(RoutingContext ctx) {
        JsonObject body = BodySchemas.CHARGER.read(ctx);
        String accountId = Authentication.principal(ctx).scope(body.getString("accountId"));
        String siteId = body.getString("siteId");
        Future<Void> siteOk = siteId == null
                ? Future.succeededFuture()
                : backOffice.sites().siteExists(siteId, accountId).map(exists -> {
                    if (!exists) {
                        throw ApiError.notFound("no site " + siteId + " in account " + accountId);
                    }
                    return null;
                });
        String password = body.getString("password");
        return siteOk.compose(v -> password == null
                        ? Future.<String>succeededFuture(null)
                        : vertx.executeBlocking(() -> Passwords.hash(password, passwordIterations), false))
                .compose(hash -> this.<ChargerState>registry(new Bus.AddCharger(
                        body.getString("id"),
                        body.getString("accountId"),
                        body.getString("siteId"),
                        body.getString("name"),
                        body.getBoolean("secured", true),
                        hash)))
                .compose(reply -> backOffice.chargers().charger(body.getString("id"), null));
    }

    private Future<Object> listChargers(RoutingContext ctx) {
        String accountId = Authentication.principal(ctx).scope(Params.queryId(ctx, "accountId"));
        String status = ctx.queryParams().get("status");
        if (status != null && Status.parse(status) == null) {
            throw ApiError.badRequest("status must be one of " + Arrays.toString(Status.values()));
        }
        return backOffice
                .chargers()
                .chargers(accountId, Params.queryId(ctx, "siteId"), status)
                .map(a -> a);
    }

    private Future<JsonObject> visibleCharger(RoutingContext ctx) {
        String id = Params.pathId(ctx, "id");
        return backOffice
                .chargers()
                .charger(id, Authentication.principal(ctx).accountId())
                .map(row -> {
                    if (row == null) {
                        throw ApiError.notFound("no charger " + id);
                    }
                    return row;
                });
    }

    /**
     * Decommissions (the history stays for the uptime reports); {@code ?purge=true}, admin only, erases the
     * history too, also of a charger decommissioned earlier.
     */
    private Future<Object> removeCharger(RoutingContext ctx) {
        String purge = ctx.queryParams().get("purge");
        if (purge != null && !purge.equals("true") && !purge.equals("false")) {
            throw ApiError.badRequest("purge must be true or false");
        }
        if (!"true".equals(purge)) {
            return visibleCharger(ctx)
                    .compose(row -> this.registry(new Bus.RemoveCharger(row.getString("id"), false)))
                    .map(reply -> null);
        }
        if (!Authentication.principal(ctx).admin()) {
            throw ApiError.forbidden("purge=true (erasing a charger's history) needs the admin token");
        }
        String id = Params.pathId(ctx, "id");
        return this.<Boolean>registry(new Bus.RemoveCharger(id, true)).map(reply -> {
            if (!Boolean.TRUE.equals(reply.body())) {
                throw ApiError.notFound("no charger " + id + " and no history of it");
            }
            return null;
        });
    }

    private Future<Object> history(RoutingContext ctx) {
        int limit = Params.intParam(ctx, "limit", 100, 1, 1000);
        return visibleCharger(ctx)
                .compose(row -> backOffice.events().history(row.getString("id"), limit))
                .map(a -> a);
    }

    private Future<Object> listOf(RoutingContext ctx, BiFunction<String, Integer, Future<JsonArray>> query) {
        int limit = Params.intParam(ctx, "limit", 100, 1, 1000);
        return visibleCharger(ctx)
                .compose(row -> query.apply(row.getString("id"), limit))
                .map(a -> a);
    }

    /** {@code POST /chargers/{id}/commands/{name}}: the body checked, the OCPP call built, the charger's answer returned. */
    private Future<JsonObject> command(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        CommandCatalog.Command command = CommandCatalog.find(name);
        if (command == null) {
            throw ApiError.notFound("no command " + name + "; commands are " + CommandCatalog.names());
        }
        JsonObject body = BodySchemas.named(command.bodySchema()).read(ctx);
        Principal who = Authentication.principal(ctx);
        String requestedBy = who.admin() ? "admin" : "account:" + who.accountId();
        return visibleCharger(ctx)
                .compose(row -> commands.send(
                        row.getString("id"), name, command.action(), body, command.payload(body), requestedBy))
                .map(result -> switch (result.outcome()) {
                    case ANSWERED -> result.json(name);
                    case OFFLINE ->
                        throw new ApiError(409, "offline", "charger " + ctx.pathParam("id") + " has no open session");
                    case TIMEOUT ->
                        throw new ApiError(
                                504, "timeout", "charger " + ctx.pathParam("id") + " did not answer in time");
                    case INVALID ->
                        throw new ApiError(
                                400, "invalid_command", result.response().getString("error"));
                    case CALL_ERROR ->
                        throw new ApiError(
                                502,
                                "call_error",
                                "charger " + ctx.pathParam("id") + " answered with a CALLERROR: "
                                        + result.response().getString("error"));
                });
    }

    private Future<JsonObject> upsertIdTag(RoutingContext ctx) {
        JsonObject body = BodySchemas.ID_TAG.read(ctx);
        Authentication.principal(ctx).scope(body.getString("accountId"));
        return backOffice
                .idTags()
                .upsertIdTag(body)
                .onSuccess(tag -> vertx.eventBus().publish(Bus.ID_TAGS_CHANGED, body.getString("accountId")));
    }

    private Future<Object> deleteIdTag(RoutingContext ctx) {
        String idTag = Params.idTag(ctx);
        String accountId = Authentication.principal(ctx).accountId();
        return backOffice.idTags().deleteIdTag(idTag, accountId).map(deleted -> {
            if (!deleted) {
                throw ApiError.notFound("no id tag " + idTag);
            }
            vertx.eventBus().publish(Bus.ID_TAGS_CHANGED, String.valueOf(accountId));
            return null;
        });
    }

    private void events(RoutingContext ctx) {
        String accountId = Authentication.principal(ctx).scope(Params.queryId(ctx, "accountId"));
        String last = ctx.request().getHeader("Last-Event-ID");
        if (last == null) {
            last = ctx.queryParams().get("lastEventId");
        }
        Long lastEventId;
        try {
            lastEventId = last == null || last.isBlank() ? null : Long.parseLong(last.trim());
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("Last-Event-ID must be an event id (an integer)");
        }
        Future<Boolean> accountKnown = accountId == null
                ? Future.succeededFuture(true)
                : backOffice.accounts().accountExists(accountId);
        accountKnown.onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ar.cause());
            } else if (!ar.result()) {
                ctx.fail(ApiError.notFound("no account " + accountId));
            } else {
                sse.attach(ctx, accountId, Authentication.principal(ctx).tokenId(), lastEventId);
            }
        });
    }

    /** Counts per status of one account (404 for an account the caller cannot see or that does not exist) or of all. */
    /**
     * {@code GET /status-history?accountId=&from=&step=}: chargers per status at each step (seconds, 60 to
     * 86,400, default 3,600) since {@code from} (default: 24 hours ago), at most 500 steps.
     */
    private Future<JsonObject> statusHistory(RoutingContext ctx) {
        String accountId = Authentication.principal(ctx).scope(Params.queryId(ctx, "accountId"));
        int step = Params.intParam(ctx, "step", 3600, 60, 86_400);
        String rawFrom = ctx.queryParams().get("from");
        Instant from;
        try {
            from = rawFrom == null ? Instant.now().minusSeconds(86_400) : Instant.parse(rawFrom);
        } catch (DateTimeParseException e) {
            throw ApiError.badRequest("from must be an RFC 3339 instant, e.g. 2026-11-24T10:00:00Z");
        }
        long steps = (Instant.now().getEpochSecond() - from.getEpochSecond()) / step;
        if (steps < 0 || steps > 500) {
            throw ApiError.badRequest("from must be in the past and at most 500 steps ago");
        }
        Future<Boolean> known = accountId == null
                ? Future.succeededFuture(true)
                : backOffice.accounts().accountExists(accountId);
        return known.compose(exists -> {
            if (!exists) {
                throw ApiError.notFound("no account " + accountId);
            }
            return backOffice.chargers().statusHistory(accountId, from, step);
        });
    }

    private Future<JsonObject> statusSummary(RoutingContext ctx) {
        String accountId = Authentication.principal(ctx).scope(Params.queryId(ctx, "accountId"));
        Future<Boolean> known = accountId == null
                ? Future.succeededFuture(true)
                : backOffice.accounts().accountExists(accountId);
        return known.compose(exists -> {
            if (!exists) {
                throw ApiError.notFound("no account " + accountId);
            }
            return backOffice.chargers().statusSummary(accountId);
        });
    }

    /** The ten statuses with the help article's wording, for tooltips and legends. */
    private static JsonArray statuses() {
        JsonArray out = new JsonArray();
        for (Status s : Status.values()) {
            out.add(new JsonObject().put("status", s.name()).put("description", s.description()));
        }
        return out;
    }

    /** A registry change, to this instance's own status engine. */
    private <T> Future<Message<T>> registry(Object request) {
        return vertx.eventBus().request(Bus.REGISTRY, request, Bus.LOCAL);
    }
}
