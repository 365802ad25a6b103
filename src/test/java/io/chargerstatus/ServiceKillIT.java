package io.chargerstatus;

import static io.chargerstatus.testkit.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chargerstatus.testkit.Api;
import io.chargerstatus.testkit.Reporter;
import io.chargerstatus.testkit.TestCharger;
import io.chargerstatus.testkit.TestDatabase;
import io.chargerstatus.testkit.TestService;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The service process is SIGKILLed in the middle of a status stream and started again on the same database. */
@Tag("fault")
@DisplayName("The service killed with SIGKILL under load and restarted")
class ServiceKillIT {

    /** The service as a separate process, on the test classpath, so that it can be killed for real. */
    private static final class ServiceProcess {
        final Process process;
        final int httpPort;
        final int ocppPort;

        ServiceProcess(String pgUrl, String name) throws Exception {
            httpPort = TestService.freePort();
            ocppPort = TestService.freePort();
            Path log = Path.of("target", "service-kill-" + name + ".log");
            Files.createDirectories(log.getParent());
            ProcessBuilder pb = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-cp",
                            System.getProperty("java.class.path"),
                            Main.class.getName())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment()
                    .putAll(Map.of(
                            "HTTP_PORT",
                            String.valueOf(httpPort),
                            "OCPP_PORT",
                            String.valueOf(ocppPort),
                            "PG_URL",
                            pgUrl,
                            "ADMIN_TOKEN",
                            TestService.ADMIN,
                            "MAX_MESSAGES_PER_SECOND",
                            "1000",
                            "MESSAGE_BURST",
                            "1000"));
            process = pb.start();
            Api api = new Api(httpPort, TestService.ADMIN);
            eventually(
                    () -> {
                        assertTrue(process.isAlive(), "the service process exited; see " + log);
                        int status;
                        try {
                            status = api.get("/health/ready").status();
                        } catch (IllegalStateException notYet) {
                            status = 0;
                        }
                        assertEquals(200, status);
                    },
                    120);
        }

        TestService view() {
            return TestService.remote(httpPort, ocppPort);
        }
    }

    @Test
    @DisplayName(
            "every status acknowledged before the kill is in the history after the restart, and the dead sessions are Offline")
    void killedAndRestarted() throws Exception {
        String pgUrl = TestDatabase.fresh();
        ServiceProcess first = new ServiceProcess(pgUrl, "first");
        TestService view = first.view();
        Api api = view.api();
        List<Reporter> reporters = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            TestCharger cp =
                    TestCharger.connect(view, api.charger("killed", "K-" + i).getString("id"));
            cp.boot();
            reporters.add(new Reporter(cp));
        }
        reporters.forEach(Thread::start);
        eventually(() -> assertTrue(reporters.stream().allMatch(r -> r.acknowledged.size() >= 5)), 60);

        first.process.destroyForcibly(); // SIGKILL: no drain, no shutdown hook
        first.process.waitFor();
        reporters.forEach(r -> r.running.set(false));
        for (Reporter r : reporters) {
            r.join(30_000);
        }

        ServiceProcess second = new ServiceProcess(pgUrl, "second");
        try {
            Api after = second.view().api();
            for (Reporter r : reporters) {
                Set<String> kept =
                        after.get("/api/v1/chargers/" + r.charger.id + "/history?limit=1000").array().stream()
                                .map(e -> ((JsonObject) e).getString("timestamp"))
                                .collect(Collectors.toSet());
                for (String ts : r.acknowledged) {
                    assertTrue(
                            kept.contains(Instant.parse(ts).toString()),
                            r.charger.id + ": acknowledged status at " + ts + " was lost");
                }
                JsonObject row = after.chargerRow(r.charger.id);
                assertEquals("Offline", row.getString("status"), r.charger.id + "'s session died with the process");
                assertEquals(false, row.getBoolean("online"));
            }
        } finally {
            second.process.destroy();
            second.process.waitFor();
        }
    }
}
