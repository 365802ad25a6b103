package io.chargerstatus.rules;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** OCPP 1.6 charging profiles the service sends. */
public final class ChargingProfiles {
    private ChargingProfiles() {}

    /**
     * A SetChargingProfile payload that holds a transaction at 0 W from {@code now} until {@code until}:
     * a TxProfile whose schedule lasts exactly that long, so that when it expires the charger falls back
     * to its default limit and resumes charging by itself.
     */
    public static JsonObject holdUntil(int connectorId, int transactionId, Instant now, Instant until) {
        Instant start = now.truncatedTo(ChronoUnit.SECONDS);
        long seconds = Math.max(1, Duration.between(start, until).toSeconds());
        JsonObject schedule = new JsonObject()
                .put("duration", seconds)
                .put("startSchedule", start.toString())
                .put("chargingRateUnit", "W")
                .put(
                        "chargingSchedulePeriod",
                        new JsonArray()
                                .add(new JsonObject().put("startPeriod", 0).put("limit", 0.0)));
        return new JsonObject()
                .put("connectorId", connectorId)
                .put(
                        "csChargingProfiles",
                        new JsonObject()
                                .put("chargingProfileId", transactionId)
                                .put("transactionId", transactionId)
                                .put("stackLevel", 0)
                                .put("chargingProfilePurpose", "TxProfile")
                                .put("chargingProfileKind", "Absolute")
                                .put("chargingSchedule", schedule));
    }
}
