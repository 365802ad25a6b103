package io.chargerstatus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chargerstatus.testkit.Api;
import io.chargerstatus.testkit.TestCharger;
import io.chargerstatus.testkit.TestDatabase;
import io.chargerstatus.testkit.TestService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        for (String sub : List.of("serve", "version")) {
            assertTrue(top.output().contains(sub), "--help names " + sub);
            Run r = run(Map.of(), sub, "--help");
            assertEquals(0, r.exit(), sub + " --help");
            assertTrue(r.output().startsWith("Usage: charger-status " + sub), r.output());
        }
        assertFalse(top.output().contains("simulate"), "the server's command line has no tools: " + top.output());
        String serve = run(Map.of(), "serve", "--help").output();
        assertTrue(
                serve.contains("OCPP_STRICT [false]") && serve.contains("HTTP_PORT [8080]"), "the settings: " + serve);
        Run help = run(Map.of(), "help", "serve");
        assertEquals(0, help.exit());
        assertTrue(help.output().startsWith("Usage: charger-status serve"), help.output());
        Run version = run(Map.of(), "version");
        assertEquals(0, version.exit());
        assertTrue(version.output().startsWith("charger-status "), version.output());
    }

    @Test
    @DisplayName("a bad option: one line and where to look, exit code 2")
    void badOption() throws Exception {
        Run r = run(Map.of(), "serve", "--nope");
        assertEquals(2, r.exit());
        assertEquals(
                "charger-status: Unknown option: '--nope'\nsee: java -jar charger-status.jar serve --help", r.output());
    }

    @Test
    @DisplayName("SIGTERM: the service drains and its last lines (stopping, stopped) are written")
    void shutdownLinesKept() throws Exception {
        String output = sigtermAt("charger-status ready");
        assertTrue(output.contains("\"message\":\"stopping: closing charger sessions and SSE streams\""), output);
        assertTrue(output.contains("\"message\":\"stopped\""), output);
    }

    @Test
    @DisplayName("SIGTERM while starting: the process ends saying it stopped, whichever part of the start it hit")
    void sigtermDuringStart() throws Exception {
        // The migrations' line comes before Vert.x is built. Either the start fails because the JVM is
        // shutting down (Vert.x adds a hook of its own) and says so in one line, or it finished first and
        // the hook stopped it as after ready; never the start's own error.
        String output = sigtermAt("migrations applied");
        assertFalse(output.contains("Shutdown in progress"), output);
        assertTrue(
                output.contains("charger-status: stopped while starting (SIGTERM before ready)")
                        || output.contains("\"message\":\"stopped\""),
                output);
    }

    /** Runs serve and sends it SIGTERM, as Kubernetes does, when a line containing {@code trigger} appears. */
    private static String sigtermAt(String trigger) throws Exception {
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
        boolean sent = false;
        try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))) {
            String line;
            while ((line = lines.readLine()) != null) {
                output.append(line).append('\n');
                if (!sent && line.contains(trigger)) {
                    sent = true; // kill, not Process.destroy: that would also close our end of its output
                    new ProcessBuilder("kill", "-TERM", String.valueOf(p.pid()))
                            .start()
                            .waitFor();
                }
            }
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertTrue(sent, "the trigger line was printed: " + output);
        return output.toString();
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

    @Test
    @DisplayName("a database that does not exist, or does not answer: one line naming PG_URL, exit 1, no stack trace")
    void databaseErrorsInOneLine() throws Exception {
        String missing = TestDatabase.url().replaceAll("/[^/?]+$", "/no_such_database_" + System.nanoTime());
        Run r = run(Map.of("PG_URL", missing, "HTTP_PORT", "0", "OCPP_PORT", "0", "ADMIN_TOKEN", "x"));
        assertEquals(1, r.exit(), r.output());
        assertEquals(1, r.output().lines().count(), r.output());
        assertTrue(r.output().startsWith("charger-status: cannot start: cannot use the database "), r.output());
        assertTrue(r.output().contains("(PG_URL)") && r.output().contains("does not exist"), r.output());

        int closed;
        try (ServerSocket probe = new ServerSocket(0)) {
            closed = probe.getLocalPort();
        }
        Run away = run(Map.of(
                "PG_URL", "jdbc:postgresql://127.0.0.1:" + closed + "/cs",
                "HTTP_PORT", "0",
                "OCPP_PORT", "0",
                "ADMIN_TOKEN", "x"));
        assertEquals(1, away.exit(), away.output());
        assertEquals(1, away.output().lines().count(), away.output());
        assertTrue(
                away.output().contains("cannot use the database 127.0.0.1:" + closed + "/cs (PG_URL)"), away.output());
    }

    @Test
    @DisplayName("SIGTERM with the embedded PostgreSQL: the service stops first, its chargers' Offline is committed")
    void embeddedStopsAfterTheService(@TempDir Path data) throws Exception {
        int http = TestService.freePort();
        int ocpp = TestService.freePort();
        Map<String, String> env = Map.of(
                "HTTP_PORT", String.valueOf(http),
                "OCPP_PORT", String.valueOf(ocpp),
                "DATA_DIR", data.toString(),
                "ADMIN_TOKEN", TestService.ADMIN);
        StringBuilder first = new StringBuilder();
        Process p = startUntilReady(env, first);
        Api api = new Api(http, TestService.ADMIN);
        api.charger("acme", "EMB-1");
        TestCharger cp = TestCharger.connect(TestService.remote(http, ocpp), "EMB-1");
        cp.boot();
        cp.status(1, "Charging");
        new ProcessBuilder("kill", "-TERM", String.valueOf(p.pid())).start().waitFor();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the service exited");
        String stopped = first.toString() + new String(p.getInputStream().readAllBytes());
        assertTrue(stopped.contains("stopped"), stopped);
        assertFalse(stopped.contains("did not drain"), "the drain did not wait out its deadline: " + stopped);
        assertFalse(stopped.contains("database unavailable"), "the database outlived the drain: " + stopped);

        Instant restarted = Instant.now();
        Process again = startUntilReady(env, new StringBuilder());
        try {
            JsonArray history = Api.expect(200, api.get("/api/v1/chargers/EMB-1/history?limit=5"))
                    .array();
            JsonObject offline = history.getJsonObject(0);
            assertEquals("Offline", offline.getString("status"), history.encode());
            assertTrue(
                    Instant.parse(offline.getString("receivedAt")).isBefore(restarted),
                    "recorded by the stopping service, not by the next start's sweep: " + history.encode());
        } finally {
            again.destroy();
            again.waitFor(60, TimeUnit.SECONDS);
        }
    }

    /** Starts the service and reads its output until it is ready (the rest stays in the process's stream). */
    private static Process startUntilReady(Map<String, String> env, StringBuilder output) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        Main.class.getName())
                .redirectErrorStream(true);
        pb.environment().remove("PG_URL");
        pb.environment().putAll(env);
        Process p = pb.start();
        var lines = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
        String line;
        while ((line = lines.readLine()) != null) {
            output.append(line).append('\n');
            if (line.contains("charger-status ready")) {
                return p;
            }
        }
        throw new AssertionError("the service did not start: " + output);
    }
}
