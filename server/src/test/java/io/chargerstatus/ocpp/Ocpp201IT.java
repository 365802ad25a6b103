package io.chargerstatus.ocpp;

import static io.chargerstatus.testkit.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Chargers that speak OCPP 2.0.1 over real WebSockets: the subprotocol choice, every row of the 2.0.1
 * mapping with its fault codes, ordering and idempotence on REST and SSE, the 2.0.1-only commands and a 1.6
 * charger beside a 2.0.1 one. The commands and business rules both versions share run once per version in
 * CommandsIT. Every reply and every call of the service is checked against the official 2.0.1 schemas by the
 * test charger.
 */
@DisplayName("OCPP 2.0.1 chargers")
class Ocpp201IT {

    private static TestService service;
    private static Api api;

    @BeforeAll
    static void start() {
        service = TestService.start(TestDatabase.fresh(), Map.of());
        api = service.api();
        api.account(
                "gen2",
                "Gen 2",
                new JsonObject().put("id", "gen2-hq").put("accountId", "gen2").put("timezone", "Europe/Paris"),
                "DRIVER-2");
    }

    @AfterAll
    static void stop() throws Exception {
        service.close();
    }

    private static String charger(boolean secured, String siteId) {
        return api.newCharger("NG", "gen2", secured, siteId);
    }

    private static JsonObject connector(String chargerId, int evseId) {
        JsonArray connectors = api.chargerRow(chargerId).getJsonArray("connectors");
        for (int i = 0; i < connectors.size(); i++) {
            if (connectors.getJsonObject(i).getInteger("connectorId") == evseId) {
                return connectors.getJsonObject(i);
            }
        }
        return null;
    }

    @Test
    @DisplayName("the charger's order of preference decides the version; none of ours is refused with 400")
    void subprotocols() throws Exception {
        String id = charger(true, null);
        TestCharger prefers201 = TestCharger.connect(service, id, null, List.of("ocpp2.0.1", "ocpp1.6"));
        assertEquals("2.0.1", prefers201.messages.version);
        prefers201.boot201();
        eventually(() -> assertEquals("2.0.1", api.chargerRow(id).getString("ocppVersion")));
        prefers201.close();
        TestCharger prefers16 = TestCharger.connect(service, id, null, List.of("ocpp1.6", "ocpp2.0.1"));
        assertEquals("1.6", prefers16.messages.version);
        prefers16.boot();
        eventually(() -> assertEquals("1.6", api.chargerRow(id).getString("ocppVersion")));
        prefers16.close();
        assertEquals(400, TestCharger.upgradeStatusOffering(service, id, List.of("ocpp2.1", "ocpp1.5")));
    }

    @Test
    @DisplayName("every row of the 2.0.1 mapping, fault codes from NotifyEvent, firmware, ordering and idempotence, "
            + "on REST and SSE")
    void mapping() throws Exception {
        String id = charger(true, null);
        try (SseClient sse = SseClient.open(service, TestService.ADMIN, null, null)) {
            TestCharger cp = TestCharger.connect201(service, id);
            cp.boot201();
            cp.evse(1, "Available");
            assertEquals("Available", sse.awaitStatus(id, "Available").getString("status"));
            cp.evse(1, "Occupied");
            sse.awaitStatus(id, "Preparing");
            cp.transaction("Started", 1, "tx-1", "EVConnected", "DRIVER-2", Instant.now());
            assertEquals("Preparing", api.chargerRow(id).getString("status"), "EVConnected: not drawing power yet");
            assertEquals("EVConnected", connector(id, 1).getString("chargingState"));
            assertEquals("tx-1", connector(id, 1).getString("transactionId"));
            cp.transaction("Updated", 1, "tx-1", "Charging");
            sse.awaitStatus(id, "Charging");
            cp.transaction("Updated", 1, "tx-1", "SuspendedEV");
            sse.awaitStatus(id, "Completed");
            cp.transaction("Updated", 1, "tx-1", "SuspendedEVSE");
            sse.awaitStatus(id, "Paused");
            cp.transaction("Ended", 1, "tx-1", null);
            JsonObject finishing = sse.awaitStatus(id, "Finishing");
            assertEquals("Occupied", finishing.getJsonObject("connector").getString("ocppStatus"));
            assertNull(connector(id, 1).getString("chargingState"), "no transaction runs");
            cp.evse(1, "Available");
            sse.awaitStatus(id, "Available");
            cp.evse(1, "Reserved");
            JsonObject reserved = sse.awaitStatus(id, "Unavailable");
            assertEquals("Reserved", reserved.getJsonObject("connector").getString("ocppStatus"));
            cp.evse(1, "Unavailable");
            JsonObject unavailable = sse.next(30_000);
            assertEquals("Unavailable", unavailable.getJsonObject("connector").getString("ocppStatus"));

            // A problem reported before the Faulted status is kept and shown once the EVSE is Faulted.
            cp.problem(1, "ConnectorPlugRetentionLock", true, "E-42", "pin bent");
            assertEquals("Unavailable", api.chargerRow(id).getString("status"));
            cp.evse(1, "Faulted");
            JsonObject faulted = sse.awaitStatus(id, "Faulted");
            assertEquals("ConnectorPlugRetentionLock/E-42", faulted.getString("faultCode"));
            JsonObject row = api.chargerRow(id);
            assertEquals("ConnectorPlugRetentionLock/E-42", row.getString("faultCode"));
            assertEquals("pin bent", connector(id, 1).getString("info"));
            // A Problem event with techCode NoError (a station re-sends one when asked for its statuses) says
            // nothing new: the fault code stands.
            cp.problem(1, "EVSE", true, "NoError", null);
            assertEquals("ConnectorPlugRetentionLock/E-42", api.chargerRow(id).getString("faultCode"));
            cp.problem(1, "ConnectorPlugRetentionLock", false, "E-42", null);
            eventually(() -> assertNull(api.chargerRow(id).getString("faultCode")));
            assertEquals("Faulted", api.chargerRow(id).getString("status"));
            cp.evse(1, "Available");
            sse.awaitStatus(id, "Available");

            // Ordering: an older report is kept in the history but changes nothing.
            cp.evse(1, "Faulted", Instant.now().minusSeconds(3600));
            assertEquals("Available", api.chargerRow(id).getString("status"));
            // Idempotence: the same status again is no event.
            cp.evse(1, "Available");
            cp.evse(2, "Occupied");
            JsonObject next = sse.awaitStatus(id, "Preparing");
            assertEquals(2, next.getJsonObject("connector").getInteger("connectorId"), "nothing between for EVSE 1");

            // Firmware: Unavailable while it installs, back after.
            cp.firmware("Downloading");
            sse.awaitStatus(id, "Unavailable");
            cp.firmware("Installed");
            sse.awaitStatus(id, "Preparing");

            cp.close();
            sse.awaitStatus(id, "Offline");
            assertTrue(cp.badCalls.isEmpty(), cp.badCalls.toString());
        }
        assertEquals(
                "1",
                TestDatabase.sql(
                        service.pgUrl,
                        "SELECT count(*) FROM status_events WHERE charger_id = '" + id + "' AND NOT applied"),
                "the late Faulted is in the history, not applied");
    }

    @Test
    @DisplayName("an EVSE with several connectors shows the most significant of their statuses, as one row connector")
    void evseWithSeveralConnectors() throws Exception {
        String id = charger(true, null);
        TestCharger cp = TestCharger.connect201(service, id);
        cp.boot201();
        cp.connector(1, 1, "Available", Instant.now());
        cp.connector(1, 2, "Occupied", Instant.now());
        assertEquals("Occupied", connector(id, 1).getString("ocppStatus"), "connector 2's Occupied shows");
        assertEquals("Preparing", api.chargerRow(id).getString("status"));
        cp.connector(1, 1, "Faulted", Instant.now());
        assertEquals("Faulted", connector(id, 1).getString("ocppStatus"));
        cp.connector(1, 1, "Available", Instant.now());
        cp.connector(1, 2, "Available", Instant.now());
        assertEquals("Available", connector(id, 1).getString("ocppStatus"));
        assertEquals(1, api.chargerRow(id).getJsonArray("connectors").size(), "one EVSE, one entry");
        cp.close();
    }

    @Test
    @DisplayName("anything else is NotImplemented; a payload that breaks the 2.0.1 schema gets 2.0.1's error code")
    void refusals() throws Exception {
        String id = charger(true, null);
        TestCharger cp = TestCharger.connect201(service, id);
        cp.boot201();
        JsonArray unknown = cp.call("Get15118EVCertificate", new JsonObject());
        assertEquals(4, unknown.getInteger(0));
        assertEquals("NotImplemented", unknown.getString(2));
        JsonArray incomplete = cp.call("StatusNotification", new JsonObject().put("evseId", 1));
        assertEquals("OccurrenceConstraintViolation", incomplete.getString(2), incomplete.encode());
        JsonArray extra = cp.call("Heartbeat", new JsonObject().put("surprise", 1));
        assertEquals("FormatViolation", extra.getString(2), extra.encode());
        assertEquals(
                new JsonObject().put("status", "UnknownVendorId").getString("status"),
                cp.ok("DataTransfer", new JsonObject().put("vendorId", "ACME")).getString("status"));
        cp.close();
    }

    @Test
    @DisplayName("unlock-connector, get-variables and set-variables in 2.0.1; a 1.6-only command is refused with 400")
    void variablesAndUnlock() throws Exception {
        String id = charger(true, null);
        try (TestCharger cp = TestCharger.connect201(service, id)) {
            cp.boot201();
            String commands = "/api/v1/chargers/" + id + "/commands/";
            cp.answers.put("UnlockConnector", new JsonObject().put("status", "Unlocked"));
            Api.Response unlocked = api.post(commands + "unlock-connector", new JsonObject().put("connectorId", 2));
            assertEquals("Unlocked", unlocked.json().getString("status"), unlocked.body());
            assertEquals(
                    new JsonObject().put("evseId", 2).put("connectorId", 1),
                    cp.nextCallFromService("UnlockConnector", 5).getJsonObject(3));

            JsonObject result = new JsonObject()
                    .put(
                            "getVariableResult",
                            new JsonArray()
                                    .add(new JsonObject()
                                            .put("attributeStatus", "Accepted")
                                            .put("attributeValue", "300")
                                            .put("component", new JsonObject().put("name", "OCPPCommCtrlr"))
                                            .put("variable", new JsonObject().put("name", "HeartbeatInterval"))));
            cp.answers.put("GetVariables", result);
            Api.Response read = api.post(
                    commands + "get-variables",
                    new JsonObject()
                            .put(
                                    "variables",
                                    new JsonArray()
                                            .add(new JsonObject()
                                                    .put("component", "OCPPCommCtrlr")
                                                    .put("variable", "HeartbeatInterval"))));
            assertEquals(200, read.status(), read.body());
            assertEquals(result, read.json().getJsonObject("response"));
            assertEquals(
                    "HeartbeatInterval",
                    cp.nextCallFromService("GetVariables", 5)
                            .getJsonObject(3)
                            .getJsonArray("getVariableData")
                            .getJsonObject(0)
                            .getJsonObject("variable")
                            .getString("name"));

            cp.answers.put(
                    "SetVariables",
                    new JsonObject()
                            .put(
                                    "setVariableResult",
                                    new JsonArray()
                                            .add(new JsonObject()
                                                    .put("attributeStatus", "RebootRequired")
                                                    .put(
                                                            "component",
                                                            new JsonObject()
                                                                    .put("name", "EVSE")
                                                                    .put("evse", new JsonObject().put("id", 1)))
                                                    .put("variable", new JsonObject().put("name", "Power")))));
            Api.Response set = api.post(
                    commands + "set-variables",
                    new JsonObject()
                            .put(
                                    "variables",
                                    new JsonArray()
                                            .add(new JsonObject()
                                                    .put("component", "EVSE")
                                                    .put("evseId", 1)
                                                    .put("variable", "Power")
                                                    .put("value", "11000"))));
            assertEquals(200, set.status(), set.body());
            JsonObject setData = cp.nextCallFromService("SetVariables", 5)
                    .getJsonObject(3)
                    .getJsonArray("setVariableData")
                    .getJsonObject(0);
            assertEquals("11000", setData.getString("attributeValue"));
            assertEquals(
                    1, setData.getJsonObject("component").getJsonObject("evse").getInteger("id"));

            Api.Response wrongVersion = api.post(commands + "get-configuration", new JsonObject());
            assertEquals(400, wrongVersion.status(), wrongVersion.body());
            assertTrue(wrongVersion.body().contains("get-variables"), wrongVersion.body());
            assertTrue(cp.badCalls.isEmpty(), cp.badCalls.toString());
        }
    }

    @Test
    @DisplayName("a 1.6 and a 2.0.1 charger side by side in one account: the same row shape, told apart by ocppVersion")
    void sideBySide() throws Exception {
        String old = charger(true, null);
        String gen2 = charger(true, null);
        TestCharger a = TestCharger.connect(service, old);
        TestCharger b = TestCharger.connect201(service, gen2);
        a.boot();
        b.boot201();
        a.status(1, "Charging");
        b.evse(1, "Occupied");
        b.transaction("Started", 1, "side-tx", "Charging", "DRIVER-2", Instant.now());
        JsonObject rowA = api.chargerRow(old);
        JsonObject rowB = api.chargerRow(gen2);
        assertEquals("Charging", rowA.getString("status"));
        assertEquals("Charging", rowB.getString("status"));
        assertEquals("1.6", rowA.getString("ocppVersion"));
        assertEquals("2.0.1", rowB.getString("ocppVersion"));
        assertEquals(rowA.fieldNames(), rowB.fieldNames());
        JsonArray listed = api.get("/api/v1/chargers?accountId=gen2").array();
        assertTrue(listed.encode().contains(old) && listed.encode().contains(gen2));
        // A 2.0.1 transaction id (a string) cannot be stopped on a 1.6 charger: 400, and nothing is sent.
        Api.Response wrongVersion = api.post(
                "/api/v1/chargers/" + old + "/commands/remote-stop", new JsonObject().put("transactionId", "side-tx"));
        assertEquals(400, wrongVersion.status(), wrongVersion.body());
        assertNull(a.nextCallFromService("RemoteStopTransaction", 1));
        a.close();
        b.close();
    }
}
