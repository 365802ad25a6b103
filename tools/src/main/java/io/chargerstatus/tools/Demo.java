package io.chargerstatus.tools;

import io.chargerstatus.Launcher;
import io.chargerstatus.infra.Config;
import io.chargerstatus.infra.Logging;
import io.chargerstatus.infra.Passwords;
import io.chargerstatus.sim.SimOptions;
import io.chargerstatus.sim.Simulator;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * {@code java -jar charger-status.jar demo}: the service plus a demo account whose simulated chargers walk
 * through all ten statuses — faults with codes, a firmware update, a peak-hour pause, plug &amp; charge,
 * chargers going offline and chargers never configured — with the dashboard's address and a token on
 * the console.
 */
final class Demo {
    private static final int SIMULATED = 33;
    private static final int NEVER_CONNECTED = 3;
    private static final int GOING_OFFLINE = 3;

    private Demo() {}

    static void run(Config loaded) throws Exception {
        Config config = loaded.http().adminToken() != null ? loaded : loaded.withAdminToken(Passwords.newToken());
        Launcher.startStoppable(config, "cannot start the demo");
        // The service is up (its start-up lines are above); what the demo's chargers do is on the dashboard.
        Logging.quiet();
        String base = "http://localhost:" + config.http().port();
        Setup api = new Setup(base, config.http().adminToken());
        api.post("/api/v1/accounts", new JsonObject().put("id", "demo").put("name", "Demo network"));
        api.post(
                "/api/v1/sites",
                new JsonObject()
                        .put("id", "demo-hq")
                        .put("accountId", "demo")
                        .put("name", "Head office")
                        .put("timezone", "Europe/Paris"));
        // A peak window around the current time, so that standard charges at this site are paused now.
        LocalTime now = LocalTime.now(ZoneOffset.UTC);
        DateTimeFormatter hhmm = DateTimeFormatter.ofPattern("HH:mm");
        api.post(
                "/api/v1/sites",
                new JsonObject()
                        .put("id", "demo-depot")
                        .put("accountId", "demo")
                        .put("name", "Depot (delayed charging)")
                        .put("timezone", "UTC")
                        .put(
                                "delayedCharging",
                                new JsonObject()
                                        .put(
                                                "peak",
                                                new JsonArray()
                                                        .add(new JsonObject()
                                                                .put(
                                                                        "days",
                                                                        new JsonArray(List.of(
                                                                                "MON", "TUE", "WED", "THU", "FRI",
                                                                                "SAT", "SUN")))
                                                                .put(
                                                                        "from",
                                                                        now.minusMinutes(30)
                                                                                .format(hhmm))
                                                                .put(
                                                                        "to",
                                                                        now.plusHours(2)
                                                                                .format(hhmm))))));
        api.post("/api/v1/id-tags", new JsonObject().put("idTag", "SIM-TAG").put("accountId", "demo"));
        String[] names = {"Lobby left", "Lobby right", "Visitor bay", "Fleet bay", "Garage", "Loading dock"};
        int total = SIMULATED + NEVER_CONNECTED;
        SimOptions options = SimOptions.parse(new String[] {
            "--url",
            "ws://localhost:" + config.ocpp().port() + "/ocpp",
            "--chargers",
            String.valueOf(SIMULATED),
            "--prefix",
            "DEMO",
            "--status-rate",
            "3",
            "--fault-every",
            "6",
            "--heartbeat",
            "60",
            "--ramp",
            "20",
            "--ocpp",
            "mixed", // every other demo charger speaks OCPP 2.0.1: the dashboard shows them alike
            "--quiet"
        });
        for (int n = 1; n <= total; n++) {
            api.post(
                    "/api/v1/chargers",
                    new JsonObject()
                            .put("id", options.chargerId(n))
                            .put("accountId", "demo")
                            .put("siteId", n % 2 == 0 ? "demo-depot" : "demo-hq")
                            .put("name", names[n % names.length] + " " + n)
                            .put("secured", n % 3 != 0));
        }
        String accountToken = new JsonObject(api.post("/api/v1/accounts/demo/tokens", null)).getString("token");

        Vertx simVertx = Vertx.vertx();
        Simulator simulator = new Simulator(simVertx, options);
        simulator.start().toCompletionStage().toCompletableFuture().join();
        for (int n = SIMULATED - GOING_OFFLINE + 1; n <= SIMULATED; n++) {
            simulator.disconnect(options.chargerId(n));
        }
        api.post(
                "/api/v1/chargers/" + options.chargerId(5) + "/commands/change-availability",
                new JsonObject().put("connectorId", 0).put("available", false));
        simVertx.setTimer(
                15_000,
                t -> new Thread(() -> api.post(
                                "/api/v1/chargers/" + options.chargerId(7) + "/commands/update-firmware",
                                new JsonObject().put("location", "https://firmware.example/sim-2.0.0.bin")))
                        .start());

        System.out.println();
        System.out.println("charger-status demo is running.");
        System.out.println("  Dashboard:     " + base + "/");
        System.out.println("  Admin token:   " + config.http().adminToken());
        System.out.println("  Demo account token (sees only the demo account): " + accountToken);
        System.out.println("  " + SIMULATED + " simulated chargers (" + GOING_OFFLINE + " go offline), "
                + NEVER_CONNECTED + " never configured; a firmware update starts in 15 s. Ctrl-C stops.");
        System.out.println("  (the service's log shows warnings and errors only from here on)");
    }

    /** Blocking calls to the demo's own API (setup only, on the main thread). */
    private record Setup(String base, String token) {
        String post(String path, JsonObject body) {
            try {
                HttpResponse<String> r = HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create(base + path))
                                        .header("Authorization", "Bearer " + token)
                                        .header("Content-Type", "application/json")
                                        .POST(HttpRequest.BodyPublishers.ofString(body == null ? "" : body.encode()))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() >= 300 && r.statusCode() != 409) {
                    throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
                }
                return r.body();
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(path + ": " + e, e);
            }
        }
    }
}
