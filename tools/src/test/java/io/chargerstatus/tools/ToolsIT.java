package io.chargerstatus.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chargerstatus.testkit.TestDatabase;
import io.chargerstatus.testkit.TestService;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("java -jar charger-status.jar with the tools: demo, simulate, bench")
class ToolsIT {

    private record Run(int exit, String output) {}

    private static Run run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Tools.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes()).trim();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the process ended");
        return new Run(p.exitValue(), output);
    }

    @Test
    @DisplayName("--help lists the service's commands and the tools; each tool explains itself without running")
    void help() throws Exception {
        Run top = run("--help");
        assertEquals(0, top.exit());
        for (String sub : List.of("serve", "version", "demo", "simulate", "bench")) {
            assertTrue(top.output().contains(sub), "--help names " + sub + ": " + top.output());
        }
        for (String sub : List.of("demo", "simulate", "bench")) {
            Run r = run(sub, "--help");
            assertEquals(0, r.exit(), sub + " --help");
            assertTrue(r.output().startsWith("Usage: charger-status " + sub), r.output());
        }
        String simulate = run("simulate", "--help").output();
        // Declared once (SimOptions), with the defaults shown.
        assertTrue(simulate.contains("--ids") && simulate.contains("2.0.1"), simulate);
        assertTrue(simulate.contains("Default: 500"), simulate);
        assertTrue(run("bench", "--help").output().contains("Default: 19000"));
        Run help = run("help", "simulate");
        assertEquals(0, help.exit());
        assertTrue(help.output().startsWith("Usage: charger-status simulate"), help.output());
    }

    @Test
    @DisplayName("a bad option or value: one line and where to look, exit code 2")
    void badOption() throws Exception {
        Run r = run("simulate", "--nope");
        assertEquals(2, r.exit());
        assertEquals(
                "charger-status: Unknown option: '--nope'\nsee: java -jar charger-status.jar simulate --help",
                r.output());
        Run version = run("simulate", "--ocpp", "1.5");
        assertEquals(2, version.exit());
        assertTrue(version.output().contains("must be 1.6, 2.0.1 or mixed, got 1.5"), version.output());
    }

    @Test
    @DisplayName("simulate: registers its chargers, plays them and prints one JSON summary after the ramp and one at"
            + " the end")
    void simulatorSummaryLines() throws Exception {
        try (TestService service = TestService.start(TestDatabase.fresh(), Map.of())) {
            Run r = run(
                    "simulate",
                    "--url",
                    "ws://127.0.0.1:" + service.ocppPort + "/ocpp",
                    "--chargers",
                    "3",
                    "--prefix",
                    "TOOL",
                    "--api",
                    "http://127.0.0.1:" + service.httpPort,
                    "--token",
                    TestService.ADMIN,
                    "--account",
                    "tools",
                    "--status-rate",
                    "20/s",
                    "--duration",
                    "2",
                    "--quiet");
            assertEquals(0, r.exit(), r.output());
            JsonObject ramp = summary(r.output(), "ramp");
            assertEquals(3, ramp.getLong("sessions"), r.output());
            assertEquals(3, ramp.getLong("booted"), r.output());
            JsonObject last = summary(r.output(), "final");
            assertTrue(last.getLong("statusAcked") > 0, r.output());
            assertTrue(last.getDouble("ratePerSecond") > 0, r.output());
            assertEquals(0, last.getLong("callErrors"), r.output());
            assertEquals(
                    3,
                    service.api()
                            .get("/api/v1/chargers?accountId=tools")
                            .array()
                            .size());
        }
    }

    private static JsonObject summary(String output, String moment) {
        return output.lines()
                .filter(l -> l.startsWith("{\"summary\":\"" + moment + "\""))
                .map(JsonObject::new)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + moment + " summary in: " + output));
    }
}
