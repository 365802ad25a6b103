package io.chargerstatus.roaming;

import static io.chargerstatus.testkit.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.networknt.schema.JsonSchema;
import io.chargerstatus.infra.Schemas;
import io.chargerstatus.testkit.Api;
import io.chargerstatus.testkit.Await;
import io.chargerstatus.testkit.OcpiPartner;
import io.chargerstatus.testkit.TestCharger;
import io.chargerstatus.testkit.TestDatabase;
import io.chargerstatus.testkit.TestService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A roaming partner (an eMSP's OCPI side on loopback, {@link OcpiPartner}) registering with an account, and
 * the account registering with another; the Locations it pulls and the changes pushed to it, for a real
 * charger walking through every status (docs/roaming.md).
 */
@DisplayName("OCPI 2.2.1 with a real partner: registration both ways, Locations, live push, open data")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OcpiIT {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final JsonSchema LOCATION = Schemas.load("ocpi/location.schema.json");

    private static TestService service;
    private static Api admin;
    private static OcpiPartner partner;
    /** The token the partner calls the service with once registered (token C). */
    private static String tokenC;

    @BeforeAll
    static void start() throws Exception {
        service = TestService.start(
                TestDatabase.fresh(),
                Map.ofEntries(
                        Map.entry("WEBHOOK_ALLOW_PRIVATE", "true"),
                        Map.entry("WEBHOOK_RETRY_BASE_MS", "100"),
                        Map.entry("WEBHOOK_RETRY_MAX_MS", "400"),
                        Map.entry("WEBHOOK_FLUSH_MS", "100"),
                        Map.entry("WEBHOOK_TIMEOUT_MS", "2000"),
                        Map.entry("OPEN_DATA_PER_MINUTE", "4"),
                        Map.entry("OCPI_PAGE_LIMIT", "2")));
        admin = service.api();
        admin.account("roam", "Roaming CPO", site("depot"));
        expect(201, admin.post("/api/v1/sites", site("harbour")));
        expect(201, admin.post("/api/v1/sites", site("station")));
        expect(
                200,
                admin.send(
                        "PUT",
                        "/api/v1/accounts/roam/ocpi",
                        new JsonObject()
                                .put("countryCode", "NL")
                                .put("partyId", "CSX")
                                .encode()));
        for (String[] c : new String[][] {{"RO-1", "depot"}, {"RO-2", "harbour"}, {"RO-3", "station"}}) {
            expect(
                    201,
                    admin.post(
                            "/api/v1/chargers",
                            new JsonObject()
                                    .put("id", c[0])
                                    .put("accountId", "roam")
                                    .put("siteId", c[1])));
            expect(200, admin.send("PUT", "/api/v1/chargers/" + c[0] + "/connectors/1", port().encode()));
        }
        partner = new OcpiPartner("DE", "EMP");
    }

    @AfterAll
    static void stop() throws Exception {
        partner.close();
        service.close();
    }

    private static JsonObject site(String id) {
        return new JsonObject()
                .put("id", id)
                .put("accountId", "roam")
                .put("name", "Site " + id)
                .put("timezone", "Europe/Amsterdam")
                .put("address", "Main street 1")
                .put("city", "Utrecht")
                .put("postalCode", "3511AB")
                .put("country", "NLD")
                .put("coordinates", new JsonObject().put("latitude", "52.09074").put("longitude", "5.12142"));
    }

    private static JsonObject port() {
        return new JsonObject()
                .put("standard", "IEC_62196_T2")
                .put("format", "SOCKET")
                .put("powerType", "AC_3_PHASE")
                .put("maxVoltage", 400)
                .put("maxAmperage", 32)
                .put("maxElectricPower", 22000);
    }

    /** A call to the service's OCPI side as a partner makes it. */
    private static HttpResponse<String> ocpi(String method, String path, String token, JsonObject body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(
                        URI.create(path.startsWith("http") ? path : "http://127.0.0.1:" + service.httpPort + path))
                .timeout(Duration.ofSeconds(20))
                .header("X-Request-ID", "req-1")
                .header("X-Correlation-ID", "corr-1")
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(body.encode()));
        if (token != null) {
            b.header(
                    "Authorization",
                    "Token " + Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8)));
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(method + " " + path + ": " + e, e);
        }
    }

    private static JsonObject envelope(HttpResponse<String> r, int http, int code) {
        assertEquals(http, r.statusCode(), r.body());
        JsonObject e = new JsonObject(r.body());
        assertEquals(code, e.getInteger("status_code"), r.body());
        assertNotNull(e.getString("timestamp"));
        return e;
    }

    @Test
    @Order(1)
    @DisplayName("a partner registers with token A: its endpoints are read, it gets token C, token A stops")
    void partnerRegisters() {
        JsonObject created = expect(
                        201,
                        admin.post(
                                "/api/v1/ocpi/parties",
                                new JsonObject().put("accountId", "roam").put("name", "Test eMSP")))
                .json();
        String tokenA = created.getString("tokenA");
        assertTrue(created.getString("versionsUrl").endsWith("/ocpi/versions"));

        envelope(ocpi("GET", "/ocpi/versions", null, null), 401, 2000);
        envelope(ocpi("GET", "/ocpi/versions", "no-such-token", null), 401, 2000);
        JsonArray versions =
                envelope(ocpi("GET", "/ocpi/versions", tokenA, null), 200, 1000).getJsonArray("data");
        assertEquals("2.2.1", versions.getJsonObject(0).getString("version"));
        JsonObject details = envelope(ocpi("GET", versions.getJsonObject(0).getString("url"), tokenA, null), 200, 1000)
                .getJsonObject("data");
        assertEquals(3, details.getJsonArray("endpoints").size(), details.encode());
        // Token A opens versions and credentials only.
        envelope(ocpi("GET", "/ocpi/2.2.1/locations", tokenA, null), 401, 2000);
        HttpResponse<String> echoed = ocpi("GET", "/ocpi/versions", tokenA, null);
        assertEquals("req-1", echoed.headers().firstValue("X-Request-ID").orElse(null));
        assertEquals("corr-1", echoed.headers().firstValue("X-Correlation-ID").orElse(null));

        // A credentials object that is not one: OCPI 2001.
        envelope(ocpi("POST", "/ocpi/2.2.1/credentials", tokenA, new JsonObject().put("token", "x")), 400, 2001);

        JsonObject ours = envelope(
                        ocpi("POST", "/ocpi/2.2.1/credentials", tokenA, partner.credentials("emsp-token-b")), 200, 1000)
                .getJsonObject("data");
        tokenC = ours.getString("token");
        assertNotNull(tokenC);
        assertEquals("CPO", ours.getJsonArray("roles").getJsonObject(0).getString("role"));
        assertEquals("CSX", ours.getJsonArray("roles").getJsonObject(0).getString("party_id"));
        assertTrue(partner.problems.isEmpty(), partner.problems.toString());

        envelope(ocpi("GET", "/ocpi/versions", tokenA, null), 401, 2000);
        envelope(ocpi("POST", "/ocpi/2.2.1/credentials", tokenC, partner.credentials("emsp-token-b")), 405, 2000);
        JsonArray parties =
                expect(200, admin.get("/api/v1/ocpi/parties?accountId=roam")).array();
        assertEquals("registered", parties.getJsonObject(0).getString("state"));
        assertEquals("DE", parties.getJsonObject(0).getString("countryCode"));
        // The partner's push subscription is not one of the account's webhooks.
        assertEquals(
                0,
                expect(200, admin.get("/api/v1/webhooks?accountId=roam"))
                        .array()
                        .size());
    }

    @Test
    @Order(2)
    @DisplayName("the partner pages through the Locations (X-Total-Count, X-Limit, Link) and reads each object")
    void locations() {
        List<JsonObject> all = new ArrayList<>();
        String next = "/ocpi/2.2.1/locations";
        int pages = 0;
        while (next != null) {
            HttpResponse<String> r = ocpi("GET", next, tokenC, null);
            JsonArray data = envelope(r, 200, 1000).getJsonArray("data");
            assertEquals("3", r.headers().firstValue("X-Total-Count").orElse(null));
            assertEquals("2", r.headers().firstValue("X-Limit").orElse(null));
            data.forEach(o -> all.add((JsonObject) o));
            Matcher m = Pattern.compile("<([^>]+)>; rel=\"next\"")
                    .matcher(r.headers().firstValue("Link").orElse(""));
            next = m.find() ? m.group(1) : null;
            pages++;
        }
        assertEquals(2, pages);
        assertEquals(
                List.of("depot", "harbour", "station"),
                all.stream().map(l -> l.getString("id")).toList());
        for (JsonObject l : all) {
            assertTrue(Schemas.check(LOCATION, l).isEmpty(), Schemas.check(LOCATION, l) + " " + l.encode());
        }
        JsonObject evse = all.get(0).getJsonArray("evses").getJsonObject(0);
        assertEquals("RO-1-1", evse.getString("uid"));
        assertEquals("PLANNED", evse.getString("status"), "a charger that never had a session");
        assertEquals("NL*CSX*ERO1*1", evse.getString("evse_id"));

        JsonObject one = envelope(ocpi("GET", "/ocpi/2.2.1/locations/depot/RO-1-1", tokenC, null), 200, 1000)
                .getJsonObject("data");
        assertEquals("RO-1-1", one.getString("uid"));
        JsonObject connector = envelope(ocpi("GET", "/ocpi/2.2.1/locations/depot/RO-1-1/1", tokenC, null), 200, 1000)
                .getJsonObject("data");
        assertEquals("IEC_62196_T2", connector.getString("standard"));
        envelope(ocpi("GET", "/ocpi/2.2.1/locations/nowhere", tokenC, null), 404, 2003);
        envelope(ocpi("GET", "/ocpi/2.2.1/locations/depot/RO-9-1", tokenC, null), 404, 2003);

        // Date filters: nothing was updated after the far future; a bad date is OCPI 2001.
        HttpResponse<String> none = ocpi("GET", "/ocpi/2.2.1/locations?date_from=2999-01-01T00:00:00Z", tokenC, null);
        assertEquals(0, envelope(none, 200, 1000).getJsonArray("data").size());
        assertEquals("0", none.headers().firstValue("X-Total-Count").orElse(null));
        HttpResponse<String> since = ocpi("GET", "/ocpi/2.2.1/locations?date_from=2000-01-01T00:00:00Z", tokenC, null);
        assertEquals(2, envelope(since, 200, 1000).getJsonArray("data").size());
        assertEquals("3", since.headers().firstValue("X-Total-Count").orElse(null));
        assertTrue(since.headers().firstValue("Link").orElse("").contains("date_from=2000-01-01T00%3A00%3A00Z"));
        envelope(ocpi("GET", "/ocpi/2.2.1/locations?date_from=yesterday", tokenC, null), 400, 2001);
        envelope(ocpi("GET", "/ocpi/2.2.1/locations?limit=-1", tokenC, null), 400, 2001);
    }

    @Test
    @Order(3)
    @DisplayName("a charger walks through every status: each OCPI status change is pushed to the partner, in order")
    void walk() throws Exception {
        TestCharger cp = TestCharger.connect(service, "RO-1");
        cp.boot();
        for (String s : new String[] {
            "Available",
            "Preparing",
            "Charging",
            "SuspendedEV",
            "SuspendedEVSE",
            "Finishing",
            "Available",
            "Faulted",
            "Available",
            "Reserved",
            "Unavailable"
        }) {
            cp.status(1, s, "Faulted".equals(s) ? "GroundFailure" : "NoError", null, java.time.Instant.now());
        }
        cp.close();
        List<String> expected = List.of(
                "UNKNOWN",
                "AVAILABLE",
                "CHARGING",
                "AVAILABLE",
                "OUTOFORDER",
                "AVAILABLE",
                "RESERVED",
                "INOPERATIVE",
                "UNKNOWN");
        Await.eventually(() -> assertEquals(expected, partner.statuses("RO-1-1")), 30);
        assertTrue(partner.problems.isEmpty(), partner.problems.toString());
        OcpiPartner.Push first = partner.delivered.get(0);
        assertEquals("PATCH", first.method());
        assertEquals("/NL/CSX/depot/RO-1-1", first.path());
    }

    @Test
    @Order(4)
    @DisplayName("the partner down for a while, then back: every change arrives, in order, none lost")
    void partnerDown() throws Exception {
        partner.answer = 503;
        int before = partner.delivered.size();
        TestCharger cp = TestCharger.connect(service, "RO-2");
        cp.boot();
        cp.status(1, "Available");
        cp.status(1, "Preparing");
        cp.status(1, "Faulted", "GroundFailure", null, java.time.Instant.now());
        // Refused at least twice (retried with growing delays), nothing delivered meanwhile.
        Await.eventually(() -> assertTrue(
                partner.received.stream().filter(p -> "RO-2-1".equals(p.evse())).count() >= 3));
        assertEquals(before, partner.delivered.size());
        partner.answer = 200;
        Await.eventually(
                () -> assertEquals(
                        List.of("UNKNOWN", "AVAILABLE", "CHARGING", "OUTOFORDER"), partner.statuses("RO-2-1")),
                30);
        cp.close();
        Await.eventually(() -> assertEquals("UNKNOWN", last(partner.statuses("RO-2-1"))), 30);
    }

    private static String last(List<String> list) {
        return list.isEmpty() ? null : list.get(list.size() - 1);
    }

    @Test
    @Order(5)
    @DisplayName("static data changes are pushed as PUTs of the EVSE and the Location; a decommissioned port "
            + "REMOVED; a moved charger REMOVED at its old Location and sent with its new one")
    void staticChangesAndRemoval() throws Exception {
        JsonObject changed = port().put("maxAmperage", 16).put("evseId", "NL*CSX*E0003*1");
        expect(200, admin.send("PUT", "/api/v1/chargers/RO-3/connectors/1", changed.encode()));
        Await.eventually(() -> assertTrue(
                partner.delivered.stream()
                        .anyMatch(p -> p.method().equals("PUT")
                                && p.path().equals("/NL/CSX/station/RO-3-1")
                                && "NL*CSX*E0003*1".equals(p.body().getString("evse_id"))),
                partner.delivered.toString()));
        expect(201, admin.post("/api/v1/sites", site("station").put("address", "Station square 2")));
        Await.eventually(() -> assertTrue(partner.delivered.stream()
                .anyMatch(p -> p.method().equals("PUT")
                        && p.path().equals("/NL/CSX/station")
                        && "Station square 2".equals(p.body().getString("address"))
                        && p.body().getJsonArray("evses").size() == 1)));

        expect(204, admin.delete("/api/v1/chargers/RO-3"));
        Await.eventually(() -> assertEquals("REMOVED", last(partner.statuses("RO-3-1"))), 30);
        assertTrue(partner.problems.isEmpty(), partner.problems.toString());
        // Gone from the Locations too.
        JsonObject station = envelope(ocpi("GET", "/ocpi/2.2.1/locations/station", tokenC, null), 200, 1000)
                .getJsonObject("data");
        assertEquals(0, station.getJsonArray("evses").size());

        // A charger moved to another site: REMOVED at its old Location, the new Location sent whole with it.
        expect(
                200,
                admin.send(
                        "PATCH",
                        "/api/v1/chargers/RO-2",
                        new JsonObject().put("siteId", "station").encode()));
        Await.eventually(
                () -> assertTrue(
                        partner.delivered.stream()
                                .anyMatch(p -> p.method().equals("PATCH")
                                        && p.path().equals("/NL/CSX/harbour/RO-2-1")
                                        && "REMOVED".equals(p.status())),
                        partner.delivered.toString()),
                30);
        Await.eventually(
                () -> assertTrue(
                        partner.delivered.stream()
                                .anyMatch(p -> p.method().equals("PUT")
                                        && p.path().equals("/NL/CSX/station")
                                        && p.body().getJsonArray("evses").size() == 1
                                        && "RO-2-1"
                                                .equals(p.body()
                                                        .getJsonArray("evses")
                                                        .getJsonObject(0)
                                                        .getString("uid"))),
                        partner.delivered.toString()),
                30);
        assertTrue(partner.problems.isEmpty(), partner.problems.toString());
    }

    @Test
    @Order(6)
    @DisplayName("the service registers with a partner that gave it token A: token B for it, its token C for us")
    void registerWithPartner() throws Exception {
        OcpiPartner other = new OcpiPartner("BE", "HUB");
        try (other) {
            String id = expect(
                            201,
                            admin.post(
                                    "/api/v1/ocpi/parties",
                                    new JsonObject().put("accountId", "roam").put("name", "Other eMSP")))
                    .json()
                    .getString("id");
            // A wrong token A: the partner refuses, the registration fails with its reason, nothing changes.
            Api.Response refused = admin.post(
                    "/api/v1/ocpi/parties/" + id + "/register",
                    new JsonObject().put("versionsUrl", other.versionsUrl()).put("token", "wrong"));
            assertEquals(502, refused.status(), refused.body());
            assertEquals(1, other.problems.size(), "the partner saw the wrong token: " + other.problems);
            other.problems.clear();
            JsonObject registered = expect(
                            200,
                            admin.post(
                                    "/api/v1/ocpi/parties/" + id + "/register",
                                    new JsonObject()
                                            .put("versionsUrl", other.versionsUrl())
                                            .put("token", other.tokenA)))
                    .json();
            assertEquals("registered", registered.getString("state"));
            assertEquals("BE", registered.getString("countryCode"));
            String tokenB = other.serviceCredentials.getString("token");
            assertTrue(other.serviceCredentials.getString("url").endsWith("/ocpi/versions"));
            // The partner calls us with token B; a change is pushed to it with its token C.
            envelope(ocpi("GET", "/ocpi/2.2.1/locations", tokenB, null), 200, 1000);
            TestCharger cp = TestCharger.connect(service, "RO-1");
            cp.boot();
            cp.status(1, "Available");
            Await.eventually(() -> assertEquals("AVAILABLE", last(other.statuses("RO-1-1"))), 30);
            assertTrue(other.problems.isEmpty(), other.problems.toString());
            cp.close();

            // The partner unregisters: its token stops working.
            envelope(ocpi("DELETE", "/ocpi/2.2.1/credentials", tokenB, null), 200, 1000);
            envelope(ocpi("GET", "/ocpi/2.2.1/locations", tokenB, null), 401, 2000);
        }
    }

    @Test
    @Order(7)
    @DisplayName("open data: off by default, then the same Locations without a token, cacheable, rate-limited")
    void openData() {
        Api anonymous = new Api(service.httpPort, null);
        assertEquals(404, anonymous.get("/open-data/roam/locations").status());
        expect(
                200,
                admin.send(
                        "PUT",
                        "/api/v1/accounts/roam/ocpi",
                        new JsonObject()
                                .put("countryCode", "NL")
                                .put("partyId", "CSX")
                                .put("openData", true)
                                .encode()));
        HttpResponse<String> r = plain("/open-data/roam/locations", Map.of());
        assertEquals(200, r.statusCode(), r.body());
        JsonArray data = new JsonObject(r.body()).getJsonArray("data");
        assertEquals(2, data.size(), "a page of OCPI_PAGE_LIMIT");
        assertTrue(Schemas.check(LOCATION, data.getJsonObject(0)).isEmpty());
        String etag = r.headers().firstValue("ETag").orElseThrow();
        String modified = r.headers().firstValue("Last-Modified").orElseThrow();
        assertTrue(r.headers().firstValue("Link").isPresent());
        assertEquals(
                304,
                plain("/open-data/roam/locations", Map.of("If-None-Match", etag))
                        .statusCode());
        assertEquals(
                304,
                plain("/open-data/roam/locations", Map.of("If-Modified-Since", modified))
                        .statusCode());
        HttpResponse<String> limited = plain("/open-data/roam/locations", Map.of());
        assertEquals(429, limited.statusCode(), "OPEN_DATA_PER_MINUTE=4");
        assertFalse(limited.headers().firstValue("Retry-After").isEmpty());
        assertNull(new JsonObject(limited.body()).getValue("data"));
    }

    private static HttpResponse<String> plain(String path, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.httpPort + path));
        headers.forEach(b::header);
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
