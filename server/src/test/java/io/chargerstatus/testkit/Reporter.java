package io.chargerstatus.testkit;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/** A charger reporting statuses in a loop, remembering which were acknowledged and which refused. */
public final class Reporter extends Thread {
    public final TestCharger charger;
    public final AtomicBoolean running = new AtomicBoolean(true);
    public final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    public final AtomicInteger refused = new AtomicInteger();

    private final String first;
    private final String second;

    public Reporter(TestCharger charger) {
        this(charger, "Charging", "SuspendedEV");
    }

    /** Reports {@code first} and {@code second} in turn on connector 1. */
    public Reporter(TestCharger charger, String first, String second) {
        this.charger = charger;
        this.first = first;
        this.second = second;
    }

    @Override
    public void run() {
        // Each report is a change from the last acknowledged one, so that each acknowledged one is an event.
        boolean charging = false;
        while (running.get()) {
            String ts = Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
            JsonArray reply;
            try {
                reply = charger.call(
                        "StatusNotification",
                        new JsonObject()
                                .put("connectorId", 1)
                                .put("status", charging ? second : first)
                                .put("errorCode", "NoError")
                                .put("timestamp", ts));
            } catch (AssertionError e) {
                continue; // no reply within the client's patience: neither acknowledged nor refused
            }
            if (reply.getInteger(0) == 3) {
                acknowledged.add(ts);
                charging = !charging;
            } else {
                refused.incrementAndGet();
            }
        }
    }

    /** Fails unless every status this charger was answered for is in its history, read through {@code api}. */
    public void assertKept(Api api) {
        Set<String> kept = api.get("/api/v1/chargers/" + charger.id + "/history?limit=1000").array().stream()
                .map(e -> ((JsonObject) e).getString("timestamp"))
                .collect(Collectors.toSet());
        for (String ts : acknowledged) {
            if (!kept.contains(Instant.parse(ts).toString())) {
                throw new AssertionError(charger.id + ": acknowledged status at " + ts + " was lost");
            }
        }
    }
}
