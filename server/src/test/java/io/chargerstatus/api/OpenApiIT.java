package io.chargerstatus.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chargerstatus.command.CommandCatalog;
import io.chargerstatus.testkit.Api;
import io.chargerstatus.testkit.TestCharger;
import io.chargerstatus.testkit.TestService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The OpenAPI document describes the REST API as it is routed")
class OpenApiIT {

    @Test
    @DisplayName("every route is documented and every documented operation is routed; the document is served")
    void documentMatchesRouter() throws Exception {
        try (TestService service = TestService.start(Map.of())) {
            Api anonymous = service.api(null);
            Api.Response served = anonymous.get("/openapi.json");
            assertEquals(200, served.status());
            JsonObject doc = served.json();
            assertEquals("3.1.0", doc.getString("openapi"));

            Set<String> documented = new TreeSet<>();
            for (String path : doc.getJsonObject("paths").fieldNames()) {
                for (String method :
                        doc.getJsonObject("paths").getJsonObject(path).fieldNames()) {
                    if (path.startsWith("/api/v1/")) {
                        documented.add(method.toUpperCase() + " " + path);
                    } else if (path.contains("{")) {
                        // Outside the API with a parameter (open data): answered by its route, not as an unknown path.
                        Api.Response unrouted = anonymous.get("/not/routed/at/all");
                        Api.Response answered = anonymous.get(path.replaceAll("\\{[^}]+}", "x"));
                        assertNotEquals(unrouted.body(), answered.body(), path);
                    } else {
                        // Outside the API: answered by the running service (health, metrics, this document).
                        assertNotEquals(404, anonymous.get(path).status(), path);
                    }
                }
            }

            Router router = Router.router(TestCharger.VERTX);
            new RestApi(
                            TestCharger.VERTX,
                            new BackOffice(null, null, null, null, null),
                            null,
                            null,
                            new NotificationApi(TestCharger.VERTX, null, null, null, false),
                            new UptimeApi(TestCharger.VERTX, null, null, null),
                            new RoamingApi(null, null, null),
                            "unused",
                            1000)
                    .mount(router);
            Set<String> routed = new TreeSet<>();
            for (Route mounted : router.getRoutes()) {
                if (mounted.getSubRouter() == null) {
                    continue;
                }
                for (Route route : mounted.getSubRouter().getRoutes()) {
                    if (route.getPath() == null || route.methods() == null) {
                        continue; // authentication, body handler, the 404 of unknown routes
                    }
                    String path = "/api/v1" + route.getPath().replaceAll(":(\\w+)", "{$1}");
                    route.methods().forEach(m -> routed.add(m.name() + " " + path));
                }
            }
            assertEquals(routed, documented, "routes in RestApi versus paths in openapi.json");

            // Generated clients name their methods after operationIds: one per operation, none twice; every API
            // operation says what its 4xx mean.
            Set<String> ids = new TreeSet<>();
            int operations = 0;
            for (String path : doc.getJsonObject("paths").fieldNames()) {
                JsonObject ops = doc.getJsonObject("paths").getJsonObject(path);
                for (String method : ops.fieldNames()) {
                    JsonObject op = ops.getJsonObject(method);
                    operations++;
                    ids.add(op.getString("operationId", method + " " + path + " has no operationId"));
                    if (path.startsWith("/api/v1/")) {
                        assertTrue(op.getJsonObject("responses").containsKey("401"), method + " " + path + ": 401");
                        assertTrue(
                                !path.contains("{")
                                        || op.getJsonObject("responses").containsKey("404"),
                                method + " " + path + ": 404");
                    }
                }
            }
            assertEquals(operations, ids.size(), "an operationId per operation, unique: " + ids);
            assertTrue(ids.stream().noneMatch(i -> i.contains(" has no ")), ids.toString());
            // Every command of the catalogue has its body schema in the document, and the document lists them all.
            for (String name : CommandCatalog.names()) {
                BodySchemas.named(CommandCatalog.find(name).bodySchema());
            }
            JsonArray documentedCommands = doc
                    .getJsonObject("paths")
                    .getJsonObject("/api/v1/chargers/{id}/commands/{name}")
                    .getJsonObject("post")
                    .getJsonArray("parameters")
                    .stream()
                    .map(o -> (JsonObject) o)
                    .filter(o -> "name".equals(o.getString("name")))
                    .findFirst()
                    .orElseThrow()
                    .getJsonObject("schema")
                    .getJsonArray("enum");
            assertEquals(CommandCatalog.names(), documentedCommands.getList());
            assertEquals(200, anonymous.send("HEAD", "/metrics", null).status());
            assertEquals(200, anonymous.send("HEAD", "/openapi.json", null).status());
        }
    }
}
