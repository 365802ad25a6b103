package io.chargerstatus.testkit;

import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * An eMSP's OCPI 2.2.1 side on loopback, written from the specification (versions, version details,
 * credentials, a Locations receiver), as a roaming partner of the service would run it. It checks what it is
 * sent as a strict partner would (Base64 credentials tokens, X-Request-ID and X-Correlation-ID, the PATCH's
 * fields) and records every Locations request; what it found wrong is in {@link #problems}.
 */
public final class OcpiPartner implements AutoCloseable {
    /** A Locations receiver request as received. */
    public record Push(String method, String path, JsonObject body, String messageId) {
        public String status() {
            return body.getString("status");
        }

        /** The EVSE uid of a PATCH or PUT of an EVSE. */
        public String evse() {
            String[] parts = path.split("/");
            return parts.length > 4 ? parts[parts.length - 1] : null;
        }
    }

    private static final Set<String> STATUSES = Set.of(
            "AVAILABLE",
            "BLOCKED",
            "CHARGING",
            "INOPERATIVE",
            "OUTOFORDER",
            "PLANNED",
            "REMOVED",
            "RESERVED",
            "UNKNOWN");

    public final String countryCode;
    public final String partyId;
    /** The token the service must use to register with this partner (its token A). */
    public final String tokenA = "emsp-token-a-" + UUID.randomUUID();
    /** Tokens this partner accepts from the service. */
    public final Set<String> accepted = ConcurrentHashMap.newKeySet();
    /** The credentials the service gave this partner (its token for calling the service is in "token"). */
    public volatile JsonObject serviceCredentials;

    public final List<Push> received = new CopyOnWriteArrayList<>();
    /** Requests answered with success, in order. */
    public final List<Push> delivered = new CopyOnWriteArrayList<>();

    public final List<String> problems = new CopyOnWriteArrayList<>();
    /** HTTP status to answer Locations requests with (200: an OCPI 1000 envelope). */
    public volatile int answer = 200;

    private final HttpServer server;

    public OcpiPartner(String countryCode, String partyId) {
        this.countryCode = countryCode;
        this.partyId = partyId;
        accepted.add(tokenA);
        try {
            server = TestCharger.VERTX
                    .createHttpServer()
                    .requestHandler(req -> req.body().onSuccess(body -> handle(req, body.toString())))
                    .listen(0, "127.0.0.1")
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("OCPI partner did not start", e);
        }
    }

    public String base() {
        return "http://127.0.0.1:" + server.actualPort() + "/ocpi";
    }

    public String versionsUrl() {
        return base() + "/versions";
    }

    /** This partner's credentials object with {@code token} for the service to call it with. */
    public JsonObject credentials(String token) {
        accepted.add(token);
        return new JsonObject()
                .put("token", token)
                .put("url", versionsUrl())
                .put(
                        "roles",
                        new JsonArray()
                                .add(new JsonObject()
                                        .put("role", "EMSP")
                                        .put("party_id", partyId)
                                        .put("country_code", countryCode)
                                        .put("business_details", new JsonObject().put("name", "Test eMSP"))));
    }

    public List<String> statuses(String evseUid) {
        return delivered.stream()
                .filter(p -> p.method().equals("PATCH") && evseUid.equals(p.evse()))
                .map(Push::status)
                .toList();
    }

    private static String token(String header) {
        if (header == null || !header.startsWith("Token ")) {
            return null;
        }
        try {
            return new String(Base64.getDecoder().decode(header.substring(6)), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private void handle(HttpServerRequest req, String body) {
        String token = token(req.getHeader("Authorization"));
        if (token == null || !accepted.contains(token)) {
            problems.add(
                    "unauthorised " + req.method() + " " + req.path() + " (" + req.getHeader("Authorization") + ")");
            reply(req, 401, null, 2000);
            return;
        }
        if (req.getHeader("X-Request-ID") == null || req.getHeader("X-Correlation-ID") == null) {
            problems.add("no X-Request-ID or X-Correlation-ID on " + req.method() + " " + req.path());
        }
        String path = req.path();
        if (path.equals("/ocpi/versions")) {
            reply(
                    req,
                    200,
                    new JsonArray().add(new JsonObject().put("version", "2.2.1").put("url", base() + "/2.2.1")),
                    1000);
        } else if (path.equals("/ocpi/2.2.1")) {
            reply(
                    req,
                    200,
                    new JsonObject()
                            .put("version", "2.2.1")
                            .put(
                                    "endpoints",
                                    new JsonArray()
                                            .add(endpoint("credentials", "SENDER", base() + "/2.2.1/credentials"))
                                            .add(endpoint("credentials", "RECEIVER", base() + "/2.2.1/credentials"))
                                            .add(endpoint("locations", "RECEIVER", base() + "/emsp/2.2.1/locations"))),
                    1000);
        } else if (path.equals("/ocpi/2.2.1/credentials") && req.method().name().equals("POST")) {
            // The service registers with us: its credentials hold the token we are to call it with.
            serviceCredentials = new JsonObject(body);
            accepted.remove(tokenA);
            String tokenC = "emsp-token-c-" + UUID.randomUUID();
            reply(req, 200, credentials(tokenC), 1000);
        } else if (path.startsWith("/ocpi/emsp/2.2.1/locations/")) {
            JsonObject json = body.isEmpty() ? new JsonObject() : new JsonObject(body);
            Push push = new Push(
                    req.method().name(),
                    path.substring("/ocpi/emsp/2.2.1/locations".length()),
                    json,
                    req.getHeader("X-Correlation-ID"));
            check(push);
            received.add(push);
            if (answer == 200) {
                delivered.add(push);
                reply(req, 200, null, 1000);
            } else {
                req.response().setStatusCode(answer).end();
            }
        } else {
            reply(req, 404, null, 2000);
        }
    }

    /** What the specification asks of a push: a path of the CPO's country and party, a known status. */
    private void check(Push p) {
        String[] parts = p.path().split("/");
        if (parts.length < 4) {
            problems.add("short path " + p.path());
            return;
        }
        if (p.method().equals("PATCH")) {
            if (!STATUSES.contains(p.status())) {
                problems.add("unknown status in " + p);
            }
            try {
                Instant.parse(p.body().getString("last_updated"));
            } catch (RuntimeException e) {
                problems.add("no last_updated in " + p);
            }
        }
    }

    private static JsonObject endpoint(String id, String role, String url) {
        return new JsonObject().put("identifier", id).put("role", role).put("url", url);
    }

    private static void reply(HttpServerRequest req, int http, Object data, int code) {
        JsonObject envelope = new JsonObject();
        if (data != null) {
            envelope.put("data", data);
        }
        envelope.put("status_code", code).put("timestamp", Instant.now().toString());
        req.response()
                .setStatusCode(http)
                .putHeader("Content-Type", "application/json")
                .putHeader("X-Request-ID", String.valueOf(req.getHeader("X-Request-ID")))
                .putHeader("X-Correlation-ID", String.valueOf(req.getHeader("X-Correlation-ID")))
                .end(envelope.encode());
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
