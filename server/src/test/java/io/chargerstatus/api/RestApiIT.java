package io.chargerstatus.api;

import static io.chargerstatus.testkit.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chargerstatus.testkit.Api;
import io.chargerstatus.testkit.SseClient;
import io.chargerstatus.testkit.TestDatabase;
import io.chargerstatus.testkit.TestService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The back-office REST API")
class RestApiIT {
    private static TestService service;
    private static Api admin;

    @BeforeAll
    static void start() {
        service = TestService.start(TestDatabase.fresh(), Map.of());
        admin = service.api();
        expect(
                201,
                admin.post(
                        "/api/v1/accounts", new JsonObject().put("id", "north").put("name", "North")));
        expect(
                201,
                admin.post(
                        "/api/v1/accounts", new JsonObject().put("id", "south").put("name", "South")));
        expect(
                201,
                admin.post(
                        "/api/v1/sites",
                        Api.delayedSite("hq", "north", "Europe/Paris", "17:00", "21:00", "MON", "TUE")
                                .put("name", "HQ")));
        expect(
                201,
                admin.post(
                        "/api/v1/chargers",
                        new JsonObject()
                                .put("id", "N-1")
                                .put("accountId", "north")
                                .put("siteId", "hq")
                                .put("name", "Lobby left")));
        expect(
                201,
                admin.post("/api/v1/chargers", new JsonObject().put("id", "N-2").put("accountId", "north")));
        expect(
                201,
                admin.post("/api/v1/chargers", new JsonObject().put("id", "S-1").put("accountId", "south")));
    }

    @AfterAll
    static void stop() throws Exception {
        service.close();
    }

    @Test
    @DisplayName("the chargers table filters by account, site and status; rows have the contract's fields")
    void chargersTable() {
        JsonArray all = expect(200, admin.get("/api/v1/chargers")).array();
        assertEquals(3, all.size());
        assertEquals(
                2,
                expect(200, admin.get("/api/v1/chargers?accountId=north"))
                        .array()
                        .size());
        JsonArray hq = expect(200, admin.get("/api/v1/chargers?siteId=hq")).array();
        assertEquals(1, hq.size());
        JsonObject row = hq.getJsonObject(0);
        for (String field : new String[] {
            "id",
            "name",
            "accountId",
            "siteId",
            "status",
            "statusSince",
            "faultCode",
            "online",
            "lastSeenAt",
            "secured",
            "vendor",
            "model",
            "firmwareVersion",
            "ocppVersion",
            "connectors"
        }) {
            assertTrue(row.containsKey(field), "row has " + field);
        }
        assertEquals("Lobby left", row.getString("name"));
        assertEquals(
                3,
                expect(200, admin.get("/api/v1/chargers?status=Unknown"))
                        .array()
                        .size());
        assertEquals(
                0,
                expect(200, admin.get("/api/v1/chargers?status=Charging"))
                        .array()
                        .size());
        assertEquals(400, admin.get("/api/v1/chargers?status=Sleeping").status());
        JsonObject summary =
                expect(200, admin.get("/api/v1/status-summary?accountId=north")).json();
        assertEquals(2, summary.getInteger("Unknown"));
        assertEquals(10, summary.size());
    }

    @Test
    @DisplayName("bad bodies, unknown ids and duplicates give 400/404/409 with a JSON message, never 500")
    void errors() {
        assertBad(400, admin.post("/api/v1/chargers", "{not json"));
        assertBad(400, admin.post("/api/v1/chargers", "[1,2]"));
        Api.Response typed =
                admin.post("/api/v1/chargers", new JsonObject().put("id", 7).put("accountId", "north"));
        assertBad(400, typed);
        assertEquals("id: integer found, string expected", typed.json().getString("message"), "names the field");
        Api.Response missing = admin.post("/api/v1/chargers", new JsonObject().put("id", "X"));
        assertEquals(
                "required property 'accountId' not found", missing.json().getString("message"), "no leading colon");
        assertBad(
                400,
                admin.post(
                        "/api/v1/chargers",
                        new JsonObject()
                                .put("id", "X")
                                .put("accountId", "north")
                                .put("colour", "red")));
        assertBad(
                400,
                admin.post(
                        "/api/v1/chargers", new JsonObject().put("id", "bad/id").put("accountId", "north")));
        assertBad(
                404,
                admin.post("/api/v1/chargers", new JsonObject().put("id", "X-1").put("accountId", "nobody")));
        assertBad(
                404,
                admin.post(
                        "/api/v1/chargers",
                        new JsonObject()
                                .put("id", "X-2")
                                .put("accountId", "north")
                                .put("siteId", "nowhere")));
        assertBad(
                409,
                admin.post("/api/v1/chargers", new JsonObject().put("id", "N-1").put("accountId", "north")));
        assertBad(
                409,
                admin.post(
                        "/api/v1/accounts", new JsonObject().put("id", "north").put("name", "again")));
        assertBad(
                400,
                admin.post(
                        "/api/v1/sites",
                        new JsonObject()
                                .put("id", "s")
                                .put("accountId", "north")
                                .put("timezone", "Mars/Olympus")));
        assertBad(400, admin.post("/api/v1/sites", Api.delayedSite("s", "north", "UTC", "17:00", "21:00", "FUNDAY")));
        assertBad(
                400,
                admin.post(
                        "/api/v1/id-tags",
                        new JsonObject()
                                .put("idTag", "T")
                                .put("accountId", "north")
                                .put("status", "Maybe")));
        assertBad(404, admin.get("/api/v1/chargers/nope"));
        assertBad(404, admin.get("/api/v1/chargers/nope/history"));
        assertBad(400, admin.get("/api/v1/chargers/N-1/history?limit=zero"));
        assertBad(404, admin.delete("/api/v1/id-tags/never-issued"));
        assertBad(404, admin.get("/api/v1/no-such-route"));
        assertBad(401, service.api(null).get("/api/v1/chargers"));
        assertBad(401, service.api("forged").get("/api/v1/chargers"));
    }

    private static void assertBad(int status, Api.Response r) {
        assertEquals(status, r.status(), r.body());
        JsonObject body = r.json();
        assertNotNull(body.getString("error"));
        assertNotNull(body.getString("message"));
    }

    @Test
    @DisplayName("an account token sees its own account only: 404 for others' data, 403 for admin routes")
    void accountScope() {
        String token = expect(201, admin.post("/api/v1/accounts/north/tokens", null))
                .json()
                .getString("token");
        Api north = service.api(token);
        JsonArray accounts = expect(200, north.get("/api/v1/accounts")).array();
        assertEquals(1, accounts.size());
        assertEquals("north", accounts.getJsonObject(0).getString("id"));
        JsonArray chargers = expect(200, north.get("/api/v1/chargers")).array();
        assertEquals(2, chargers.size());
        chargers.forEach(c -> assertEquals("north", ((JsonObject) c).getString("accountId")));
        assertEquals(404, north.get("/api/v1/chargers?accountId=south").status());
        assertEquals(404, north.get("/api/v1/chargers/S-1").status());
        assertEquals(404, north.get("/api/v1/chargers/S-1/history").status());
        assertEquals(404, north.delete("/api/v1/chargers/S-1").status());
        assertEquals(404, north.get("/api/v1/status-summary?accountId=south").status());
        assertEquals(
                404,
                north.post("/api/v1/chargers", new JsonObject().put("id", "N-X").put("accountId", "south"))
                        .status());
        assertEquals(
                403,
                north.post(
                                "/api/v1/accounts",
                                new JsonObject().put("id", "west").put("name", "W"))
                        .status());
        assertEquals(403, north.post("/api/v1/accounts/north/tokens", null).status());
        assertEquals(404, SseClient.open(service, token, "?accountId=south", null).status);
        expect(200, admin.get("/api/v1/chargers/S-1"));
    }

    @Test
    @DisplayName("id tags are created, listed per account and deleted")
    void idTags() {
        expect(
                201,
                admin.post(
                        "/api/v1/id-tags",
                        new JsonObject().put("idTag", "RFID-1").put("accountId", "south")));
        JsonArray tags =
                expect(200, admin.get("/api/v1/id-tags?accountId=south")).array();
        assertEquals("RFID-1", tags.getJsonObject(0).getString("idTag"));
        assertEquals("Accepted", tags.getJsonObject(0).getString("status"));
        // Id tags are per account: another account may hold the same tag, and learns nothing from creating it.
        expect(
                201,
                admin.post(
                        "/api/v1/id-tags",
                        new JsonObject().put("idTag", "RFID-1").put("accountId", "north")));
        assertEquals(
                1,
                expect(200, admin.get("/api/v1/id-tags?accountId=north"))
                        .array()
                        .size());
        expect(204, admin.delete("/api/v1/id-tags/RFID-1"));
        assertEquals(
                0,
                expect(200, admin.get("/api/v1/id-tags?accountId=south"))
                        .array()
                        .size());
        assertEquals(
                0,
                expect(200, admin.get("/api/v1/id-tags?accountId=north"))
                        .array()
                        .size());
    }

    @Test
    @DisplayName("health and metrics answer")
    void operations() {
        Api anonymous = service.api(null);
        assertEquals(200, anonymous.get("/health/live").status());
        assertEquals("UP", expect(200, anonymous.get("/health/ready")).json().getString("status"));
        String metrics = expect(200, anonymous.get("/metrics")).body();
        assertTrue(metrics.contains("charger_status_chargers{status=\"Unknown\"} 3.0"), metrics);
    }
}
