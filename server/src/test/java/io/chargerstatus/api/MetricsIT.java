package io.chargerstatus.api;

import static io.chargerstatus.testkit.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chargerstatus.testkit.Api;
import io.chargerstatus.testkit.SseClient;
import io.chargerstatus.testkit.TestCharger;
import io.chargerstatus.testkit.TestDatabase;
import io.chargerstatus.testkit.TestService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Prometheus metrics after real OCPP traffic")
class MetricsIT {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? (\\S+)$");

    /** The samples of a Prometheus text exposition, keyed by name{labels}; comment lines are checked for shape. */
    static Map<String, Double> parse(String text) {
        Map<String, Double> samples = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                assertTrue(line.startsWith("# HELP ") || line.startsWith("# TYPE ") || line.startsWith("# EOF"), line);
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertTrue(m.matches(), "not a Prometheus sample: " + line);
            samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
        }
        return samples;
    }

    /**
     * Every metric a query of {@code file} selects ({@code name{...}}; the files write each metric with a
     * selector so that this can find them) is one the service exports: a renamed metric breaks this test,
     * not an operator's dashboard. {@code up} is Prometheus's own.
     */
    private static void onlyExportedMetrics(String exposition, Path file) throws Exception {
        Set<String> exported = new HashSet<>();
        exposition.lines().filter(l -> !l.startsWith("#")).forEach(l -> exported.add(l.split("[{ ]", 2)[0]));
        Matcher selector = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\{").matcher(Files.readString(file));
        int found = 0;
        while (selector.find()) {
            String name = selector.group(1);
            if (!name.equals("up") && !name.equals("by") && !name.equals("labels")) {
                assertTrue(exported.contains(name), file + " queries " + name + ", which the service does not export");
                found++;
            }
        }
        assertTrue(found >= 5, file + ": queries found " + found);
    }

    @Test
    @DisplayName("per-status gauges match the chargers table and the message counters moved")
    void gaugesAndCounters() throws Exception {
        try (TestService service = TestService.start(TestDatabase.fresh(), Map.of())) {
            Api api = service.api();
            api.charger("m", "M-1");
            api.charger("m", "M-2");
            api.charger("m", "M-3");
            TestCharger a = TestCharger.connect(service, "M-1");
            TestCharger b = TestCharger.connect(service, "M-2");
            a.boot();
            b.boot();
            a.status(1, "Charging");
            b.status(1, "Faulted", "GroundFailure", null, Instant.now());
            a.call("MakeCoffee", new JsonObject());
            try (SseClient sse = SseClient.open(service, TestService.ADMIN, null, null)) {
                a.status(1, "Finishing");
                sse.awaitStatus("M-1", "Finishing");
                String exposition =
                        expect(200, service.api(null).get("/metrics")).body();
                // Kept for CI, which runs `promtool check metrics` on it.
                Files.writeString(Path.of("target", "metrics-sample.txt"), exposition);
                Map<String, Double> m = parse(exposition);

                JsonObject summary =
                        expect(200, api.get("/api/v1/status-summary")).json();
                for (String status : summary.fieldNames()) {
                    assertEquals(
                            summary.getInteger(status).doubleValue(),
                            m.get("charger_status_chargers{status=\"" + status + "\"}"),
                            "gauge of " + status);
                }
                JsonArray table = expect(200, api.get("/api/v1/chargers")).array();
                assertEquals(3, table.size());
                assertEquals(1.0, m.get("charger_status_chargers{status=\"Faulted\"}"));
                assertEquals(1.0, m.get("charger_status_chargers{status=\"Unknown\"}"));
                assertEquals(2.0, m.get("charger_status_ocpp_connected_chargers"));
                assertEquals(1.0, m.get("charger_status_sse_clients"));
                assertEquals(
                        2.0,
                        m.get(
                                        "charger_status_ocpp_messages_total{action=\"StatusNotification\",direction=\"in\",outcome=\"ok\"}")
                                - 1.0);
                assertEquals(
                        2.0,
                        m.get(
                                "charger_status_ocpp_messages_total{action=\"BootNotification\",direction=\"in\",outcome=\"ok\"}"));
                assertEquals(1.0, m.get("charger_status_ocpp_callerrors_total{code=\"NotImplemented\"}"));
                assertEquals(1.0, m.get("charger_status_transitions_total{from=\"Charging\",to=\"Finishing\"}"));
                assertTrue(m.get("charger_status_event_latency_seconds_count") >= 1.0);
                assertTrue(
                        m.keySet().stream().anyMatch(k -> k.startsWith("vertx_http_server_")), "Vert.x HTTP metrics");
                assertTrue(
                        m.keySet().stream().anyMatch(k -> k.startsWith("vertx_eventbus_")), "Vert.x event-bus metrics");
                assertTrue(
                        m.keySet().stream().anyMatch(k -> k.startsWith("vertx_pool_") || k.startsWith("vertx_sql_")),
                        "pool metrics");
                assertTrue(m.keySet().stream().anyMatch(k -> k.startsWith("jvm_memory_used_bytes")), "JVM metrics");
                assertTrue(m.keySet().stream().anyMatch(k -> k.startsWith("process_cpu_usage")), "process metrics");
                assertEquals(1.0, m.get("charger_status_database_up"));
                onlyExportedMetrics(exposition, Path.of("..", "ops", "grafana-dashboard.json"));
                onlyExportedMetrics(exposition, Path.of("..", "ops", "alerts.yml"));
            }
            a.close();
            b.close();
        }
    }
}
