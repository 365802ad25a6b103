package io.chargerstatus.ocpp;

import static io.chargerstatus.testkit.Api.expect;
import static io.chargerstatus.testkit.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chargerstatus.testkit.Api;
import io.chargerstatus.testkit.SseClient;
import io.chargerstatus.testkit.TestCharger;
import io.chargerstatus.testkit.TestDatabase;
import io.chargerstatus.testkit.TestService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A charger's OCPP 1.6J session, observed through REST and SSE")
class ChargerSessionIT {
    private static TestService service;
    private static Api api;

    @BeforeAll
    static void start() {
        service = TestService.start(Map.of());
        api = service.api();
    }

    @AfterAll
    static void stop() throws Exception {
        service.close();
    }

    /** A charger registered in an account of its own, connected and booted. */
    private static TestCharger bootedCharger() {
        String id = uniqueId("CP");
        api.charger(uniqueId("acct"), id);
        TestCharger cp = TestCharger.connect(service, id);
        cp.boot();
        return cp;
    }

    private static String uniqueId(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    @DisplayName("a charger walks through all ten statuses; every change shows on REST and SSE")
    void allTenStatuses() throws Exception {
        String account = uniqueId("acct");
        String id = uniqueId("CP");
        JsonObject added = api.charger(account, id);
        assertEquals("Unknown", added.getString("status"));
        try (SseClient sse = SseClient.open(service, TestService.ADMIN, "?accountId=" + account, null)) {
            assertEquals(200, sse.status);
            assertTrue(sse.contentType.startsWith("text/event-stream"));
            TestCharger cp = TestCharger.connect(service, id);
            JsonObject boot = cp.boot();
            assertEquals("Accepted", boot.getString("status"));
            assertEquals(300, boot.getInteger("interval"));
            expectStatus(sse, id, "Available");

            String[][] walk = {
                {"Preparing", "Preparing"}, {"Charging", "Charging"}, {"SuspendedEV", "Completed"},
                {"SuspendedEVSE", "Paused"}, {"Finishing", "Finishing"}, {"Faulted", "Faulted"},
                {"Reserved", "Unavailable"}, {"Available", "Available"}
            };
            for (String[] step : walk) {
                String error = step[0].equals("Faulted") ? "GroundFailure" : "NoError";
                cp.status(1, step[0], error, step[0].equals("Faulted") ? "E-105" : null, Instant.now());
                JsonObject event = expectStatus(sse, id, step[1]);
                assertEquals(step[0], event.getJsonObject("connector").getString("ocppStatus"));
                JsonObject row = api.chargerRow(id);
                assertEquals(step[1], row.getString("status"));
                assertEquals(
                        step[0], row.getJsonArray("connectors").getJsonObject(0).getString("ocppStatus"));
                if (step[1].equals("Faulted")) {
                    assertEquals("GroundFailure/E-105", row.getString("faultCode"));
                    assertEquals("GroundFailure/E-105", event.getString("faultCode"));
                    assertEquals(
                            "E-105",
                            row.getJsonArray("connectors").getJsonObject(0).getString("vendorErrorCode"));
                } else {
                    assertNull(row.getString("faultCode"));
                }
            }
            cp.firmware("Downloading");
            expectStatus(sse, id, "Unavailable");
            cp.firmware("Installed");
            expectStatus(sse, id, "Available");

            cp.close();
            JsonObject offline = expectStatus(sse, id, "Offline");
            assertNull(offline.getValue("connector"));
            assertEquals("Available", offline.getString("previousStatus"));
            JsonObject row = api.chargerRow(id);
            assertEquals("Offline", row.getString("status"));
            assertFalse(row.getBoolean("online"));
            assertEquals("ACME", row.getString("vendor"));
            assertEquals("1.2.3", row.getString("firmwareVersion"));

            JsonArray history = expect(200, api.get("/api/v1/chargers/" + id + "/history?limit=100"))
                    .array();
            assertEquals("Offline", history.getJsonObject(0).getString("status"), "history is newest first");
            assertTrue(history.size() >= 12);
            JsonObject summary = expect(200, api.get("/api/v1/status-summary?accountId=" + account))
                    .json();
            assertEquals(10, summary.size());
            assertEquals(1, summary.getInteger("Offline"));
        }
    }

    private static JsonObject expectStatus(SseClient sse, String chargerId, String status) throws InterruptedException {
        return sse.awaitStatus(chargerId, status);
    }

    @Test
    @DisplayName("connector 0 is not listed in the row's connectors, but its Unavailable makes the charger Unavailable")
    void connectorZero() {
        TestCharger cp = bootedCharger();
        String id = cp.id;
        cp.status(1, "Charging");
        cp.status(0, "Unavailable");
        JsonObject row = api.chargerRow(id);
        assertEquals("Unavailable", row.getString("status"));
        assertEquals(1, row.getJsonArray("connectors").size());
        assertEquals(1, row.getJsonArray("connectors").getJsonObject(0).getInteger("connectorId"));
        cp.status(0, "Available");
        assertEquals("Charging", api.chargerRow(id).getString("status"));
        cp.close();
    }

    @Test
    @DisplayName("an unregistered charger is refused at the upgrade with 404")
    void unregistered() {
        assertEquals(404, TestCharger.upgradeStatus(service, "no-such-charger", null));
    }

    @Test
    @DisplayName("a charger with a password needs HTTP Basic auth with its id (security profile 1)")
    void basicAuth() {
        String account = uniqueId("acct");
        api.charger(account, uniqueId("CP"));
        String id = uniqueId("CP");
        expect(
                201,
                api.post(
                        "/api/v1/chargers",
                        new JsonObject()
                                .put("id", id)
                                .put("accountId", account)
                                .put("password", "correct-horse-battery")));
        String good = "Basic " + Base64.getEncoder().encodeToString((id + ":correct-horse-battery").getBytes());
        String bad = "Basic " + Base64.getEncoder().encodeToString((id + ":wrong-password").getBytes());
        assertEquals(401, TestCharger.upgradeStatus(service, id, null));
        assertEquals(401, TestCharger.upgradeStatus(service, id, bad));
        assertEquals(101, TestCharger.upgradeStatus(service, id, good));
    }

    @Test
    @DisplayName("a second connection replaces the first without an Offline in between")
    void secondConnectionReplacesFirst() throws Exception {
        String account = uniqueId("acct");
        String id = uniqueId("CP");
        api.charger(account, id);
        TestCharger first = TestCharger.connect(service, id);
        first.boot();
        first.status(1, "Charging");
        try (SseClient sse = SseClient.open(service, TestService.ADMIN, "?accountId=" + account, null)) {
            TestCharger second = TestCharger.connect(service, id);
            first.closed.get(5, TimeUnit.SECONDS);
            second.status(1, "Finishing");
            JsonObject e = sse.next(3000);
            assertNotNull(e);
            assertEquals("Finishing", e.getString("status"), "no Offline between the two sessions");
            assertEquals("Finishing", api.chargerRow(id).getString("status"));
            assertTrue(api.chargerRow(id).getBoolean("online"));
            second.close();
        }
    }

    @Test
    @DisplayName("a late StatusNotification goes to the history but does not change the status")
    void lateMessage() {
        TestCharger cp = bootedCharger();
        String id = cp.id;
        Instant now = Instant.now();
        cp.status(1, "Charging", "NoError", null, now);
        cp.status(1, "Faulted", "GroundFailure", null, now.minusSeconds(2 * 24 * 3600));
        JsonObject row = api.chargerRow(id);
        assertEquals("Charging", row.getString("status"));
        JsonObject latest = expect(200, api.get("/api/v1/chargers/" + id + "/history?limit=1"))
                .array()
                .getJsonObject(0);
        assertEquals("Faulted", latest.getJsonObject("connector").getString("ocppStatus"));
        assertFalse(latest.getBoolean("applied"));
        cp.close();
    }

    @Test
    @DisplayName("a reconnect without boot restores the last statuses and triggers fresh ones")
    void reconnectWithoutBoot() throws Exception {
        TestCharger cp = bootedCharger();
        String id = cp.id;
        cp.status(1, "Charging");
        cp.status(2, "Preparing");
        cp.close();
        eventually(() -> assertEquals("Offline", api.chargerRow(id).getString("status")));
        TestCharger again = TestCharger.connect(service, id);
        JsonArray trigger = again.nextCallFromService(5);
        assertNotNull(trigger, "the service asks for fresh statuses");
        assertEquals("TriggerMessage", trigger.getString(2));
        assertEquals("StatusNotification", trigger.getJsonObject(3).getString("requestedMessage"));
        JsonObject row = api.chargerRow(id);
        assertEquals("Charging", row.getString("status"));
        assertEquals(2, row.getJsonArray("connectors").size());
        again.close();
    }

    @Test
    @DisplayName("Authorize and StartTransaction answer from the id-tag store")
    void idTags() {
        String account = uniqueId("acct");
        String id = uniqueId("CP");
        api.charger(account, id);
        expect(
                201,
                api.post(
                        "/api/v1/id-tags",
                        new JsonObject().put("idTag", "OK-" + id.substring(3)).put("accountId", account)));
        expect(
                201,
                api.post(
                        "/api/v1/id-tags",
                        new JsonObject()
                                .put("idTag", "BL-" + id.substring(3))
                                .put("accountId", account)
                                .put("status", "Blocked")));
        expect(
                201,
                api.post(
                        "/api/v1/id-tags",
                        new JsonObject()
                                .put("idTag", "EX-" + id.substring(3))
                                .put("accountId", account)
                                .put("expiryDate", "2020-01-01T00:00:00Z")));
        TestCharger cp = TestCharger.connect(service, id);
        cp.boot();
        assertEquals("Accepted", authorize(cp, "OK-" + id.substring(3)));
        assertEquals("Blocked", authorize(cp, "BL-" + id.substring(3)));
        assertEquals("Expired", authorize(cp, "EX-" + id.substring(3)));
        assertEquals("Invalid", authorize(cp, "UNKNOWN-TAG"));

        cp.status(1, "Preparing");
        JsonObject start = cp.ok(
                "StartTransaction",
                new JsonObject()
                        .put("connectorId", 1)
                        .put("idTag", "OK-" + id.substring(3))
                        .put("meterStart", 100)
                        .put("timestamp", Instant.now().toString()));
        assertEquals("Accepted", start.getJsonObject("idTagInfo").getString("status"));
        int tx = start.getInteger("transactionId");
        assertEquals(
                tx,
                api.chargerRow(id).getJsonArray("connectors").getJsonObject(0).getInteger("transactionId"));
        cp.ok(
                "StopTransaction",
                new JsonObject()
                        .put("transactionId", tx)
                        .put("meterStop", 5100)
                        .put("timestamp", Instant.now().toString())
                        .put("reason", "Local"));
        assertNull(
                api.chargerRow(id).getJsonArray("connectors").getJsonObject(0).getInteger("transactionId"));
        cp.close();
    }

    private static String authorize(TestCharger cp, String tag) {
        return cp.ok("Authorize", new JsonObject().put("idTag", tag))
                .getJsonObject("idTagInfo")
                .getString("status");
    }

    @Test
    @DisplayName("every other charger-initiated message gets a schema-valid reply")
    void otherMessages() {
        TestCharger cp = bootedCharger();
        assertNotNull(cp.ok("Heartbeat", new JsonObject()).getString("currentTime"));
        cp.ok(
                "MeterValues",
                new JsonObject()
                        .put("connectorId", 1)
                        .put(
                                "meterValue",
                                new JsonArray()
                                        .add(new JsonObject()
                                                .put("timestamp", Instant.now().toString())
                                                .put(
                                                        "sampledValue",
                                                        new JsonArray()
                                                                .add(new JsonObject()
                                                                        .put("value", "123")
                                                                        .put(
                                                                                "measurand",
                                                                                "Energy.Active.Import.Register"))))));
        assertEquals(
                "UnknownVendorId",
                cp.ok("DataTransfer", new JsonObject().put("vendorId", "com.example"))
                        .getString("status"));
        cp.ok("DiagnosticsStatusNotification", new JsonObject().put("status", "Uploaded"));
        cp.ok("FirmwareStatusNotification", new JsonObject().put("status", "Idle"));
        cp.close();
    }

    @Test
    @DisplayName("malformed frames, invalid payloads and unknown actions get the right CALLERROR; the session goes on")
    void badInput() {
        TestCharger cp = bootedCharger();
        String id = cp.id;
        assertError("FormationViolation", cp.raw("this is not json", "-1"));
        assertError("FormationViolation", cp.raw("{\"an\":\"object\"}", "-1"));
        assertError("FormationViolation", cp.raw("[2,\"x1\",\"Heartbeat\"]", "x1"));
        assertError("ProtocolError", cp.raw("[7,\"x2\",\"Heartbeat\",{}]", "x2"));
        assertError("NotImplemented", cp.call("MakeCoffee", new JsonObject()));
        assertError("NotSupported", cp.call("RemoteStartTransaction", new JsonObject().put("idTag", "x")));
        assertError(
                "ProtocolError",
                cp.call(
                        "StatusNotification",
                        new JsonObject().put("connectorId", 1).put("status", "Available")));
        assertError(
                "TypeConstraintViolation",
                cp.call(
                        "StatusNotification",
                        new JsonObject()
                                .put("connectorId", "one")
                                .put("status", "Available")
                                .put("errorCode", "NoError")));
        assertError(
                "PropertyConstraintViolation",
                cp.call(
                        "StatusNotification",
                        new JsonObject()
                                .put("connectorId", 1)
                                .put("status", "Sleeping")
                                .put("errorCode", "NoError")));
        assertError("PropertyConstraintViolation", cp.call("Authorize", new JsonObject().put("idTag", "x".repeat(21))));
        assertError(
                "PropertyConstraintViolation",
                cp.call(
                        "StatusNotification",
                        new JsonObject()
                                .put("connectorId", 1)
                                .put("status", "Available")
                                .put("errorCode", "NoError")
                                .put("timestamp", "yesterday")));
        assertError("FormationViolation", cp.call("Heartbeat", new JsonObject().put("extra", 1)));
        assertFalse(cp.isClosed());
        cp.status(1, "Charging");
        assertEquals("Charging", api.chargerRow(id).getString("status"), "the session still works");
        cp.close();
    }

    private static void assertError(String code, JsonArray frame) {
        assertEquals(4, frame.getInteger(0), frame.encode());
        assertEquals(code, frame.getString(2), frame.encode());
    }

    @Test
    @DisplayName("deleting a charger closes its session and decommissions it; its history goes only with purge=true")
    void delete() throws Exception {
        TestCharger cp = bootedCharger();
        String id = cp.id;
        cp.status(1, "Charging");
        String events = "SELECT count(*) FROM status_events WHERE charger_id = '" + id + "'";
        assertTrue(Integer.parseInt(TestDatabase.sql(service.pgUrl, events)) > 0);
        expect(204, api.delete("/api/v1/chargers/" + id));
        cp.closed.get(5, TimeUnit.SECONDS);
        expect(404, api.get("/api/v1/chargers/" + id));
        assertEquals(404, TestCharger.upgradeStatus(service, id, null));
        assertNotEquals("0", TestDatabase.sql(service.pgUrl, events), "the history stays for the uptime reports");
        assertEquals(
                "1",
                TestDatabase.sql(
                        service.pgUrl, "SELECT count(*) FROM decommissioned_chargers WHERE charger_id = '" + id + "'"));
        expect(204, api.delete("/api/v1/chargers/" + id + "?purge=true"));
        assertEquals("0", TestDatabase.sql(service.pgUrl, events), "purged");
    }
}
