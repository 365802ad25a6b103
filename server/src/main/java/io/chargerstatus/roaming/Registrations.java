package io.chargerstatus.roaming;

import io.chargerstatus.infra.Passwords;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The OCPI credentials handshake, both ways (OCPI 2.2.1 credentials module). A partner registering with us
 * presents the token A we gave it and sends its token B and versions url; we read its endpoints with token B
 * and answer a fresh token C, from then on the only token accepted from it. Registering with a partner is the
 * mirror: its token A reads its endpoints, we send it a fresh token B, it answers its token C. Tokens the
 * partner presents are kept as SHA-256; the one we present is kept as given.
 */
public final class Registrations {
    private final RoamingStore store;
    private final OcpiClient client;

    public Registrations(RoamingStore store, OcpiClient client) {
        this.store = store;
        this.client = client;
    }

    /** Our credentials object for a partner of {@code account}, with the token it is to use. */
    public static JsonObject ours(RoamingStore.Account account, String token, String baseUrl) {
        return new JsonObject()
                .put("token", token)
                .put("url", baseUrl + "/ocpi/versions")
                .put(
                        "roles",
                        new JsonArray()
                                .add(new JsonObject()
                                        .put("role", "CPO")
                                        .put("business_details", new JsonObject().put("name", account.name()))
                                        .put("party_id", account.cpo().partyId())
                                        .put("country_code", account.cpo().countryCode())));
    }

    /**
     * A credentials POST (token A) or PUT (token C) of a partner: its endpoints read with the token it sent,
     * then a new token C, which our answer carries.
     */
    public Future<JsonObject> accept(RoamingStore.Party party, JsonObject theirs, String baseUrl) {
        String tokenB = theirs.getString("token");
        String versionsUrl = theirs.getString("url");
        JsonObject role = theirs.getJsonArray("roles").getJsonObject(0);
        return store.account(party.accountId())
                .compose(account -> client.endpoints(versionsUrl, tokenB).compose(endpoints -> {
                    String tokenC = Passwords.newToken();
                    return store.register(
                                    party.id(),
                                    new RoamingStore.Registration(
                                            Passwords.tokenHash(tokenC),
                                            tokenB,
                                            versionsUrl,
                                            endpoints.locationsReceiver(),
                                            role.getString("country_code"),
                                            role.getString("party_id")))
                            .map(v -> ours(account, tokenC, baseUrl));
                }));
    }

    /** Registers with a partner that gave us its token A and versions url; the partner as now registered. */
    public Future<JsonObject> registerWith(
            RoamingStore.Party party, String versionsUrl, String tokenA, String baseUrl) {
        return store.account(party.accountId())
                .compose(account -> client.endpoints(versionsUrl, tokenA).compose(endpoints -> {
                    String tokenB = Passwords.newToken();
                    return client.postCredentials(endpoints.credentials(), tokenA, ours(account, tokenB, baseUrl))
                            .compose(theirs -> {
                                JsonArray roles = theirs.getJsonArray("roles");
                                JsonObject role =
                                        roles == null || roles.isEmpty() ? new JsonObject() : roles.getJsonObject(0);
                                return store.register(
                                        party.id(),
                                        new RoamingStore.Registration(
                                                Passwords.tokenHash(tokenB),
                                                theirs.getString("token"),
                                                versionsUrl,
                                                endpoints.locationsReceiver(),
                                                role.getString("country_code"),
                                                role.getString("party_id")));
                            });
                }))
                .compose(v -> store.parties(party.accountId()))
                .map(all -> {
                    for (Object o : all) {
                        if (party.id().equals(((JsonObject) o).getString("id"))) {
                            return (JsonObject) o;
                        }
                    }
                    return null;
                });
    }
}
