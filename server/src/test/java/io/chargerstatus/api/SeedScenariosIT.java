package io.chargerstatus.api;

import static io.chargerstatus.testkit.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.chargerstatus.testkit.Api;
import io.chargerstatus.testkit.MutableClock;
import io.chargerstatus.testkit.SseClient;
import io.chargerstatus.testkit.TestCharger;
import io.chargerstatus.testkit.TestDatabase;
import io.chargerstatus.testkit.TestService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The help article's scenarios, watched as an operator would: the exact statuses, in order, on the SSE stream. */
@DisplayName("The help article's scenarios (docs/status-model.md) on the SSE stream")
class SeedScenariosIT {
    private static final Instant PEAK = ZonedDateTime.of(2026, 11, 24, 18, 0, 0, 0, ZoneId.of("Europe/Paris"))
            .toInstant();
    private static final MutableClock CLOCK = new MutableClock(PEAK);
    private static TestService service;
    private static Api api;

    @BeforeAll
    static void start() {
        service = TestService.start(TestDatabase.fresh(), Map.of(), CLOCK);
        api = service.api();
        api.account(
                "seed",
                "Seed",
                Api.delayedSite("evening-peak", "seed", "Europe/Paris", "17:00", "21:00", "TUE"),
                "APP-USER");
    }

    @AfterAll
    static void stop() throws Exception {
        service.close();
    }

    private static TestCharger add(String id, boolean secured, String site) {
        JsonObject body =
                new JsonObject().put("id", id).put("accountId", "seed").put("secured", secured);
        if (site != null) {
            body.put("siteId", site);
        }
        expect(201, api.post("/api/v1/chargers", body));
        TestCharger cp = TestCharger.connect(service, id);
        cp.boot();
        return cp;
    }

    /** Statuses of this charger's events, in order, until {@code count} arrived. */
    private static List<String> statuses(SseClient sse, String chargerId, int count) throws InterruptedException {
        List<String> out = new ArrayList<>();
        while (out.size() < count) {
            JsonObject e = sse.await(ev -> chargerId.equals(ev.getString("chargerId")), 30_000);
            out.add(e.getString("status"));
        }
        return out;
    }

    private static int startTransaction(TestCharger cp, String tag) {
        return cp.ok(
                        "StartTransaction",
                        new JsonObject()
                                .put("connectorId", 1)
                                .put("idTag", tag)
                                .put("meterStart", 0)
                                .put("timestamp", CLOCK.instant().toString()))
                .getInteger("transactionId");
    }

    @Test
    @DisplayName("plug in at a secured charger: Preparing until the driver starts with the app, then Charging")
    void securedCharger() throws Exception {
        try (SseClient sse = SseClient.open(service, TestService.ADMIN, "?accountId=seed", null)) {
            TestCharger cp = add("SEED-SECURED", true, null);
            cp.status(1, "Preparing");
            assertEquals(
                    "Accepted",
                    cp.ok("Authorize", new JsonObject().put("idTag", "APP-USER"))
                            .getJsonObject("idTagInfo")
                            .getString("status"));
            startTransaction(cp, "APP-USER");
            cp.status(1, "Charging");
            cp.status(1, "SuspendedEV"); // battery full
            cp.status(1, "Finishing"); // driver stopped
            cp.status(1, "Available"); // unplugged
            assertEquals(
                    List.of("Available", "Preparing", "Charging", "Completed", "Finishing", "Available"),
                    statuses(sse, "SEED-SECURED", 6));
            cp.close();
        }
    }

    @Test
    @DisplayName("plug in at a plug & charge charger: Preparing, the service starts it, Charging")
    void plugAndCharge() throws Exception {
        CLOCK.set(PEAK.plusSeconds(4 * 3600)); // off-peak: nothing else in the way
        try (SseClient sse = SseClient.open(service, TestService.ADMIN, "?accountId=seed", null)) {
            TestCharger cp = add("SEED-PNC", false, null);
            cp.status(1, "Preparing");
            JsonArray start = cp.nextCallFromService("RemoteStartTransaction", 5);
            assertNotNull(start);
            startTransaction(cp, start.getJsonObject(3).getString("idTag"));
            cp.status(1, "Charging");
            assertEquals(List.of("Available", "Preparing", "Charging"), statuses(sse, "SEED-PNC", 3));
            cp.close();
        }
    }

    @Test
    @DisplayName(
            "a standard charge during peak hours at a delayed-charging site: Preparing, Charging, Paused, then Charging off-peak")
    void peakHours() throws Exception {
        CLOCK.set(PEAK);
        try (SseClient sse = SseClient.open(service, TestService.ADMIN, "?accountId=seed", null)) {
            TestCharger cp = add("SEED-PEAK", true, "evening-peak");
            cp.status(1, "Preparing");
            startTransaction(cp, "APP-USER");
            cp.status(1, "Charging");
            assertNotNull(cp.nextCallFromService("SetChargingProfile", 5));
            cp.status(1, "SuspendedEVSE"); // the charger applies the zero limit
            CLOCK.set(PEAK.plusSeconds(3 * 3600 + 60));
            cp.status(1, "Charging"); // the profile expired at 21:00: charging resumes by itself
            assertEquals(
                    List.of("Available", "Preparing", "Charging", "Paused", "Charging"), statuses(sse, "SEED-PEAK", 5));
            cp.close();
        }
    }

    @Test
    @DisplayName(
            "update firmware: Unavailable while it downloads and installs, Offline through the reboot, then Available")
    void firmware() throws Exception {
        try (SseClient sse = SseClient.open(service, TestService.ADMIN, "?accountId=seed", null)) {
            TestCharger cp = add("SEED-FW", true, null);
            cp.status(1, "Available");
            expect(
                    200,
                    api.post(
                            "/api/v1/chargers/SEED-FW/commands/update-firmware",
                            new JsonObject().put("location", "https://fw.example/2.0.bin")));
            cp.firmware("Downloading");
            cp.firmware("Downloaded");
            cp.firmware("Installing");
            cp.close();
            // A reboot takes a while: the charger comes back once its old session is gone. (A reconnect within
            // milliseconds through another event loop can overtake the close; see docs/architecture.md, Limits.)
            List<String> seen = new ArrayList<>(statuses(sse, "SEED-FW", 4));
            TestCharger rebooted = TestCharger.connect(service, "SEED-FW");
            rebooted.ok(
                    "BootNotification",
                    new JsonObject()
                            .put("chargePointVendor", "ACME")
                            .put("chargePointModel", "AC22")
                            .put("firmwareVersion", "2.0.0"));
            rebooted.firmware("Installed");
            // Boot, then connector 1 reports (a connector change is an event too); the reboot that installs the
            // firmware closes the socket, so Offline comes before the charger is back.
            seen.addAll(statuses(sse, "SEED-FW", 2));
            assertEquals(List.of("Available", "Available", "Unavailable", "Offline", "Unavailable", "Available"), seen);
            assertEquals("2.0.0", api.chargerRow("SEED-FW").getString("firmwareVersion"));
            rebooted.close();
        }
    }
}
