package io.chargerstatus.testkit;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

/** A blocking REST client for tests: real HTTP against the running service. */
public final class Api {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final int port;
    private final String token;

    public Api(int port, String token) {
        this.port = port;
        this.token = token;
    }

    public record Response(int status, String body) {
        public JsonObject json() {
            return new JsonObject(body);
        }

        public JsonArray array() {
            return new JsonArray(body);
        }
    }

    public Response get(String path) {
        return send("GET", path, null);
    }

    public Response post(String path, Object body) {
        return send("POST", path, body == null ? "" : body instanceof String s ? s : String.valueOf(body));
    }

    public Response delete(String path) {
        return send("DELETE", path, null);
    }

    public Response send(String method, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Creates an account and a charger in it (secured), returning the charger row. */
    public JsonObject charger(String accountId, String chargerId) {
        Response a = get("/api/v1/accounts");
        if (a.array().stream().noneMatch(o -> ((JsonObject) o).getString("id").equals(accountId))) {
            expect(
                    201,
                    post(
                            "/api/v1/accounts",
                            new JsonObject().put("id", accountId).put("name", accountId)));
        }
        return expect(
                        201,
                        post(
                                "/api/v1/chargers",
                                new JsonObject().put("id", chargerId).put("accountId", accountId)))
                .json();
    }

    /** Registers a charger with a fresh id {@code prefix-xxxxxxxx} in an existing account; returns its id. */
    public String newCharger(String prefix, String accountId, boolean secured, String siteId) {
        String id = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        JsonObject body =
                new JsonObject().put("id", id).put("accountId", accountId).put("secured", secured);
        if (siteId != null) {
            body.put("siteId", siteId);
        }
        expect(201, post("/api/v1/chargers", body));
        return id;
    }

    public JsonObject chargerRow(String id) {
        return expect(200, get("/api/v1/chargers/" + id)).json();
    }

    public static Response expect(int status, Response r) {
        if (r.status() != status) {
            throw new AssertionError("expected HTTP " + status + " but got " + r.status() + ": " + r.body());
        }
        return r;
    }

    /**
     * A site body with delayed charging: peak hours from {@code from} to {@code to} on {@code days}, in
     * {@code timezone}.
     */
    public static JsonObject delayedSite(
            String id, String accountId, String timezone, String from, String to, String... days) {
        JsonArray dayList = new JsonArray();
        for (String day : days) {
            dayList.add(day);
        }
        JsonObject window =
                new JsonObject().put("days", dayList).put("from", from).put("to", to);
        return new JsonObject()
                .put("id", id)
                .put("accountId", accountId)
                .put("timezone", timezone)
                .put("delayedCharging", new JsonObject().put("peak", new JsonArray().add(window)));
    }

    /**
     * The set-up several end-to-end tests share: an account, one of its sites and id tags it accepts, each
     * answered 201.
     */
    public void account(String id, String name, JsonObject site, String... idTags) {
        expect(201, post("/api/v1/accounts", new JsonObject().put("id", id).put("name", name)));
        expect(201, post("/api/v1/sites", site));
        for (String tag : idTags) {
            expect(
                    201,
                    post("/api/v1/id-tags", new JsonObject().put("idTag", tag).put("accountId", id)));
        }
    }
}
