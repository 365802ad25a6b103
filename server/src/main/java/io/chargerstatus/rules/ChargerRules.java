package io.chargerstatus.rules;

import io.chargerstatus.command.ChargerCalls;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The business rules that act on chargers, called by the OCPP handlers once the charger has its answer:
 * plug &amp; charge (the service starts the transaction of an unsecured charger itself) and delayed
 * charging (a transaction that starts in its site's peak hours is held at zero power until they end).
 * The pure part of delayed charging is {@link DelayedCharging}; what is sent is {@link ChargingProfiles}.
 */
public final class ChargerRules {
    private static final Logger LOG = LoggerFactory.getLogger(ChargerRules.class);

    private final ChargerCalls calls;
    private final RuleStore store;
    private final String autoStartIdTag;

    /** {@code autoStartIdTag}: the idTag of the service's own remote starts (AUTO_START_ID_TAG). */
    public ChargerRules(ChargerCalls calls, RuleStore store, String autoStartIdTag) {
        this.calls = calls;
        this.store = store;
        this.autoStartIdTag = autoStartIdTag;
    }

    /** A vehicle was plugged into a connector of a plug &amp; charge charger: start its transaction. */
    public void vehiclePlugged(String chargerId, int connectorId) {
        JsonObject payload = new JsonObject().put("connectorId", connectorId).put("idTag", autoStartIdTag);
        calls.send(chargerId, "remote-start", "RemoteStartTransaction", payload, payload, "system:plug-and-charge")
                .onComplete(ar -> LOG.atInfo().log(() -> "plug & charge start on " + chargerId + ": "
                        + (ar.succeeded() ? ar.result().status() : ar.cause().getMessage())));
    }

    /**
     * An accepted transaction started: in a peak window of its site and without boost, it is held at zero
     * power until the window ends. The charging profile carries the end itself (its {@code duration}), so
     * the charger resumes at off-peak on its own; nothing is polled.
     */
    public void transactionStarted(String chargerId, int connectorId, int transactionId, Instant at) {
        store.siteRules(chargerId)
                .<Object>compose(site -> {
                    if (site == null || site.delayedCharging() == null) {
                        return Future.succeededFuture();
                    }
                    Optional<Instant> peakEnd =
                            DelayedCharging.peakEnd(at, ZoneId.of(site.timezone()), windows(site.delayedCharging()));
                    if (peakEnd.isEmpty()) {
                        return Future.succeededFuture();
                    }
                    return calls.boostRequested(chargerId, connectorId, at).<Object>compose(boost -> {
                        if (boost) {
                            return store.markTransaction(transactionId, true, null)
                                    .map(v -> v);
                        }
                        JsonObject profile = ChargingProfiles.holdUntil(connectorId, transactionId, at, peakEnd.get());
                        return store.markTransaction(transactionId, false, peakEnd.get())
                                .compose(v -> calls.send(
                                        chargerId,
                                        "delayed-charging",
                                        "SetChargingProfile",
                                        new JsonObject()
                                                .put("transactionId", transactionId)
                                                .put("heldUntil", peakEnd.get().toString()),
                                        profile,
                                        "system:delayed-charging"))
                                .map(r -> r);
                    });
                })
                .onFailure(e -> LOG.warn("delayed charging of transaction " + transactionId + " on " + chargerId + ": "
                        + e.getMessage()));
    }

    private static List<DelayedCharging.Window> windows(JsonObject delayedCharging) {
        List<DelayedCharging.Window> windows = new ArrayList<>();
        JsonArray peak = delayedCharging.getJsonArray("peak", new JsonArray());
        for (int i = 0; i < peak.size(); i++) {
            JsonObject w = peak.getJsonObject(i);
            List<String> days = new ArrayList<>();
            w.getJsonArray("days").forEach(d -> days.add((String) d));
            windows.add(DelayedCharging.Window.of(days, w.getString("from"), w.getString("to")));
        }
        return windows;
    }
}
