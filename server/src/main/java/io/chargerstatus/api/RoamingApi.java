package io.chargerstatus.api;

import io.chargerstatus.infra.Config;
import io.chargerstatus.infra.Passwords;
import io.chargerstatus.roaming.Registrations;
import io.chargerstatus.roaming.RoamingStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The back office's side of roaming under {@code /api/v1}: an account's OCPI identity, a port's EVSE data, the
 * roaming partners (token A for one that registers with us, or registering with one that gave us its token A).
 */
public final class RoamingApi {
    private static final Logger LOG = LoggerFactory.getLogger(RoamingApi.class);

    private final RoamingStore store;
    private final Registrations registrations;
    private final Config.Roaming settings;

    public RoamingApi(RoamingStore store, Registrations registrations, Config.Roaming settings) {
        this.store = store;
        this.registrations = registrations;
        this.settings = settings;
    }

    void mount(Router api) {
        api.put("/accounts/:id/ocpi").handler(Responses.json(200, this::setAccount));
        api.get("/accounts/:id/ocpi").handler(Responses.json(200, this::getAccount));
        api.put("/chargers/:id/connectors/:n").handler(Responses.json(200, this::setPort));
        api.post("/ocpi/parties").handler(Responses.json(201, this::createParty));
        api.get("/ocpi/parties")
                .handler(Responses.json(
                        200,
                        ctx -> store.parties(Authentication.principal(ctx).scope(Params.queryId(ctx, "accountId")))));
        api.post("/ocpi/parties/:id/register").handler(Responses.json(200, this::register));
        api.delete("/ocpi/parties/:id").handler(Responses.json(204, this::deleteParty));
    }

    private static JsonObject json(RoamingStore.Account a) {
        return new JsonObject()
                .put("accountId", a.id())
                .put("countryCode", a.cpo() == null ? null : a.cpo().countryCode())
                .put("partyId", a.cpo() == null ? null : a.cpo().partyId())
                .put("openData", a.openData());
    }

    private Future<JsonObject> setAccount(RoutingContext ctx) {
        String id = Authentication.principal(ctx).scope(Params.pathId(ctx, "id"));
        JsonObject body = BodySchemas.ACCOUNT_OCPI.read(ctx);
        return store.setAccount(
                        id,
                        body.getString("countryCode"),
                        body.getString("partyId"),
                        body.getBoolean("openData", false))
                .compose(found -> {
                    if (!found) {
                        throw ApiError.notFound("no account " + id);
                    }
                    return store.account(id);
                })
                .map(RoamingApi::json);
    }

    private Future<JsonObject> getAccount(RoutingContext ctx) {
        String id = Authentication.principal(ctx).scope(Params.pathId(ctx, "id"));
        return store.account(id).map(a -> {
            if (a == null) {
                throw ApiError.notFound("no account " + id);
            }
            return json(a);
        });
    }

    private Future<JsonObject> setPort(RoutingContext ctx) {
        Principal who = Authentication.principal(ctx);
        String chargerId = Params.pathId(ctx, "id");
        int n;
        try {
            n = Integer.parseInt(ctx.pathParam("n"));
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 1 || n > 999) {
            throw ApiError.badRequest("the connector (EVSE) number must be 1 to 999");
        }
        int port = n;
        JsonObject body = BodySchemas.CONNECTOR_STATIC.read(ctx);
        return store.setPort(chargerId, who.accountId(), port, body).map(found -> {
            if (!found) {
                throw ApiError.notFound("no charger " + chargerId);
            }
            return body.copy().put("chargerId", chargerId).put("connectorId", port);
        });
    }

    private Future<JsonObject> createParty(RoutingContext ctx) {
        Authentication.principal(ctx).requireAdmin();
        JsonObject body = BodySchemas.OCPI_PARTY.read(ctx);
        String accountId = body.getString("accountId");
        return store.account(accountId).compose(a -> {
            if (a == null) {
                throw ApiError.notFound("no account " + accountId);
            }
            if (a.cpo() == null) {
                throw ApiError.conflict("set the account's OCPI country code and party id first (PUT"
                        + " /api/v1/accounts/" + accountId + "/ocpi)");
            }
            String id = UUID.randomUUID().toString();
            String tokenA = Passwords.newToken();
            return store.createParty(id, accountId, body.getString("name"), Passwords.tokenHash(tokenA))
                    .map(v -> new JsonObject()
                            .put("id", id)
                            .put("accountId", accountId)
                            .put("name", body.getString("name"))
                            .put("tokenA", tokenA)
                            .put("versionsUrl", base(ctx) + "/ocpi/versions"));
        });
    }

    private Future<JsonObject> register(RoutingContext ctx) {
        Authentication.principal(ctx).requireAdmin();
        String id = Params.pathId(ctx, "id");
        JsonObject body = BodySchemas.OCPI_REGISTER.read(ctx);
        return store.party(id, null).compose(party -> {
            if (party == null) {
                throw ApiError.notFound("no OCPI partner " + id);
            }
            return registrations
                    .registerWith(party, body.getString("versionsUrl"), body.getString("token"), base(ctx))
                    .recover(e -> {
                        if (e instanceof io.chargerstatus.roaming.OcpiClient.Failed f) {
                            LOG.info("registration with OCPI partner " + id + " failed: " + f.getMessage());
                            return Future.failedFuture(new ApiError(
                                    502, "partner_failed", f.getMessage() + " (OCPI " + f.ocpiStatus + ")"));
                        }
                        return Future.failedFuture(e);
                    });
        });
    }

    private Future<Void> deleteParty(RoutingContext ctx) {
        Authentication.principal(ctx).requireAdmin();
        String id = Params.pathId(ctx, "id");
        return store.deleteParty(id, null).map(found -> {
            if (!found) {
                throw ApiError.notFound("no OCPI partner " + id);
            }
            return null;
        });
    }

    private String base(RoutingContext ctx) {
        return OcpiApi.base(ctx, settings.baseUrl());
    }
}
