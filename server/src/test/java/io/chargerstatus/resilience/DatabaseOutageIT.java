package io.chargerstatus.resilience;

import static io.chargerstatus.testkit.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chargerstatus.testkit.Api;
import io.chargerstatus.testkit.PgInstance;
import io.chargerstatus.testkit.Reporter;
import io.chargerstatus.testkit.TestCharger;
import io.chargerstatus.testkit.TestService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The database goes away under load: stopped, or frozen with SIGSTOP. On a PostgreSQL of the test's own.
 * What chargers were promised must hold: no status that got a CALLRESULT is lost, none refused is left
 * uncorrected (the charger is asked again), online flags are right, and nobody waits without bound.
 */
@Tag("fault")
@DisplayName("Database outages: stopped under load, and hung (SIGSTOP)")
class DatabaseOutageIT {
    private static PgInstance pg;
    private static TestService service;
    private static Api api;

    @BeforeAll
    static void start() throws Exception {
        pg = PgInstance.start();
        service = TestService.start(
                pg.url(),
                Map.of(
                        "DB_TIMEOUT_S",
                        "2",
                        "CALL_TIMEOUT_S",
                        "30",
                        "MAX_MESSAGES_PER_SECOND",
                        "1000",
                        "MESSAGE_BURST",
                        "1000"));
        api = service.api();
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    @DisplayName(
            "stopped for a few seconds under load: every acknowledged status is kept, refused ones are asked again, online flags are right")
    void stoppedUnderLoad() throws Exception {
        List<Reporter> reporters = new ArrayList<>();
        List<TestCharger> leaving = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            TestCharger cp =
                    TestCharger.connect(service, api.charger("outage", "S-" + i).getString("id"));
            cp.boot();
            reporters.add(new Reporter(cp));
        }
        for (int i = 0; i < 3; i++) {
            TestCharger cp =
                    TestCharger.connect(service, api.charger("outage", "L-" + i).getString("id"));
            cp.boot();
            leaving.add(cp);
        }
        reporters.forEach(Thread::start);
        eventually(() -> assertTrue(reporters.stream().allMatch(r -> r.acknowledged.size() >= 3)), 60);

        long stopped = System.nanoTime();
        pg.stop();
        eventually(() -> assertEquals(503, api.get("/health/ready").status()), 30);
        double notReady = (System.nanoTime() - stopped) / 1e9;
        eventually(
                () -> assertTrue(
                        reporters.stream().mapToInt(r -> r.refused.get()).sum() >= 8, "reports refused"),
                60);
        assertEquals(503, api.get("/api/v1/chargers/S-0").status(), "REST says unavailable, not 500");
        leaving.forEach(TestCharger::close); // their Disconnected facts meet a database that is not there

        long restarted = System.nanoTime();
        pg.startServer();
        eventually(() -> assertEquals(200, api.get("/health/ready").status()), 60);
        double readyAgain = (System.nanoTime() - restarted) / 1e9;
        int before = reporters.stream().mapToInt(r -> r.acknowledged.size()).sum();
        eventually(
                () -> assertTrue(
                        reporters.stream().mapToInt(r -> r.acknowledged.size()).sum() >= before + 8),
                60);
        reporters.forEach(r -> r.running.set(false));
        for (Reporter r : reporters) {
            r.join(30_000);
        }

        System.out.printf(
                "DatabaseOutageTest stopped: readiness 503 after %.1f s, 200 again %.1f s after the restart; "
                        + "%d reports acknowledged, %d refused (InternalError)%n",
                notReady,
                readyAgain,
                reporters.stream().mapToInt(r -> r.acknowledged.size()).sum(),
                reporters.stream().mapToInt(r -> r.refused.get()).sum());
        for (Reporter r : reporters) {
            String id = r.charger.id;
            Set<String> kept = api.get("/api/v1/chargers/" + id + "/history?limit=1000").array().stream()
                    .map(e -> ((JsonObject) e).getString("timestamp"))
                    .collect(Collectors.toSet());
            for (String ts : r.acknowledged) {
                assertTrue(
                        kept.contains(Instant.parse(ts).toString()),
                        id + ": acknowledged status at " + ts + " is not in the history");
            }
            if (r.refused.get() > 0) {
                assertNotNull(
                        r.charger.nextCallFromService("TriggerMessage", 30), id + " was refused and never asked again");
            }
            assertTrue(api.chargerRow(id).getBoolean("online"), id + " is connected");
        }
        for (TestCharger cp : leaving) {
            eventually(
                    () -> {
                        JsonObject row = api.chargerRow(cp.id);
                        assertFalse(row.getBoolean("online"), cp.id + " left during the outage but shows online");
                        assertEquals("Offline", row.getString("status"));
                    },
                    30);
        }
        reporters.forEach(r -> r.charger.close());
    }

    @Test
    @DisplayName(
            "hung (SIGSTOP): chargers get InternalError and readiness 503 in seconds, REST 503, upgrades 503; all recover after")
    void hung() throws Exception {
        TestCharger cp =
                TestCharger.connect(service, api.charger("outage", "H-1").getString("id"));
        cp.boot();
        api.charger("outage", "H-2");
        pg.pause();
        long paused = System.nanoTime();
        try {
            JsonArray reply = cp.call(
                    "StatusNotification",
                    new JsonObject()
                            .put("connectorId", 1)
                            .put("status", "Charging")
                            .put("errorCode", "NoError")
                            .put("timestamp", Instant.now().toString()));
            assertEquals(4, reply.getInteger(0), "a report with a hung database is answered, with a CALLERROR");
            assertEquals("InternalError", reply.getString(2));
            double firstAnswer = (System.nanoTime() - paused) / 1e9;
            long t1 = System.nanoTime();
            JsonArray queued = cp.call(
                    "StatusNotification",
                    new JsonObject()
                            .put("connectorId", 1)
                            .put("status", "Charging")
                            .put("errorCode", "NoError")
                            .put("timestamp", Instant.now().toString()));
            assertEquals("InternalError", queued.getString(2));
            double nextAnswer = (System.nanoTime() - t1) / 1e9;
            long t2 = System.nanoTime();
            eventually(() -> assertEquals(503, api.get("/health/ready").status()), 30);
            System.out.printf(
                    "DatabaseOutageTest hung: first report answered InternalError after %.1f s (DB_TIMEOUT_S=2), "
                            + "the next after %.1f s, readiness 503 after %.1f s%n",
                    firstAnswer, nextAnswer, (System.nanoTime() - t2) / 1e9);
            assertEquals(503, api.get("/api/v1/chargers/H-1").status());
            assertEquals(503, TestCharger.upgradeStatus(service, "H-2", null));
        } finally {
            pg.resume();
        }
        eventually(() -> assertEquals(200, api.get("/health/ready").status()), 60);
        assertNotNull(
                cp.nextCallFromService("TriggerMessage", 30), "the refused charger is asked for its statuses again");
        cp.status(1, "Charging");
        assertEquals("Charging", api.chargerRow("H-1").getString("status"));
        cp.close();
    }
}
