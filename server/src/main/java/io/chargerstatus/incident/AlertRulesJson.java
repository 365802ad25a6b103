package io.chargerstatus.incident;

import io.vertx.core.json.JsonObject;

/**
 * The alerting rules as the API shows them. A saved or sent document may leave keys out: each missing one is
 * the default's (so a rule added later has its default for accounts that saved theirs before).
 */
public final class AlertRulesJson {
    private AlertRulesJson() {}

    public static AlertRules read(JsonObject json) {
        AlertRules d = AlertRules.DEFAULTS;
        JsonObject flap = json.getJsonObject("flapping", new JsonObject());
        JsonObject site = json.getJsonObject("siteOffline", new JsonObject());
        return new AlertRules(
                json.getInteger("offlineAfterS", d.offlineAfterS()),
                json.getInteger("faultedAfterS", d.faultedAfterS()),
                json.getInteger("unavailableAfterS", d.unavailableAfterS()),
                json.getInteger("resolveAfterS", d.resolveAfterS()),
                new AlertRules.Flapping(
                        flap.getInteger("entries", d.flapping().entries()),
                        flap.getInteger("withinS", d.flapping().withinS()),
                        flap.getInteger("quietS", d.flapping().quietS())),
                new AlertRules.SiteOffline(
                        site.getDouble("share", d.siteOffline().share()),
                        site.getInteger("min", d.siteOffline().min()),
                        site.getInteger("withinS", d.siteOffline().withinS())),
                json.getInteger("remindAfterS", d.remindAfterS()));
    }

    public static JsonObject write(AlertRules r) {
        return new JsonObject()
                .put("offlineAfterS", r.offlineAfterS())
                .put("faultedAfterS", r.faultedAfterS())
                .put("unavailableAfterS", r.unavailableAfterS())
                .put("resolveAfterS", r.resolveAfterS())
                .put(
                        "flapping",
                        new JsonObject()
                                .put("entries", r.flapping().entries())
                                .put("withinS", r.flapping().withinS())
                                .put("quietS", r.flapping().quietS()))
                .put(
                        "siteOffline",
                        new JsonObject()
                                .put("share", r.siteOffline().share())
                                .put("min", r.siteOffline().min())
                                .put("withinS", r.siteOffline().withinS()))
                .put("remindAfterS", r.remindAfterS());
    }
}
