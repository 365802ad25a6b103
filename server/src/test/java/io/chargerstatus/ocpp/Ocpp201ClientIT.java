package io.chargerstatus.ocpp;

import static io.chargerstatus.testkit.Api.expect;
import static io.chargerstatus.testkit.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chargerstatus.testkit.Api;
import io.chargerstatus.testkit.TestDatabase;
import io.chargerstatus.testkit.TestService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * An independent OCPP 2.0.1 client — the npm package ocpp-rpc in strict mode, which checks every message both
 * ways against the official 2.0.1 schemas — plays a charger through a transaction and a fault
 * ({@code src/test/ocpp201/transaction.mjs}), and answers the service's calls.
 */
@DisplayName("An independent OCPP 2.0.1 client (ocpp-rpc, strict mode)")
class Ocpp201ClientIT {
    private static final Path DIR = Path.of("src", "test", "ocpp201");

    @Test
    @DisplayName("walks a transaction and a fault with every message valid both ways; the statuses show on REST")
    void transaction() throws Exception {
        Assumptions.assumeTrue(installed(), "node and npm are needed (see .ci/run)");
        try (TestService service = TestService.start(TestDatabase.fresh(), Map.of())) {
            Api api = service.api();
            expect(
                    201,
                    api.post(
                            "/api/v1/accounts",
                            new JsonObject().put("id", "indep").put("name", "Independent")));
            expect(
                    201,
                    api.post(
                            "/api/v1/id-tags",
                            new JsonObject().put("idTag", "INDEP-TAG").put("accountId", "indep")));
            api.charger("indep", "RPC-201");
            Path out = Files.createTempFile("ocpp201-client", ".out");
            Path err = Files.createTempFile("ocpp201-client", ".err");
            Process node = new ProcessBuilder(
                            "node", "transaction.mjs", "ws://127.0.0.1:" + service.ocppPort + "/ocpp", "RPC-201")
                    .directory(DIR.toFile())
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            try {
                // The client ends on a station-level problem and a Faulted EVSE.
                eventually(
                        () -> {
                            assertTrue(node.isAlive(), () -> "the client stopped: " + read(err));
                            JsonObject row = api.chargerRow("RPC-201");
                            assertEquals("Faulted", row.getString("status"));
                            assertEquals("ChargingStation/E-7", row.getString("faultCode"));
                        },
                        60);
                JsonObject row = api.chargerRow("RPC-201");
                assertEquals("2.0.1", row.getString("ocppVersion"));
                assertEquals("Independent", row.getString("vendor"));
                // The service's own calls, in 2.0.1, answered by the client (which checks them against the schemas).
                assertEquals(
                        200,
                        api.post("/api/v1/chargers/RPC-201/commands/reset", new JsonObject().put("type", "Soft"))
                                .status());
                assertEquals(
                        200,
                        api.post("/api/v1/chargers/RPC-201/commands/trigger-status", new JsonObject())
                                .status());
                node.getOutputStream().write("done\n".getBytes(StandardCharsets.UTF_8));
                node.getOutputStream().flush();
                assertTrue(node.waitFor(30, TimeUnit.SECONDS), "the client did not finish");
                assertEquals(0, node.exitValue(), () -> read(err));
                String calls = read(out);
                assertTrue(calls.contains("\"method\":\"Reset\"") && calls.contains("\"type\":\"OnIdle\""), calls);
                assertTrue(calls.contains("\"method\":\"TriggerMessage\""), calls);
            } finally {
                node.destroyForcibly();
            }
            JsonArray history =
                    api.get("/api/v1/chargers/RPC-201/history?limit=100").array();
            Set<String> seen = history.stream()
                    .map(e -> ((JsonObject) e).getString("status"))
                    .collect(Collectors.toSet());
            assertTrue(
                    seen.containsAll(List.of(
                            "Available", "Preparing", "Charging", "Completed", "Paused", "Finishing", "Faulted")),
                    seen.toString());
        }
    }

    /** Whether node runs here; installs the client's locked dependencies from the npm registry when missing. */
    private static boolean installed() throws InterruptedException {
        try {
            if (new ProcessBuilder("node", "--version").start().waitFor() != 0) {
                return false;
            }
            if (Files.isDirectory(DIR.resolve("node_modules").resolve("ocpp-rpc"))) {
                return true;
            }
            Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
                    .directory(DIR.toFile())
                    .inheritIO()
                    .start();
            return npm.waitFor(300, TimeUnit.SECONDS) && npm.exitValue() == 0;
        } catch (IOException notInstalled) {
            return false;
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
