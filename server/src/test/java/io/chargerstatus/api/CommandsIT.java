package io.chargerstatus.api;

import static io.chargerstatus.testkit.Api.expect;
import static io.chargerstatus.testkit.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chargerstatus.testkit.Api;
import io.chargerstatus.testkit.MutableClock;
import io.chargerstatus.testkit.OcppDialect;
import io.chargerstatus.testkit.SseClient;
import io.chargerstatus.testkit.TestCharger;
import io.chargerstatus.testkit.TestDatabase;
import io.chargerstatus.testkit.TestService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@DisplayName("Back-office commands and the business rules behind Preparing, Paused and Unavailable")
class CommandsIT {
    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    /** Monday 2026-11-23 18:30 in Paris: inside a 17:00-21:00 weekday peak. */
    private static final Instant PEAK =
            ZonedDateTime.of(2026, 11, 23, 18, 30, 0, 0, PARIS).toInstant();

    private static final Instant OFF_PEAK =
            ZonedDateTime.of(2026, 11, 23, 22, 0, 0, 0, PARIS).toInstant();

    private static final MutableClock CLOCK = new MutableClock(OFF_PEAK);
    private static TestService service;
    private static Api api;

    @BeforeAll
    static void start() {
        service = TestService.start(TestDatabase.fresh(), Map.of(), CLOCK);
        api = service.api();
        api.account(
                "ops",
                "Ops",
                Api.delayedSite("delayed", "ops", "Europe/Paris", "17:00", "21:00", "MON", "TUE", "WED", "THU", "FRI"),
                "DRIVER-1");
    }

    @AfterAll
    static void stop() throws Exception {
        service.close();
    }

    private static String charger(boolean secured, String siteId) {
        return api.newCharger("CP", "ops", secured, siteId);
    }

    private static Api.Response command(String chargerId, String name, JsonObject body) {
        return api.post("/api/v1/chargers/" + chargerId + "/commands/" + name, body);
    }

    @Test
    @DisplayName(
            "unlock-connector, get-configuration, change-configuration (1.6): the call, the charger's whole answer; "
                    + "a 2.0.1-only command is refused with 400 before anything is sent")
    void configurationAndUnlock() throws Exception {
        String id = charger(true, null);
        try (TestCharger cp = TestCharger.connect(service, id)) {
            cp.boot();
            cp.answers.put("UnlockConnector", new JsonObject().put("status", "Unlocked"));
            JsonObject unlocked = expect(200, command(id, "unlock-connector", new JsonObject().put("connectorId", 2)))
                    .json();
            assertEquals("Unlocked", unlocked.getString("status"));
            assertEquals(
                    new JsonObject().put("connectorId", 2),
                    cp.nextCallFromService("UnlockConnector", 5).getJsonObject(3));

            JsonObject keys = new JsonObject()
                    .put(
                            "configurationKey",
                            new JsonArray()
                                    .add(new JsonObject()
                                            .put("key", "HeartbeatInterval")
                                            .put("readonly", false)
                                            .put("value", "300")))
                    .put("unknownKey", new JsonArray().add("Nope"));
            cp.answers.put("GetConfiguration", keys);
            JsonObject read = expect(
                            200,
                            command(
                                    id,
                                    "get-configuration",
                                    new JsonObject()
                                            .put(
                                                    "keys",
                                                    new JsonArray()
                                                            .add("HeartbeatInterval")
                                                            .add("Nope"))))
                    .json();
            assertEquals(keys, read.getJsonObject("response"), "the charger's answer, whole");
            assertEquals(
                    new JsonObject()
                            .put("key", new JsonArray().add("HeartbeatInterval").add("Nope")),
                    cp.nextCallFromService("GetConfiguration", 5).getJsonObject(3));
            Api.Response all = api.send("POST", "/api/v1/chargers/" + id + "/commands/get-configuration", null);
            assertEquals(200, all.status(), "no body: every key: " + all.body());
            assertEquals(
                    new JsonObject(),
                    cp.nextCallFromService("GetConfiguration", 5).getJsonObject(3));

            cp.answers.put("ChangeConfiguration", new JsonObject().put("status", "RebootRequired"));
            JsonObject changed = expect(
                            200,
                            command(
                                    id,
                                    "change-configuration",
                                    new JsonObject()
                                            .put("key", "MeterValueSampleInterval")
                                            .put("value", "60")))
                    .json();
            assertEquals("RebootRequired", changed.getString("status"));
            assertEquals(
                    new JsonObject().put("key", "MeterValueSampleInterval").put("value", "60"),
                    cp.nextCallFromService("ChangeConfiguration", 5).getJsonObject(3));

            Api.Response wrongVersion = command(
                    id,
                    "get-variables",
                    new JsonObject()
                            .put(
                                    "variables",
                                    new JsonArray()
                                            .add(new JsonObject()
                                                    .put("component", "OCPPCommCtrlr")
                                                    .put("variable", "HeartbeatInterval"))));
            assertEquals(400, wrongVersion.status(), wrongVersion.body());
            assertTrue(wrongVersion.body().contains("get-configuration"), wrongVersion.body());
            assertEquals(
                    400,
                    command(id, "unlock-connector", new JsonObject().put("connectorId", 0))
                            .status());
            assertEquals(
                    400,
                    command(id, "change-configuration", new JsonObject().put("key", "K"))
                            .status(),
                    "no value");
            assertNull(cp.nextCallFromService(1), "nothing else was sent");
            assertTrue(cp.badCalls.isEmpty(), cp.badCalls.toString());
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(OcppDialect.class)
    @DisplayName("each command reaches the charger as its OCPP call in the charger's version and returns the charger's"
            + " answer as it came; all are kept")
    void everyCommand(OcppDialect v) throws Exception {
        String id = charger(true, null);
        TestCharger cp = v.connect(service, id);
        Object tx = v.start(cp, 1, "DRIVER-1", Instant.now());
        List<OcppDialect.Command> commands = v.commands(tx);
        for (OcppDialect.Command c : commands) {
            JsonObject answer = expect(200, command(id, c.name(), c.body())).json();
            assertEquals("Accepted", answer.getString("status"), c.name() + ": " + answer);
            JsonArray call = cp.nextCallFromService(5);
            assertEquals(c.action(), call.getString(2), c.name());
            assertTrue(
                    OcppDialect.within(c.expected(), call.getJsonObject(3)),
                    c.name() + ": " + call.getJsonObject(3) + " has " + c.expected());
        }
        // The charger's own answer, not rewritten: Scheduled (2.0.1) or Rejected.
        String answer = v == OcppDialect.V201 ? "Scheduled" : "Rejected";
        cp.answers.put("Reset", new JsonObject().put("status", answer));
        assertEquals(
                answer,
                expect(200, command(id, "reset", new JsonObject().put("type", "Hard")))
                        .json()
                        .getString("status"));
        assertEquals(
                v == OcppDialect.V201 ? "Immediate" : "Hard",
                cp.nextCallFromService("Reset", 5).getJsonObject(3).getString("type"));

        JsonArray kept =
                expect(200, api.get("/api/v1/chargers/" + id + "/commands")).array();
        assertEquals(commands.size() + 1, kept.size());
        JsonObject newest = kept.getJsonObject(0);
        assertEquals("reset", newest.getString("name"));
        assertEquals(answer, newest.getString("outcome"));
        assertEquals("admin", newest.getString("requestedBy"));
        assertNotNull(newest.getString("requestedAt"));
        assertNotNull(newest.getString("answeredAt"));
        assertTrue(cp.badCalls.isEmpty(), cp.badCalls.toString());
        cp.close();
    }

    @Test
    @DisplayName(
            "409 when the charger is offline, 504 when it does not answer, 502 on a CALLERROR, 400/404 for bad requests")
    void failures() throws Exception {
        String id = charger(true, null);
        assertEquals(
                409, command(id, "reset", new JsonObject().put("type", "Soft")).status());
        TestCharger cp = TestCharger.connect(service, id);
        cp.boot();
        cp.answers.put("Reset", TestCharger.SILENT);
        assertEquals(
                504, command(id, "reset", new JsonObject().put("type", "Soft")).status());
        cp.answers.put("Reset", TestCharger.CALL_ERROR);
        assertEquals(
                502, command(id, "reset", new JsonObject().put("type", "Soft")).status());
        assertEquals(
                400,
                command(id, "reset", new JsonObject().put("type", "Gentle")).status());
        assertEquals(
                400,
                command(
                                id,
                                "remote-start",
                                new JsonObject().put("connectorId", 0).put("idTag", "X"))
                        .status());
        assertEquals(400, command(id, "remote-stop", new JsonObject()).status());
        assertEquals(
                400,
                command(id, "change-availability", new JsonObject().put("connectorId", 1))
                        .status());
        assertEquals(
                400,
                command(id, "update-firmware", new JsonObject().put("location", "not a url"))
                        .status());
        assertEquals(
                400,
                api.post("/api/v1/chargers/" + id + "/commands/reset", "{broken")
                        .status());
        assertEquals(404, command(id, "self-destruct", new JsonObject()).status());
        assertEquals(
                404,
                command("no-such-charger", "reset", new JsonObject().put("type", "Soft"))
                        .status());
        JsonArray kept =
                expect(200, api.get("/api/v1/chargers/" + id + "/commands")).array();
        assertEquals("CallError", kept.getJsonObject(0).getString("outcome"));
        assertEquals("Timeout", kept.getJsonObject(1).getString("outcome"));
        assertEquals("Offline", kept.getJsonObject(2).getString("outcome"));
        cp.close();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(OcppDialect.class)
    @DisplayName("plug & charge: the service starts the transaction itself when a vehicle is plugged in")
    void plugAndCharge(OcppDialect v) throws Exception {
        CLOCK.set(OFF_PEAK);
        String id = charger(false, null);
        TestCharger cp = v.connect(service, id);
        try (SseClient sse = SseClient.open(service, TestService.ADMIN, null, null)) {
            v.plugIn(cp, 1, Instant.now());
            sse.awaitStatus(id, "Preparing");
            JsonArray start = cp.nextCallFromService(v.remoteStart, 5);
            assertNotNull(start, v.remoteStart + " sent");
            assertEquals(1, v.connectorOf(start.getJsonObject(3)));
            Object tx = v.start(cp, 1, v.idTagOf(start.getJsonObject(3)), Instant.now());
            v.charging(cp, 1, tx, "Charging", Instant.now());
            sse.awaitStatus(id, "Charging");
        }
        JsonArray kept =
                expect(200, api.get("/api/v1/chargers/" + id + "/commands")).array();
        assertEquals("system:plug-and-charge", kept.getJsonObject(0).getString("requestedBy"));
        assertTrue(cp.badCalls.isEmpty(), cp.badCalls.toString());
        cp.close();
    }

    @Test
    @DisplayName("a secured charger waits in Preparing for Authorize or a remote start")
    void securedWaits() throws Exception {
        String id = charger(true, null);
        TestCharger cp = TestCharger.connect(service, id);
        cp.boot();
        cp.status(1, "Preparing");
        assertNull(cp.nextCallFromService("RemoteStartTransaction", 2), "no start without the driver");
        assertEquals("Preparing", api.chargerRow(id).getString("status"));
        assertEquals(
                "Invalid",
                cp.ok("Authorize", new JsonObject().put("idTag", "PLUG-AND-CHARGE"))
                        .getJsonObject("idTagInfo")
                        .getString("status"),
                "the plug & charge tag is not a key to secured chargers");
        assertEquals(
                "Accepted",
                cp.ok("Authorize", new JsonObject().put("idTag", "DRIVER-1"))
                        .getJsonObject("idTagInfo")
                        .getString("status"));
        cp.close();
    }

    @Test
    @DisplayName("id tags and site rules kept by the OCPP side are forgotten as soon as the back office changes them")
    void changesReachWhatIsKept() throws Exception {
        expect(
                201,
                api.post(
                        "/api/v1/sites",
                        new JsonObject()
                                .put("id", "plain")
                                .put("accountId", "ops")
                                .put("timezone", "Europe/Paris")));
        expect(
                201,
                api.post(
                        "/api/v1/id-tags",
                        new JsonObject().put("idTag", "DRIVER-K").put("accountId", "ops")));
        String id = charger(true, "plain");
        TestCharger cp = TestCharger.connect(service, id);
        cp.boot();
        JsonObject authorize = new JsonObject().put("idTag", "DRIVER-K");
        assertEquals(
                "Accepted",
                cp.ok("Authorize", authorize).getJsonObject("idTagInfo").getString("status"));
        expect(
                201,
                api.post(
                        "/api/v1/id-tags",
                        new JsonObject()
                                .put("idTag", "DRIVER-K")
                                .put("accountId", "ops")
                                .put("status", "Blocked")));
        assertEquals(
                "Blocked",
                cp.ok("Authorize", authorize).getJsonObject("idTagInfo").getString("status"));
        expect(204, api.delete("/api/v1/id-tags/DRIVER-K"));
        assertEquals(
                "Invalid",
                cp.ok("Authorize", authorize).getJsonObject("idTagInfo").getString("status"));

        // A start at peak on a site without delayed charging: nothing is held (and the site's rules are kept).
        CLOCK.set(PEAK);
        JsonObject start = new JsonObject()
                .put("connectorId", 1)
                .put("idTag", "DRIVER-1")
                .put("meterStart", 0)
                .put("timestamp", PEAK.toString());
        int first = cp.ok("StartTransaction", start).getInteger("transactionId");
        cp.ok(
                "StopTransaction",
                new JsonObject().put("transactionId", first).put("meterStop", 1).put("timestamp", PEAK.toString()));
        // The site gets delayed charging: the next start at peak is held.
        expect(
                201,
                api.post(
                        "/api/v1/sites",
                        Api.delayedSite(
                                "plain", "ops", "Europe/Paris", "17:00", "21:00", "MON", "TUE", "WED", "THU", "FRI")));
        int second = cp.ok("StartTransaction", start).getInteger("transactionId");
        JsonArray set = cp.nextCallFromService("SetChargingProfile", 30);
        assertNotNull(set, "the site's new rules apply to the next start");
        assertEquals(
                second, set.getJsonObject(3).getJsonObject("csChargingProfiles").getInteger("transactionId"));
        cp.close();
        CLOCK.set(OFF_PEAK);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(OcppDialect.class)
    @DisplayName("delayed charging: a standard start at peak gets a zero-power TxProfile for its transaction until the"
            + " peak ends; SuspendedEVSE shows Paused")
    void delayedCharging(OcppDialect v) throws Exception {
        String id = charger(true, "delayed");
        TestCharger cp = v.connect(service, id);
        CLOCK.set(PEAK);
        try {
            v.plugIn(cp, 1, PEAK);
            Object tx = v.start(cp, 1, "DRIVER-1", PEAK);
            JsonArray set = cp.nextCallFromService("SetChargingProfile", 10);
            assertNotNull(set, "a charging profile at peak");
            assertEquals(1, v.connectorOf(set.getJsonObject(3)));
            JsonObject profile = v.profileOf(set.getJsonObject(3));
            assertEquals(tx, profile.getValue("transactionId"));
            assertEquals("TxProfile", profile.getString("chargingProfilePurpose"));
            JsonObject schedule = v.scheduleOf(profile);
            assertEquals(9000, schedule.getInteger("duration"), "held 2 h 30 until 21:00 Paris");
            assertEquals(
                    0.0,
                    schedule.getJsonArray("chargingSchedulePeriod")
                            .getJsonObject(0)
                            .getDouble("limit"));
            v.charging(cp, 1, tx, "SuspendedEVSE", PEAK.plusSeconds(5));
            eventually(() -> assertEquals("Paused", api.chargerRow(id).getString("status")));
            assertTrue(cp.badCalls.isEmpty(), cp.badCalls.toString());
        } finally {
            CLOCK.set(OFF_PEAK);
            cp.close();
        }
    }

    @Test
    @DisplayName("delayed charging in 1.6: the held transaction says until when; a start with boost is not held")
    void delayedChargingHeldAndBoost() throws Exception {
        String id = charger(true, "delayed");
        TestCharger cp = TestCharger.connect(service, id);
        cp.boot();
        CLOCK.set(PEAK);
        try (SseClient sse = SseClient.open(service, TestService.ADMIN, null, null)) {
            cp.status(1, "Preparing");
            int tx = cp.ok(
                            "StartTransaction",
                            new JsonObject()
                                    .put("connectorId", 1)
                                    .put("idTag", "DRIVER-1")
                                    .put("meterStart", 10)
                                    .put("timestamp", PEAK.toString()))
                    .getInteger("transactionId");
            JsonArray set = cp.nextCallFromService("SetChargingProfile", 5);
            assertNotNull(set, "a charging profile at peak");
            JsonObject profile = set.getJsonObject(3).getJsonObject("csChargingProfiles");
            assertEquals("Absolute", profile.getString("chargingProfileKind"));
            assertEquals(
                    PEAK.toString(), profile.getJsonObject("chargingSchedule").getString("startSchedule"));
            cp.status(1, "SuspendedEVSE");
            sse.awaitStatus(id, "Paused");
            JsonObject transaction = expect(200, api.get("/api/v1/chargers/" + id + "/transactions"))
                    .array()
                    .getJsonObject(0);
            assertEquals("2026-11-23T20:00:00Z", transaction.getString("heldUntil"));
            assertFalse(transaction.getBoolean("boost"));
            cp.ok(
                    "StopTransaction",
                    new JsonObject()
                            .put("transactionId", tx)
                            .put("meterStop", 7010)
                            .put("timestamp", PEAK.toString())
                            .put("reason", "EVDisconnected"));
            cp.status(1, "Available");

            // Boost: the driver asked for it with the remote start, so no hold.
            expect(
                    200,
                    command(
                            id,
                            "remote-start",
                            new JsonObject()
                                    .put("connectorId", 1)
                                    .put("idTag", "DRIVER-1")
                                    .put("boost", true)));
            cp.status(1, "Preparing");
            cp.ok(
                    "StartTransaction",
                    new JsonObject()
                            .put("connectorId", 1)
                            .put("idTag", "DRIVER-1")
                            .put("meterStart", 7010)
                            .put("timestamp", PEAK.toString()));
            assertNull(cp.nextCallFromService("SetChargingProfile", 2), "no hold with boost");
            assertTrue(expect(200, api.get("/api/v1/chargers/" + id + "/transactions"))
                    .array()
                    .getJsonObject(0)
                    .getBoolean("boost"));
        }
        cp.close();
    }

    @Test
    @DisplayName("off-peak, a standard start at a delayed-charging site is not held")
    void offPeak() throws Exception {
        String id = charger(true, "delayed");
        TestCharger cp = TestCharger.connect(service, id);
        cp.boot();
        CLOCK.set(OFF_PEAK);
        cp.ok(
                "StartTransaction",
                new JsonObject()
                        .put("connectorId", 1)
                        .put("idTag", "DRIVER-1")
                        .put("meterStart", 0)
                        .put("timestamp", OFF_PEAK.toString()));
        assertNull(cp.nextCallFromService("SetChargingProfile", 2));
        cp.close();
    }

    @Test
    @DisplayName("a firmware update walks the charger through Unavailable and back, with the new version on the row")
    void firmwareUpdate() throws Exception {
        String id = charger(true, null);
        TestCharger cp = TestCharger.connect(service, id);
        cp.boot();
        cp.status(1, "Available");
        try (SseClient sse = SseClient.open(service, TestService.ADMIN, null, null)) {
            expect(
                    200,
                    command(
                            id,
                            "update-firmware",
                            new JsonObject().put("location", "https://fw.example/ac22-2.0.bin")));
            assertEquals("UpdateFirmware", cp.nextCallFromService(5).getString(2));
            cp.firmware("Downloading");
            sse.awaitStatus(id, "Unavailable");
            cp.firmware("Downloaded");
            cp.firmware("Installing");
            assertEquals("Unavailable", api.chargerRow(id).getString("status"));
            cp.ok(
                    "BootNotification",
                    new JsonObject()
                            .put("chargePointVendor", "ACME")
                            .put("chargePointModel", "AC22")
                            .put("firmwareVersion", "2.0.0"));
            sse.awaitStatus(id, "Available");
        }
        JsonObject row = api.chargerRow(id);
        assertEquals("Available", row.getString("status"));
        assertEquals("2.0.0", row.getString("firmwareVersion"));
        cp.close();
    }

    @Test
    @DisplayName("transactions are kept with meter values, energy and stop reason; the open one shows on its connector")
    void transactions() {
        String id = charger(true, null);
        TestCharger cp = TestCharger.connect(service, id);
        cp.boot();
        int tx = cp.ok(
                        "StartTransaction",
                        new JsonObject()
                                .put("connectorId", 2)
                                .put("idTag", "DRIVER-1")
                                .put("meterStart", 1000)
                                .put("timestamp", Instant.now().toString()))
                .getInteger("transactionId");
        cp.status(2, "Charging");
        assertEquals(
                tx,
                api.chargerRow(id).getJsonArray("connectors").getJsonObject(0).getInteger("transactionId"));
        cp.ok(
                "StopTransaction",
                new JsonObject()
                        .put("transactionId", tx)
                        .put("meterStop", 23500)
                        .put("idTag", "DRIVER-1")
                        .put("timestamp", Instant.now().toString())
                        .put("reason", "Remote"));
        JsonObject t = expect(200, api.get("/api/v1/chargers/" + id + "/transactions"))
                .array()
                .getJsonObject(0);
        assertEquals(tx, t.getInteger("id"));
        assertEquals(2, t.getInteger("connectorId"));
        assertEquals(22500, t.getInteger("energyWh"));
        assertEquals("Remote", t.getString("stopReason"));
        assertNotNull(t.getString("stoppedAt"));
        assertNull(
                api.chargerRow(id).getJsonArray("connectors").getJsonObject(0).getInteger("transactionId"));
        cp.close();
    }
}
