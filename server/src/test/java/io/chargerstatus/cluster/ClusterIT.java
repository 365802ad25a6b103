package io.chargerstatus.cluster;

import static io.chargerstatus.testkit.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chargerstatus.testkit.Api;
import io.chargerstatus.testkit.Reporter;
import io.chargerstatus.testkit.ServiceProcess;
import io.chargerstatus.testkit.SseClient;
import io.chargerstatus.testkit.TestCharger;
import io.chargerstatus.testkit.TestDatabase;
import io.chargerstatus.testkit.TestService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Three instances on one database, one cluster over Hazelcast on loopback: chargers on each, dashboards on
 * each, one order for all; an instance killed in the middle of a status storm.
 */
@Tag("cluster")
@DisplayName("A cluster of three instances")
class ClusterIT {

    /** The cluster variables of instance {@code i} of a cluster on {@code ports}. */
    private static Map<String, String> member(int[] ports, int i) {
        String members = Arrays.stream(ports).mapToObj(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
        return Map.of(
                "CLUSTER_MEMBERS",
                members,
                "CLUSTER_HOST",
                "127.0.0.1",
                "CLUSTER_PORT",
                String.valueOf(ports[i]),
                "OFFLINE_AFTER_S",
                "15");
    }

    private static int[] clusterPorts() {
        return new int[] {TestService.freePort(), TestService.freePort(), TestService.freePort()};
    }

    /** The seqs of every streamed event in the history, in order: what every stream must carry. */
    private static List<Long> streamedSeqs(String pgUrl) {
        String seqs = TestDatabase.sql(
                pgUrl, "SELECT string_agg(seq::text, ',' ORDER BY seq) FROM status_events WHERE applied");
        return Arrays.stream(seqs.split(",")).map(Long::parseLong).toList();
    }

    private static double gauge(Api api, String line) {
        for (String l : api.get("/metrics").body().split("\n")) {
            if (l.startsWith(line + " ")) {
                return Double.parseDouble(l.substring(line.length() + 1));
            }
        }
        return -1;
    }

    @Test
    @DisplayName("one order on every stream, resume anywhere, commands to any instance's charger, a charger moving "
            + "between instances without an Offline")
    void oneService() throws Exception {
        String pgUrl = TestDatabase.fresh();
        int[] ports = clusterPorts();
        List<TestService> instances = new ArrayList<>();
        List<SseClient> streams = new ArrayList<>();
        List<TestCharger> chargers = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                instances.add(TestService.start(pgUrl, member(ports, i)));
            }
            for (TestService s : instances) {
                eventually(() -> assertEquals(3.0, gauge(s.api(), "charger_status_cluster_members")), 60);
                JsonObject ready = s.api().get("/health/ready").json();
                assertEquals("UP", ready.getString("cluster"));
                streams.add(SseClient.open(s, TestService.ADMIN, null, null));
            }
            // A charger on each instance, registered through another one.
            for (int i = 0; i < 3; i++) {
                TestService home = instances.get(i);
                String id = "CL-" + i;
                instances.get((i + 1) % 3).api().charger("fleet", id);
                TestCharger cp = TestCharger.connect(home, id);
                cp.boot();
                chargers.add(cp);
            }
            // Interleaved reports from all three: each instance's engine commits its own, concurrently.
            String[] walk = {"Preparing", "Charging", "SuspendedEV", "Charging", "SuspendedEVSE", "Charging"};
            for (String status : walk) {
                for (TestCharger cp : chargers) {
                    assertEquals(new JsonObject(), cp.status(1, status));
                }
            }
            List<Long> expected = streamedSeqs(pgUrl);
            assertTrue(expected.size() >= 3 * walk.length, "history " + expected);
            for (int i = 0; i < 3; i++) {
                SseClient stream = streams.get(i);
                eventually(() -> assertTrue(stream.idsSoFar().size() >= expected.size()), 60);
                assertEquals(
                        expected,
                        stream.idsSoFar(),
                        "instance " + (i + 1) + "'s stream: every event once, in one order");
            }

            // Last-Event-ID taken from instance 1 resumes on instance 3: no gap, no duplicate.
            long resumeAfter = expected.get(expected.size() / 2);
            SseClient resumed = SseClient.open(instances.get(2), TestService.ADMIN, null, resumeAfter);
            List<Long> rest = expected.subList(expected.size() / 2 + 1, expected.size());
            eventually(() -> assertTrue(resumed.idsSoFar().size() >= rest.size()), 60);
            assertEquals(rest, resumed.idsSoFar());
            resumed.close();

            // A command through instance 2 reaches the charger held by instance 3.
            TestCharger third = chargers.get(2);
            Api.Response command = instances
                    .get(1)
                    .api()
                    .post("/api/v1/chargers/CL-2/commands/reset", new JsonObject().put("type", "Soft"));
            assertEquals(200, command.status(), command.body());
            assertNotNull(third.nextCallFromService("Reset", 30));

            // CL-0 reconnects from instance 1 to instance 2: the old session closes, the status stays, no Offline.
            TestCharger moved = TestCharger.connect(instances.get(1), "CL-0");
            assertEquals(1000, chargers.get(0).closeCode(30), "the older session on instance 1 is closed");
            eventually(() -> assertEquals(
                    "Charging", instances.get(2).api().chargerRow("CL-0").getString("status")));
            assertEquals(new JsonObject(), moved.status(1, "SuspendedEV"));
            for (SseClient stream : streams) {
                stream.awaitStatus("CL-0", "Completed");
            }
            JsonArray history0 = instances
                    .get(0)
                    .api()
                    .get("/api/v1/chargers/CL-0/history?limit=100")
                    .array();
            assertFalse(
                    history0.stream().anyMatch(e -> "Offline".equals(((JsonObject) e).getString("status"))),
                    "no Offline between the two sessions: " + history0.encode());
            JsonObject row = instances.get(0).api().chargerRow("CL-0");
            assertEquals(true, row.getBoolean("online"));
            assertEquals("Completed", row.getString("status"));
            // The status engine of instance 2 holds it now: a report through it is a change on every stream.
            List<Long> all = streamedSeqs(pgUrl);
            for (SseClient stream : streams) {
                eventually(() -> assertEquals(all, stream.idsSoFar()), 60);
            }
            moved.close();
            // A charger with no session anywhere: 409 through any instance, as on a single one.
            eventually(() -> assertEquals(
                    409,
                    instances
                            .get(2)
                            .api()
                            .post("/api/v1/chargers/CL-0/commands/reset", new JsonObject().put("type", "Soft"))
                            .status()));
        } finally {
            chargers.forEach(TestCharger::close);
            streams.forEach(SseClient::close);
            for (TestService s : instances) {
                s.close();
            }
        }
    }

    @Test
    @DisplayName("SIGKILL of one instance in a status storm: nothing acknowledged is lost, its chargers go Offline, "
            + "the survivors' streams have no gap")
    void instanceKilled() throws Exception {
        String pgUrl = TestDatabase.fresh();
        int[] ports = clusterPorts();
        List<ServiceProcess> processes = new ArrayList<>();
        List<Reporter> reporters = new ArrayList<>();
        List<SseClient> streams = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                processes.add(new ServiceProcess(pgUrl, "cluster-" + i, member(ports, i)));
            }
            for (ServiceProcess p : processes) {
                eventually(() -> assertEquals(3.0, gauge(p.view().api(), "charger_status_cluster_members")), 60);
            }
            for (int i = 0; i < 2; i++) {
                streams.add(SseClient.open(processes.get(i).view(), TestService.ADMIN, null, null));
            }
            Api api = processes.get(0).view().api();
            for (int i = 0; i < 3; i++) {
                for (int k = 0; k < 3; k++) {
                    String id = "KC-" + i + "-" + k;
                    api.charger("storm", id);
                    TestCharger cp = TestCharger.connect(processes.get(i).view(), id);
                    cp.boot();
                    reporters.add(new Reporter(cp));
                }
            }
            reporters.forEach(Thread::start);
            eventually(() -> assertTrue(reporters.stream().allMatch(r -> r.acknowledged.size() >= 5)), 60);

            processes.get(2).kill();
            long killedAt = System.nanoTime();
            for (Reporter r : reporters) {
                if (r.charger.id.startsWith("KC-2-")) {
                    r.running.set(false);
                }
            }
            // The killed instance's chargers: Offline, recorded by the survivors.
            eventually(
                    () -> {
                        for (int k = 0; k < 3; k++) {
                            JsonObject row = api.chargerRow("KC-2-" + k);
                            assertEquals("Offline", row.getString("status"), row.encode());
                            assertEquals(false, row.getBoolean("online"));
                        }
                    },
                    90);
            System.out.printf(
                    "cluster failover: the killed instance's chargers were Offline %.1f s after the SIGKILL (OFFLINE_AFTER_S 15)%n",
                    (System.nanoTime() - killedAt) / 1e9);
            // A charger of the killed instance that reconnects to a survivor carries on from its last status.
            TestCharger back = TestCharger.connect(processes.get(0).view(), "KC-2-0");
            eventually(() -> {
                JsonObject row = api.chargerRow("KC-2-0");
                assertEquals(true, row.getBoolean("online"), row.encode());
                assertTrue(Set.of("Charging", "Completed").contains(row.getString("status")), row.encode());
            });
            back.close();
            // The storm goes on on the survivors for a while after the kill.
            int[] before =
                    reporters.stream().mapToInt(r -> r.acknowledged.size()).toArray();
            eventually(
                    () -> {
                        for (int i = 0; i < 6; i++) {
                            assertTrue(reporters.get(i).acknowledged.size() >= before[i] + 3);
                        }
                    },
                    60);
            reporters.forEach(r -> r.running.set(false));
            for (Reporter r : reporters) {
                r.join(30_000);
            }
            for (Reporter r : reporters) {
                r.assertKept(api);
            }
            List<Long> all = streamedSeqs(pgUrl);
            for (SseClient stream : streams) {
                eventually(() -> assertEquals(all.size(), stream.idsSoFar().size()), 60);
                assertEquals(all, stream.idsSoFar(), "a survivor's stream: every committed change once, in order");
            }
        } finally {
            reporters.forEach(r -> r.running.set(false));
            reporters.forEach(r -> r.charger.close());
            streams.forEach(SseClient::close);
            for (ServiceProcess p : processes) {
                p.close();
            }
        }
    }
}
