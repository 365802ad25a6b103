package io.chargerstatus.security;

import static io.chargerstatus.testkit.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chargerstatus.testkit.Api;
import io.chargerstatus.testkit.TestDatabase;
import io.chargerstatus.testkit.TestService;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The back-office HTTP edge under hostile or careless clients. */
@Tag("fault")
@DisplayName("The HTTP edge: nothing read before authentication, refusals are 4xx with JSON, never 500")
class HttpHardeningIT {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static TestService service;
    private static Api admin;

    @BeforeAll
    static void start() {
        service = TestService.start(TestDatabase.fresh(), Map.of("CORS_ORIGINS", "https://dashboard.example"));
        admin = service.api();
        expect(
                201,
                admin.post(
                        "/api/v1/accounts", new JsonObject().put("id", "east").put("name", "East")));
        expect(
                201,
                admin.post(
                        "/api/v1/accounts", new JsonObject().put("id", "west").put("name", "West")));
    }

    @AfterAll
    static void stop() throws Exception {
        service.close();
    }

    @Test
    @DisplayName(
            "a multipart upload is refused (401 without a token) and nothing is written to disk, with or without a token")
    void noUploads() throws Exception {
        Path uploads = Path.of("file-uploads");
        if (Files.isDirectory(uploads)) {
            try (var files = Files.walk(uploads)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        String boundary = "xyz";
        String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.bin\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n" + "A".repeat(60_000) + "\r\n--" + boundary
                + "--\r\n";
        for (String token : new String[] {null, "wrong", TestService.ADMIN}) {
            HttpRequest.Builder b = request("/api/v1/chargers")
                    .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(token == TestService.ADMIN ? 400 : 401, r.statusCode(), r.body());
            assertTrue(r.body().contains("\"error\""));
        }
        assertFalse(Files.exists(uploads), "an upload was stored under " + uploads.toAbsolutePath());
    }

    @Test
    @DisplayName("a NUL character in a body or a path is a 400, not a 500")
    void nul() {
        Api.Response r = admin.post("/api/v1/accounts", "{\"id\":\"n1\",\"name\":\"a\\u0000b\"}");
        assertEquals(400, r.status(), r.body());
        r = admin.delete("/api/v1/id-tags/A%00");
        assertEquals(400, r.status(), r.body());
    }

    @Test
    @DisplayName("CORS: a preflight from the configured origin is answered for it; an unlisted origin gets no"
            + " allowance and 403 with JSON on every route; the page's own origin is always allowed")
    void cors() throws Exception {
        HttpResponse<String> preflight = HTTP.send(
                request("/api/v1/chargers")
                        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                        .header("Origin", "https://dashboard.example")
                        .header("Access-Control-Request-Method", "GET")
                        .header("Access-Control-Request-Headers", "authorization")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(
                "https://dashboard.example",
                preflight.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        HttpResponse<String> evil = HTTP.send(
                request("/api/v1/chargers")
                        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                        .header("Origin", "https://evil.example")
                        .header("Access-Control-Request-Method", "GET")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(evil.headers().firstValue("Access-Control-Allow-Origin").isEmpty());
        for (String path : new String[] {"/api/v1/accounts", "/index.html"}) {
            HttpResponse<String> r = HTTP.send(
                    request(path)
                            .header("Origin", "https://evil.example")
                            .header("Authorization", "Bearer " + TestService.ADMIN)
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(403, r.statusCode(), path + ": " + r.body());
            assertEquals("forbidden", new JsonObject(r.body()).getString("error"));
        }
        HttpResponse<String> own = HTTP.send(
                request("/api/v1/accounts")
                        .header("Origin", "http://127.0.0.1:" + service.httpPort)
                        .header("Authorization", "Bearer " + TestService.ADMIN)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"own-origin\",\"name\":\"x\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, own.statusCode(), own.body());
    }

    @Test
    @DisplayName("the dashboard is served with CSP, X-Frame-Options and nosniff, and answers HEAD")
    void securityHeaders() throws Exception {
        HttpResponse<String> page = HTTP.send(request("/").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode());
        assertTrue(
                page.headers().firstValue("Content-Security-Policy").orElse("").contains("frame-ancestors 'none'"));
        assertEquals("DENY", page.headers().firstValue("X-Frame-Options").orElse(null));
        assertEquals(
                "nosniff", page.headers().firstValue("X-Content-Type-Options").orElse(null));
        HttpResponse<Void> head = HTTP.send(
                request("/index.html")
                        .method("HEAD", HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.discarding());
        assertEquals(200, head.statusCode());
    }

    @Test
    @DisplayName("the status summary of an account that does not exist is a 404")
    void summaryOfUnknownAccount() {
        assertEquals(404, admin.get("/api/v1/status-summary?accountId=nobody").status());
        assertEquals(200, admin.get("/api/v1/status-summary?accountId=east").status());
    }

    @Test
    @DisplayName(
            "site ids and id tags are per account: using one that another account has is no conflict and reveals nothing")
    void tenantScopedIds() {
        Api west = service.api(expect(201, admin.post("/api/v1/accounts/west/tokens", ""))
                .json()
                .getString("token"));
        JsonObject site = new JsonObject().put("id", "hq").put("name", "HQ").put("timezone", "Europe/Paris");
        expect(201, admin.post("/api/v1/sites", site.copy().put("accountId", "east")));
        expect(201, west.post("/api/v1/sites", site.copy().put("accountId", "west")));
        expect(
                201,
                admin.post(
                        "/api/v1/id-tags",
                        new JsonObject().put("idTag", "CARD-7").put("accountId", "east")));
        expect(
                201,
                west.post(
                        "/api/v1/id-tags",
                        new JsonObject().put("idTag", "CARD-7").put("accountId", "west")));
        expect(
                201,
                west.post(
                        "/api/v1/chargers",
                        new JsonObject()
                                .put("id", "W-1")
                                .put("accountId", "west")
                                .put("siteId", "hq")));
        assertEquals(1, west.get("/api/v1/sites").array().size());
    }

    private static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.httpPort + path))
                .timeout(Duration.ofSeconds(20));
    }
}
