package io.chargerstatus.api;

import io.chargerstatus.bus.Bus;
import io.chargerstatus.incident.AlertRules;
import io.chargerstatus.incident.AlertRulesJson;
import io.chargerstatus.incident.IncidentStore;
import io.chargerstatus.notify.Signature;
import io.chargerstatus.notify.UrlGuard;
import io.chargerstatus.notify.WebhookStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.UUID;

/**
 * The incidents, maintenance windows, alerting rules and subscriptions under {@code /api/v1} (the contract's
 * "Incidents and notifications"). Mounted by {@link RestApi} on its router, behind its authentication.
 */
public final class NotificationApi {
    private final Vertx vertx;
    private final AccountStore accounts;
    private final IncidentStore incidents;
    private final WebhookStore webhooks;
    private final boolean allowPrivate;

    public NotificationApi(
            Vertx vertx, AccountStore accounts, IncidentStore incidents, WebhookStore webhooks, boolean allowPrivate) {
        this.vertx = vertx;
        this.accounts = accounts;
        this.incidents = incidents;
        this.webhooks = webhooks;
        this.allowPrivate = allowPrivate;
    }

    void mount(Router api) {
        api.get("/accounts/:id/alerting").handler(Responses.json(200, this::alerting));
        api.put("/accounts/:id/alerting").handler(Responses.json(200, this::setAlerting));
        api.get("/incidents").handler(Responses.json(200, this::listIncidents));
        api.get("/incidents/:id").handler(Responses.json(200, this::incident));
        api.post("/incidents/:id/acknowledge").handler(Responses.json(200, this::acknowledge));
        api.post("/maintenance-windows").handler(Responses.json(201, this::addWindow));
        api.get("/maintenance-windows")
                .handler(Responses.json(
                        200,
                        ctx -> incidents
                                .windows(Authentication.principal(ctx).scope(Params.queryId(ctx, "accountId")))
                                .map(a -> (Object) a)));
        api.delete("/maintenance-windows/:id").handler(Responses.json(204, this::deleteWindow));
        api.post("/webhooks").handler(Responses.json(201, this::createWebhook));
        api.get("/webhooks")
                .handler(Responses.json(
                        200,
                        ctx -> webhooks.list(Authentication.principal(ctx).scope(Params.queryId(ctx, "accountId")))
                                .map(a -> (Object) a)));
        api.delete("/webhooks/:id").handler(Responses.json(204, this::deleteWebhook));
        api.post("/webhooks/:id/test").handler(Responses.json(200, this::testWebhook));
        api.get("/webhooks/:id/deliveries").handler(Responses.json(200, this::deliveries));
    }

    private Future<JsonObject> alerting(RoutingContext ctx) {
        String accountId = Authentication.principal(ctx).scope(Params.pathId(ctx, "id"));
        return incidents.alerting(accountId).map(rules -> found(rules, "account " + accountId));
    }

    private Future<JsonObject> setAlerting(RoutingContext ctx) {
        String accountId = Authentication.principal(ctx).scope(Params.pathId(ctx, "id"));
        AlertRules rules = AlertRulesJson.read(BodySchemas.ALERTING.read(ctx));
        return incidents.setAlerting(accountId, rules).map(saved -> found(saved, "account " + accountId));
    }

    private Future<Object> listIncidents(RoutingContext ctx) {
        String accountId = Authentication.principal(ctx).scope(Params.queryId(ctx, "accountId"));
        String state = ctx.queryParams().get("state");
        if (state != null && !state.equals("open") && !state.equals("resolved")) {
            throw ApiError.badRequest("state must be open or resolved");
        }
        Instant since = instant(ctx.queryParams().get("since"), "since");
        int limit = Params.intParam(ctx, "limit", 100, 1, 1000);
        return incidents
                .incidents(
                        accountId, state, Params.queryId(ctx, "chargerId"), Params.queryId(ctx, "siteId"), since, limit)
                .map(a -> a);
    }

    private Future<JsonObject> incident(RoutingContext ctx) {
        String id = Params.pathId(ctx, "id");
        return incidents.incident(id, Authentication.principal(ctx).accountId()).map(i -> found(i, "incident " + id));
    }

    private Future<JsonObject> acknowledge(RoutingContext ctx) {
        String id = Params.pathId(ctx, "id");
        JsonObject body = ctx.body().length() <= 0 ? new JsonObject() : BodySchemas.ACKNOWLEDGE.read(ctx);
        Principal who = Authentication.principal(ctx);
        String by = who.admin() ? "admin" : "token:" + who.tokenId();
        return incidents
                .acknowledge(id, who.accountId(), by, body.getString("note"))
                .map(i -> found(i, "incident " + id));
    }

    private Future<JsonObject> addWindow(RoutingContext ctx) {
        JsonObject body = BodySchemas.MAINTENANCE_WINDOW.read(ctx);
        String accountId = Authentication.principal(ctx).scope(body.getString("accountId"));
        Instant from = instant(body.getString("from"), "from");
        Instant to = instant(body.getString("to"), "to");
        if (!to.isAfter(from)) {
            throw ApiError.badRequest("to must be after from");
        }
        return accounts.accountExists(accountId).compose(exists -> {
            if (!exists) {
                throw ApiError.notFound("no account " + accountId);
            }
            return incidents.addWindow("mw_" + UUID.randomUUID().toString().replace("-", ""), body);
        });
    }

    private Future<Object> deleteWindow(RoutingContext ctx) {
        String id = Params.pathId(ctx, "id");
        return incidents
                .deleteWindow(id, Authentication.principal(ctx).accountId())
                .map(deleted -> {
                    if (!deleted) {
                        throw ApiError.notFound("no maintenance window " + id);
                    }
                    return null;
                });
    }

    private Future<JsonObject> createWebhook(RoutingContext ctx) {
        JsonObject body = BodySchemas.WEBHOOK.read(ctx);
        String accountId = Authentication.principal(ctx).scope(body.getString("accountId"));
        String url = body.getString("url");
        List<String> events =
                body.getJsonArray("events").stream().map(String::valueOf).toList();
        if (url.startsWith("mailto:") && events.contains("status.changed")) {
            throw ApiError.badRequest("a mailto: subscription takes incident events only (status.changed is one "
                    + "message per change: use a webhook)");
        }
        String secret = body.getString("secret") == null ? Signature.newSecret() : body.getString("secret");
        try {
            Signature.key(secret);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage());
        }
        return vertx.executeBlocking(() -> UrlGuard.refusal(url, allowPrivate), false)
                .compose(refusal -> {
                    if (refusal != null) {
                        throw ApiError.badRequest("url refused: " + refusal);
                    }
                    return accounts.accountExists(accountId);
                })
                .compose(exists -> {
                    if (!exists) {
                        throw ApiError.notFound("no account " + accountId);
                    }
                    return webhooks.create(
                            "wh_" + UUID.randomUUID().toString().replace("-", ""), accountId, url, events, secret);
                });
    }

    private Future<Object> deleteWebhook(RoutingContext ctx) {
        String id = Params.pathId(ctx, "id");
        return webhooks.delete(id, Authentication.principal(ctx).accountId()).map(deleted -> {
            if (!deleted) {
                throw ApiError.notFound("no webhook " + id);
            }
            return null;
        });
    }

    private Future<JsonObject> testWebhook(RoutingContext ctx) {
        String id = Params.pathId(ctx, "id");
        return webhooks.subscription(id, Authentication.principal(ctx).accountId())
                .compose(s -> {
                    if (s == null) {
                        throw ApiError.notFound("no webhook " + id);
                    }
                    return vertx.eventBus()
                            .<JsonObject>request(
                                    Bus.WEBHOOK_TEST, id, new DeliveryOptions(Bus.LOCAL).setSendTimeout(60_000))
                            .map(m -> m.body());
                });
    }

    private Future<Object> deliveries(RoutingContext ctx) {
        String id = Params.pathId(ctx, "id");
        int limit = Params.intParam(ctx, "limit", 100, 1, 1000);
        return webhooks.subscription(id, Authentication.principal(ctx).accountId())
                .compose(s -> {
                    if (s == null) {
                        throw ApiError.notFound("no webhook " + id);
                    }
                    return webhooks.deliveries(id, limit);
                })
                .map(a -> (Object) a);
    }

    private static JsonObject found(JsonObject value, String what) {
        if (value == null) {
            throw ApiError.notFound("no " + what);
        }
        return value;
    }

    private static Instant instant(String raw, String name) {
        if (raw == null) {
            return null;
        }
        try {
            return Instant.parse(raw);
        } catch (DateTimeParseException e) {
            throw ApiError.badRequest(name + " must be an RFC 3339 instant, e.g. 2026-11-24T10:00:00Z");
        }
    }
}
