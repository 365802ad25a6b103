package io.chargerstatus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chargerstatus.testkit.TestDatabase;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("java -jar charger-status.jar: subcommands, help and refusals")
class MainIT {

    private record Run(int exit, String output) {}

    private static Run run(Map<String, String> env, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes()).trim();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the process ended");
        return new Run(p.exitValue(), output);
    }

    @Test
    @DisplayName("HTTP_PORT=abc: one line naming the variable, no stack trace, exit code 2")
    void badSetting() throws Exception {
        Run r = run(Map.of("HTTP_PORT", "abc"));
        assertEquals(2, r.exit());
        assertEquals("charger-status: HTTP_PORT must be an integer, got abc", r.output());
    }

    @Test
    @DisplayName("--help lists the subcommands and exits 0; each subcommand explains itself without running")
    void help() throws Exception {
        Run top = run(Map.of(), "--help");
        assertEquals(0, top.exit());
        for (String sub : List.of("serve", "demo", "simulate", "bench")) {
            assertTrue(top.output().contains(sub), "--help names " + sub);
            Run r = run(Map.of(), sub, "--help");
            assertEquals(0, r.exit(), sub + " --help");
            assertTrue(r.output().startsWith("Usage: charger-status " + sub), r.output());
        }
        assertTrue(run(Map.of(), "simulate", "--help").output().contains("--ids"));
    }

    @Test
    @DisplayName("a bad option: one line and where to look, exit code 2")
    void badOption() throws Exception {
        Run r = run(Map.of(), "simulate", "--nope");
        assertEquals(2, r.exit());
        assertEquals(
                "charger-status: Unknown option: '--nope'\nsee: java -jar charger-status.jar simulate --help",
                r.output());
    }

    @Test
    @DisplayName("SIGTERM: the service drains and its last lines (stopping, stopped) are written")
    void shutdownLinesKept() throws Exception {
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName());
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        int http;
        try (ServerSocket probe = new ServerSocket(0)) {
            http = probe.getLocalPort();
        }
        pb.environment()
                .putAll(Map.of(
                        "HTTP_PORT",
                        String.valueOf(http),
                        "OCPP_PORT",
                        "0",
                        "PG_URL",
                        TestDatabase.fresh(),
                        "ADMIN_TOKEN",
                        "x",
                        "LOG_FORMAT",
                        "json"));
        Process p = pb.start();
        StringBuilder output = new StringBuilder();
        try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))) {
            String line;
            while ((line = lines.readLine()) != null) {
                output.append(line).append('\n');
                if (line.contains("charger-status ready")) {
                    // SIGTERM, as Kubernetes sends it (Process.destroy would also close our end of its output).
                    new ProcessBuilder("kill", "-TERM", String.valueOf(p.pid()))
                            .start()
                            .waitFor();
                }
            }
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertTrue(
                output.toString().contains("\"message\":\"stopping: closing charger sessions and SSE streams\""),
                output.toString());
        assertTrue(output.toString().contains("\"message\":\"stopped\""), output.toString());
    }

    @Test
    @DisplayName("a port already in use: one line and a non-zero exit, at once")
    void portInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            Run r = run(Map.of(
                    "HTTP_PORT", String.valueOf(taken.getLocalPort()),
                    "OCPP_PORT", "0",
                    "PG_URL", TestDatabase.fresh(),
                    "ADMIN_TOKEN", "x",
                    "LOG_FORMAT", "json"));
            assertEquals(1, r.exit());
            String last = r.output().lines().reduce((a, b) -> b).orElse("");
            assertTrue(last.startsWith("charger-status: cannot start: ") && last.contains("in use"), r.output());
        }
    }
}
