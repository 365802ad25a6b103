package io.chargerstatus.security;

import static io.chargerstatus.testkit.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chargerstatus.testkit.Api;
import io.chargerstatus.testkit.Keytool;
import io.chargerstatus.testkit.SseClient;
import io.chargerstatus.testkit.TestCharger;
import io.chargerstatus.testkit.TestDatabase;
import io.chargerstatus.testkit.TestService;
import io.chargerstatus.testkit.TlsConnect;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PfxOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Security: tokens scoped to accounts, charger authentication, TLS")
class SecurityIT {
    private static TestService service;
    private static Api admin;
    private static Api north;
    private static String northToken;

    @BeforeAll
    static void start() {
        service = TestService.start(TestDatabase.fresh(), Map.of());
        admin = service.api();
        for (String account : List.of("north", "south")) {
            expect(
                    201,
                    admin.post(
                            "/api/v1/accounts",
                            new JsonObject().put("id", account).put("name", account)));
            expect(
                    201,
                    admin.post(
                            "/api/v1/sites",
                            new JsonObject()
                                    .put("id", account + "-site")
                                    .put("accountId", account)
                                    .put("timezone", "UTC")));
            expect(
                    201,
                    admin.post(
                            "/api/v1/chargers",
                            new JsonObject().put("id", account + "-cp").put("accountId", account)));
            expect(
                    201,
                    admin.post(
                            "/api/v1/id-tags",
                            new JsonObject().put("idTag", account + "-tag").put("accountId", account)));
        }
        northToken = expect(201, admin.post("/api/v1/accounts/north/tokens", null))
                .json()
                .getString("token");
        north = service.api(northToken);
    }

    @AfterAll
    static void stop() throws Exception {
        service.close();
    }

    @Test
    @DisplayName("an account token never reaches another account's data, on any route")
    void crossAccount() {
        String other = "/api/v1/chargers/south-cp";
        List<Api.Response> attempts = List.of(
                north.get(other),
                north.get(other + "/history"),
                north.get(other + "/commands"),
                north.get(other + "/transactions"),
                north.post(other + "/commands/reset", new JsonObject().put("type", "Soft")),
                north.send(
                        "PATCH", other, new JsonObject().put("name", "mine now").encode()),
                north.delete(other),
                north.get("/api/v1/chargers?accountId=south"),
                north.get("/api/v1/status-summary?accountId=south"),
                north.get("/api/v1/sites?accountId=south"),
                north.get("/api/v1/id-tags?accountId=south"),
                north.delete("/api/v1/id-tags/south-tag"),
                north.post(
                        "/api/v1/sites",
                        new JsonObject()
                                .put("id", "x")
                                .put("accountId", "south")
                                .put("timezone", "UTC")),
                north.post("/api/v1/id-tags", new JsonObject().put("idTag", "x").put("accountId", "south")),
                north.post("/api/v1/chargers", new JsonObject().put("id", "x").put("accountId", "south")),
                north.post(
                        "/api/v1/chargers",
                        new JsonObject()
                                .put("id", "x")
                                .put("accountId", "north")
                                .put("siteId", "south-site")),
                north.send(
                        "PATCH",
                        "/api/v1/chargers/north-cp",
                        new JsonObject().put("siteId", "south-site").encode()));
        for (Api.Response r : attempts) {
            assertEquals(404, r.status(), r.body());
            assertFalse(r.body().contains("south-cp\",\"name"), "no data of the other account");
        }
        assertEquals(403, north.get("/api/v1/accounts/north/tokens").status());
        assertEquals(403, north.delete("/api/v1/tokens/anything").status());
        assertEquals("Unknown", expect(200, admin.get(other)).json().getString("status"), "untouched");
        assertEquals(
                1,
                expect(200, admin.get("/api/v1/id-tags?accountId=south"))
                        .array()
                        .size());
    }

    @Test
    @DisplayName("an account token's SSE stream carries only its account's events")
    void sseScope() throws Exception {
        assertEquals(404, SseClient.open(service, northToken, "?accountId=south", null).status);
        try (SseClient sse = SseClient.open(service, null, "?access_token=" + northToken, null)) {
            assertEquals(200, sse.status);
            TestCharger south = TestCharger.connect(service, "south-cp");
            TestCharger mine = TestCharger.connect(service, "north-cp");
            south.boot();
            mine.boot();
            // Events of north's other chargers (from earlier tests) may come first; nothing of south may come at all.
            JsonObject e;
            do {
                e = sse.next(3000);
                assertNotNull(e, "north-cp's boot was not streamed");
                assertEquals("north", e.getString("accountId"), e.encode());
            } while (!"north-cp".equals(e.getString("chargerId")));
            while ((e = sse.next(500)) != null) {
                assertEquals("north", e.getString("accountId"), "nothing of south: " + e.encode());
            }
            south.close();
            mine.close();
        }
        try (SseClient replay = SseClient.open(service, northToken, null, 0L)) {
            JsonObject e;
            while ((e = replay.next(700)) != null) {
                assertEquals("north", e.getString("accountId"), "the replay is scoped too");
            }
        }
    }

    @Test
    @DisplayName("a revoked token is refused and the SSE streams it opened end; tokens are stored hashed")
    void revocation() throws Exception {
        JsonObject issued =
                expect(201, admin.post("/api/v1/accounts/north/tokens", null)).json();
        Api holder = service.api(issued.getString("token"));
        expect(200, holder.get("/api/v1/chargers"));
        JsonArray listed =
                expect(200, admin.get("/api/v1/accounts/north/tokens")).array();
        assertTrue(
                listed.stream().anyMatch(t -> ((JsonObject) t).getString("id").equals(issued.getString("id"))));
        assertFalse(listed.encode().contains(issued.getString("token")), "the token itself is never shown again");
        try (SseClient stream = SseClient.open(service, issued.getString("token"), null, null)) {
            assertEquals(200, stream.status);
            expect(204, admin.delete("/api/v1/tokens/" + issued.getString("id")));
            stream.ended.get(10, TimeUnit.SECONDS);
        }
        assertEquals(401, holder.get("/api/v1/chargers").status());
        assertEquals(
                404, admin.delete("/api/v1/tokens/" + issued.getString("id")).status());
    }

    @Test
    @DisplayName("a charger password set later is required at the upgrade (profile 1), and can be cleared")
    void passwordLater() {
        expect(
                201,
                admin.post(
                        "/api/v1/chargers", new JsonObject().put("id", "pw-cp").put("accountId", "north")));
        assertEquals(101, TestCharger.upgradeStatus(service, "pw-cp", null));
        expect(
                200,
                north.send(
                        "PATCH",
                        "/api/v1/chargers/pw-cp",
                        new JsonObject().put("password", "s3cret-passw0rd").encode()));
        assertEquals(401, TestCharger.upgradeStatus(service, "pw-cp", null));
        assertEquals(401, TestCharger.upgradeStatus(service, "pw-cp", basic("other-cp", "s3cret-passw0rd")));
        assertEquals(101, TestCharger.upgradeStatus(service, "pw-cp", basic("pw-cp", "s3cret-passw0rd")));
        expect(
                200,
                north.send(
                        "PATCH",
                        "/api/v1/chargers/pw-cp",
                        new JsonObject().putNull("password").encode()));
        assertEquals(101, TestCharger.upgradeStatus(service, "pw-cp", null));
        String metrics = expect(200, service.api(null).get("/metrics")).body();
        assertTrue(
                metrics.contains("charger_status_ocpp_upgrades_refused_total{reason=\"auth\"} 2.0"),
                "refusals are counted");
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes());
    }

    @Test
    @DisplayName("ids and query parameters are validated; an oversized body is refused with 413")
    void inputValidation() {
        assertEquals(400, admin.get("/api/v1/chargers/bad%20id").status());
        assertEquals(400, admin.get("/api/v1/chargers?accountId=%27%3B%20drop").status());
        assertEquals(400, admin.get("/api/v1/chargers?siteId=a/b").status());
        assertEquals(
                413,
                admin.post("/api/v1/accounts", "{\"id\":\"x\",\"name\":\"" + "y".repeat(70_000) + "\"}")
                        .status());
    }

    @Test
    @DisplayName("with a keystore, chargers connect over wss:// (profile 2) and the API answers over HTTPS")
    void tls() throws Exception {
        Path dir = Files.createTempDirectory("cs-tls");
        Path keystore = dir.resolve("server.p12");
        Keytool.serverKeystore(keystore); // the self-signed example of the README
        // Registered before the TLS instance starts (on the same database), since the plain client cannot reach it.
        expect(
                201,
                admin.post(
                        "/api/v1/chargers", new JsonObject().put("id", "tls-cp").put("accountId", "north")));
        try (TestService tls = TestService.start(
                service.pgUrl, Map.of("TLS_KEYSTORE_PATH", keystore.toString(), "TLS_KEYSTORE_PASSWORD", "changeit"))) {
            PfxOptions trust = new PfxOptions().setPath(keystore.toString()).setPassword("changeit");
            WebSocket ws = TlsConnect.connect(
                    TestCharger.VERTX.createWebSocketClient(
                            new WebSocketClientOptions().setSsl(true).setTrustOptions(trust)),
                    new WebSocketConnectOptions()
                            .setHost("127.0.0.1")
                            .setPort(tls.ocppPort)
                            .setURI("/ocpp/tls-cp")
                            .setSsl(true)
                            .addSubProtocol("ocpp1.6"));
            assertTrue(ws.isSsl());
            assertEquals("ocpp1.6", ws.subProtocol());
            CompletableFuture<String> reply = new CompletableFuture<>();
            ws.textMessageHandler(reply::complete);
            ws.writeTextMessage(
                    "[2,\"t1\",\"BootNotification\",{\"chargePointVendor\":\"ACME\",\"chargePointModel\":\"TLS\"}]");
            assertTrue(reply.get(5, TimeUnit.SECONDS).startsWith("[3,\"t1\",{\"status\":\"Accepted\""));
            io.vertx.core.http.HttpClient https = TestCharger.VERTX.createHttpClient(
                    new HttpClientOptions().setSsl(true).setTrustOptions(trust));
            String body = https.request(new RequestOptions()
                            .setMethod(HttpMethod.GET)
                            .setHost("127.0.0.1")
                            .setPort(tls.httpPort)
                            .setURI("/api/v1/chargers/tls-cp")
                            .putHeader("Authorization", "Bearer " + TestService.ADMIN))
                    .compose(req -> req.send().compose(resp -> resp.body()))
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS)
                    .toString();
            https.close();
            ws.close();
            assertEquals("Available", new JsonObject(body).getString("status"));
            assertThrows(
                    Exception.class, () -> TestCharger.connect(tls, "tls-cp"), "plain ws:// is refused on a TLS port");
        }
    }
}
