package io.chargerstatus.uptime;

import static io.chargerstatus.testkit.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.chargerstatus.testkit.Api;
import io.chargerstatus.testkit.Await;
import io.chargerstatus.testkit.MutableClock;
import io.chargerstatus.testkit.TestCharger;
import io.chargerstatus.testkit.TestDatabase;
import io.chargerstatus.testkit.TestService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A real charger's walk on a service whose clock the test sets, so that every figure is known to the second:
 * the reports, their CSV, exclusions, opening hours and decommissioning (docs/uptime.md).
 */
@DisplayName("uptime and outages from a real charger's history")
class UptimeIT {
    /** A Wednesday. */
    private static final Instant T0 = Instant.parse("2026-06-10T10:00:00Z");

    private static final MutableClock CLOCK = new MutableClock(T0);
    private static TestService service;
    private static Api admin;
    private static Api account;

    @BeforeAll
    static void start() {
        service = TestService.start(TestDatabase.fresh(), Map.of(), CLOCK);
        admin = service.api();
        // Closed on Wednesdays from 15:30 (UTC): half an hour of the Offline below is outside the opening hours.
        JsonObject hours = new JsonObject();
        for (String day : List.of("MON", "TUE", "THU", "FRI", "SAT", "SUN")) {
            hours.put(day, new JsonArray().add(new JsonArray().add("00:00").add("24:00")));
        }
        hours.put("WED", new JsonArray().add(new JsonArray().add("00:00").add("15:30")));
        admin.account(
                "up",
                "Uptime",
                new JsonObject()
                        .put("id", "depot")
                        .put("accountId", "up")
                        .put("timezone", "UTC")
                        .put("openingHours", hours));
        account = service.api(expect(201, admin.post("/api/v1/accounts/up/tokens", null))
                .json()
                .getString("token"));
    }

    @AfterAll
    static void stop() throws Exception {
        service.close();
    }

    private static void at(long secondsAfterT0) {
        CLOCK.set(T0.plusSeconds(secondsAfterT0));
    }

    private static JsonObject port(JsonArray ports, String chargerId, int connector) {
        for (Object o : ports) {
            JsonObject p = (JsonObject) o;
            if (p.getString("chargerId").equals(chargerId) && p.getInteger("connectorId") == connector) {
                return p;
            }
        }
        throw new AssertionError("no port " + chargerId + "/" + connector + " in " + ports.encode());
    }

    @Test
    @DisplayName("a walk with a measured fault, an Offline, a late report, an exclusion and closed hours")
    void walk() throws Exception {
        expect(
                201,
                admin.post(
                        "/api/v1/chargers",
                        new JsonObject()
                                .put("id", "UP-1")
                                .put("accountId", "up")
                                .put("siteId", "depot")));
        TestCharger cp = TestCharger.connect(service, "UP-1");
        cp.boot();
        cp.status(1, "Available", "NoError", null, T0);
        cp.status(2, "Available", "NoError", null, T0);
        at(3600);
        cp.status(1, "Faulted", "GroundFailure", "E-105", T0.plusSeconds(3600));
        at(3600 + 1234);
        cp.status(1, "Available", "NoError", null, T0.plusSeconds(3600 + 1234));
        // The roll-up stops here (another instance holds its lease): the reports below apply the rest of the
        // walk to the state it kept, as they do whenever the roll-up is behind.
        String db = service.pgUrl;
        Await.eventually(() -> assertEquals(
                TestDatabase.sql(db, "SELECT last_seq FROM event_counter"),
                TestDatabase.sql(db, "SELECT last_seq FROM uptime_rollup")));
        TestDatabase.sql(db, "UPDATE uptime_rollup SET owner = 'elsewhere', lease_until = now() + interval '1 hour'");
        at(3 * 3600);
        // Late: stamped before the connector's newest report; kept in the history, not counted.
        cp.status(1, "Faulted", "GroundFailure", null, T0.plusSeconds(1800));
        at(4 * 3600);
        cp.close();
        Await.eventually(() -> assertEquals("Offline", admin.chargerRow("UP-1").getString("status")));
        at(6 * 3600);

        expect(
                201,
                account.post(
                        "/api/v1/outage-exclusions",
                        new JsonObject()
                                .put("accountId", "up")
                                .put("chargerId", "UP-1")
                                .put("from", T0.plusSeconds(4 * 3600 + 1800).toString())
                                .put("to", T0.plusSeconds(5 * 3600).toString())
                                .put("reason", "utility")
                                .put("note", "grid outage, ticket 4711")));

        String range = "accountId=up&from=" + T0 + "&to=" + T0.plusSeconds(6 * 3600);
        JsonObject uptime = expect(200, account.get("/api/v1/uptime?" + range)).json();
        JsonObject p1 = port(uptime.getJsonArray("ports"), "UP-1", 1);
        // Port 1: the fault (1,234 s) and the Offline (2 h, still lasting); of the Offline, 14:30-15:00
        // (utility) and 15:30-16:00 (closed) are excluded.
        assertEquals(6 * 3600, p1.getLong("countedS"));
        assertEquals(1234 + 7200, p1.getLong("outageS"));
        assertEquals(3600, p1.getLong("excludedS"));
        double expected = (21600 - (8434 - 3600)) * 100.0 / 21600;
        assertEquals(Math.round(expected * 10_000) / 10_000.0, p1.getDouble("uptimePercent"));
        JsonObject p2 = port(uptime.getJsonArray("ports"), "UP-1", 2);
        assertEquals(7200, p2.getLong("outageS"));
        assertEquals(3600, p2.getLong("excludedS"));
        assertEquals(2 * 21600, uptime.getJsonObject("total").getLong("countedS"));

        JsonArray outages = expect(200, account.get("/api/v1/outages?" + range)).array();
        assertEquals(3, outages.size(), outages.encodePrettily());
        JsonObject fault = outages.getJsonObject(0);
        assertEquals("Faulted", fault.getString("status"));
        assertEquals("GroundFailure/E-105", fault.getString("faultCode"));
        assertEquals(T0.plusSeconds(3600).toString(), fault.getString("start"));
        assertEquals(1234, fault.getLong("durationS"));
        JsonObject offline = outages.getJsonObject(1);
        assertEquals("Offline", offline.getString("status"));
        assertNull(offline.getValue("end"), "still lasting");
        assertEquals(7200, offline.getLong("durationS"));
        assertEquals(3600, offline.getLong("excludedS"));
        assertEquals(
                List.of("outside-hours", "utility"),
                offline.getJsonArray("reasons").getList());

        JsonObject nevi = expect(200, account.get("/api/v1/uptime/nevi?accountId=up&month=2026-06"))
                .json();
        JsonObject n1 = port(nevi.getJsonArray("ports"), "UP-1", 1);
        assertTrue(n1.getBoolean("provisional"));
        assertEquals(Math.round(8434 / 60.0 * 100) / 100.0, n1.getDouble("outageMin"));
        assertEquals(60.0, n1.getDouble("excludedMin"));
        double mu = (525_600 - (8434 / 60.0 - 60)) * 100 / 525_600;
        assertEquals(Math.round(mu * 10_000) / 10_000.0, n1.getDouble("uptimePercent"));
        assertEquals("2026-06", n1.getJsonArray("months").getJsonObject(2).getString("month"));

        // The UK figure: port 1 is a 150 kW DC EVSE, port 2 has no EVSE data (unrated, not counted). Of port
        // 1's six hours the closed half hour is not assessed; only the fault is "not working": the Offline is
        // UNKNOWN in OCPI, "ineligible for measurement" (regulation 7(3)(b)).
        expect(
                200,
                account.send(
                        "PUT",
                        "/api/v1/chargers/UP-1/connectors/1",
                        new JsonObject()
                                .put("standard", "IEC_62196_T2_COMBO")
                                .put("format", "CABLE")
                                .put("powerType", "DC")
                                .put("maxVoltage", 920)
                                .put("maxAmperage", 400)
                                .put("maxElectricPower", 150_000)
                                .encode()));
        JsonObject uk = expect(200, account.get("/api/v1/uptime/uk?accountId=up&year=2026"))
                .json();
        JsonObject rapid = port(uk.getJsonArray("ports"), "UP-1", 1);
        assertEquals(150_000, rapid.getLong("maxPowerW"));
        assertEquals(21600 - 1800, rapid.getLong("assessedS"));
        assertEquals(1234, rapid.getLong("notReliableS"));
        double reliable = (19800 - 1234) * 100.0 / 19800;
        assertEquals(Math.round(reliable * 10_000) / 10_000.0, rapid.getDouble("reliabilityPercent"));
        assertEquals(1, uk.getJsonArray("ports").size());
        assertEquals(
                new JsonArray().add(new JsonObject().put("chargerId", "UP-1").put("connectorId", 2)),
                uk.getJsonArray("unratedPorts"));
        assertEquals(false, uk.getJsonObject("network").getBoolean("meetsRequirement"), reliable + " % < 99 %");
        assertEquals(false, uk.getBoolean("complete"));
        assertEquals(400, account.get("/api/v1/uptime/uk?accountId=up&year=26").status());

        // The same figures as CSV, by Accept header and by ?format=csv, parsed back.
        List<Map<String, String>> csv = csv("/api/v1/uptime?" + range, "text/csv");
        assertEquals(2, csv.size());
        Map<String, String> row1 = csv.stream()
                .filter(r -> r.get("connectorId").equals("1"))
                .findFirst()
                .orElseThrow();
        assertEquals("8434", row1.get("outageS"));
        assertEquals("3600", row1.get("excludedS"));
        assertEquals(String.valueOf(p1.getDouble("uptimePercent")), row1.get("uptimePercent"));
        List<Map<String, String>> outageCsv = csv("/api/v1/outages?" + range + "&format=csv", "*/*");
        assertEquals("outside-hours utility", outageCsv.get(1).get("reasons"));
        assertEquals("", outageCsv.get(1).get("end"));
        List<Map<String, String>> neviCsv = csv("/api/v1/uptime/nevi?accountId=up&month=2026-06&format=csv", null);
        assertEquals("2026-06", neviCsv.get(0).get("month3"));
        List<Map<String, String>> ukCsv = csv("/api/v1/uptime/uk?accountId=up&year=2026", "text/csv");
        assertEquals(
                List.of("1234"), ukCsv.stream().map(r -> r.get("notReliableS")).toList());

        // The same reports from the roll-up's stretches as from the history alone: once the roll-up has caught
        // up, and again with its lease taken and its work undone (a report then applies the whole history).
        List<String> reports = List.of(
                "/api/v1/uptime?" + range,
                "/api/v1/outages?" + range,
                "/api/v1/uptime/nevi?accountId=up&month=2026-06",
                "/api/v1/uptime/uk?accountId=up&year=2026");
        List<Object> behind = reports.stream()
                .map(r -> io.vertx.core.json.Json.decodeValue(
                        expect(200, account.get(r)).body()))
                .toList();
        TestDatabase.sql(db, "UPDATE uptime_rollup SET owner = NULL, lease_until = NULL");
        Await.eventually(() -> assertEquals(
                TestDatabase.sql(db, "SELECT last_seq FROM event_counter"),
                TestDatabase.sql(db, "SELECT last_seq FROM uptime_rollup")));
        assertTrue(Long.parseLong(TestDatabase.sql(db, "SELECT count(*) FROM port_downs")) >= 4, "rolled up");
        List<Object> rolledUp = reports.stream()
                .map(r -> io.vertx.core.json.Json.decodeValue(
                        expect(200, account.get(r)).body()))
                .toList();
        TestDatabase.sql(
                db,
                "UPDATE uptime_rollup SET owner = 'elsewhere', lease_until = now() + interval '1 hour', last_seq = 0");
        TestDatabase.sql(db, "DELETE FROM port_downs");
        TestDatabase.sql(db, "DELETE FROM uptime_lifetimes");
        List<Object> fromHistory = reports.stream()
                .map(r -> io.vertx.core.json.Json.decodeValue(
                        expect(200, account.get(r)).body()))
                .toList();
        assertEquals(rolledUp, fromHistory);
        assertEquals(rolledUp, behind);
        TestDatabase.sql(db, "UPDATE uptime_rollup SET owner = NULL, lease_until = NULL");

        // Decommissioned: the charger leaves, its ports stay in the reports up to then.
        at(7 * 3600);
        expect(204, account.delete("/api/v1/chargers/UP-1"));
        expect(404, account.get("/api/v1/chargers/UP-1"));
        at(8 * 3600);
        JsonObject after = expect(
                        200, account.get("/api/v1/uptime?accountId=up&from=" + T0 + "&to=" + T0.plusSeconds(8 * 3600)))
                .json();
        assertEquals(7 * 3600, port(after.getJsonArray("ports"), "UP-1", 1).getLong("countedS"));
        assertEquals(403, account.delete("/api/v1/chargers/UP-1?purge=true").status());
        expect(204, admin.delete("/api/v1/chargers/UP-1?purge=true"));
        assertEquals(
                0,
                expect(200, account.get("/api/v1/uptime?" + range))
                        .json()
                        .getJsonArray("ports")
                        .size());
        expect(404, admin.delete("/api/v1/chargers/UP-1?purge=true"));
    }

    @Test
    @DisplayName("exclusions: listed, refused with a clear 400, scoped to the account, deleted")
    void exclusions() {
        JsonObject body = new JsonObject()
                .put("accountId", "up")
                .put("siteId", "depot")
                .put("from", "2026-05-01T00:00:00Z")
                .put("to", "2026-05-02T00:00:00Z")
                .put("reason", "disaster");
        String id = expect(201, account.post("/api/v1/outage-exclusions", body))
                .json()
                .getString("id");
        assertTrue(expect(200, account.get("/api/v1/outage-exclusions?accountId=up")).array().stream()
                .anyMatch(o -> ((JsonObject) o).getString("id").equals(id)));
        Api.Response bad = account.post("/api/v1/outage-exclusions", body.copy().put("reason", "weather"));
        assertEquals(400, bad.status());
        assertTrue(bad.json().getString("message").contains("reason"), bad.body());
        assertEquals(
                400,
                account.post("/api/v1/outage-exclusions", body.copy().put("to", "2026-04-01T00:00:00Z"))
                        .status());
        assertEquals(
                404,
                account.post("/api/v1/outage-exclusions", body.copy().put("accountId", "someone-else"))
                        .status());
        assertEquals(
                400, account.get("/api/v1/uptime/nevi?accountId=up&month=June").status());
        assertEquals(400, admin.get("/api/v1/uptime").status(), "the admin names the account");
        assertEquals(404, admin.get("/api/v1/outages?accountId=nobody").status());
        expect(204, account.delete("/api/v1/outage-exclusions/" + id));
        expect(404, account.delete("/api/v1/outage-exclusions/" + id));
        assertEquals(
                400,
                admin.post(
                                "/api/v1/sites",
                                new JsonObject()
                                        .put("id", "bad-hours")
                                        .put("accountId", "up")
                                        .put("timezone", "UTC")
                                        .put(
                                                "openingHours",
                                                new JsonObject()
                                                        .put(
                                                                "MON",
                                                                new JsonArray()
                                                                        .add(new JsonArray()
                                                                                .add("22:00")
                                                                                .add("06:00")))))
                        .status());
    }

    private static List<Map<String, String>> csv(String path, String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.httpPort + path))
                .header("Authorization", "Bearer " + TestService.ADMIN);
        if (accept != null) {
            b.header("Accept", accept);
        }
        HttpResponse<String> r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/csv"));
        try (MappingIterator<Map<String, String>> it = new CsvMapper()
                .readerForMapOf(String.class)
                .with(CsvSchema.emptySchema().withHeader())
                .readValues(r.body())) {
            return it.readAll();
        }
    }
}
