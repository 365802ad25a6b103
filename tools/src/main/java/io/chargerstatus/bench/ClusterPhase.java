package io.chargerstatus.bench;

import static io.chargerstatus.bench.Measure.freePort;
import static io.chargerstatus.bench.Measure.get;
import static io.chargerstatus.bench.Measure.heapAfterGc;
import static io.chargerstatus.bench.Measure.held;
import static io.chargerstatus.bench.Measure.log;
import static io.chargerstatus.bench.Measure.metric;
import static io.chargerstatus.bench.Measure.percentile;
import static io.chargerstatus.bench.Measure.round;
import static io.chargerstatus.bench.Measure.rss;
import static io.chargerstatus.bench.Measure.waitFor;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Three instances on one database, one cluster on loopback: sessions held across them, a reconnect storm
 * streamed to an SSE client on each, sustained changes at the single instance's offered load with latency seen
 * on another instance's stream, and one instance SIGKILLed under that load.
 */
final class ClusterPhase {
    /** The cluster phase's OFFLINE_AFTER_S (the default with its 60 s heartbeat). */
    private static final int OFFLINE_AFTER_S = 180;

    private final Bench bench;
    private final Processes procs;

    ClusterPhase(Bench bench) {
        this.bench = bench;
        this.procs = bench.procs;
    }

    /** One instance of the cluster phase: its ports and process. */
    private record Instance(Process process, int http, int ocpp) {
        String ocppUrl() {
            return "ws://127.0.0.1:" + ocpp + "/ocpp";
        }
    }

    /**
     * Three instances on one database, one cluster on loopback: sessions held across them, a reconnect
     * storm streamed to an SSE client on each, sustained changes at the single instance's offered load
     * with latency seen on another instance's stream, and one instance SIGKILLed under that load.
     */
    void run(String pgUrl, JsonObject echo) throws Exception {
        int[] hz = {freePort(), freePort(), freePort()};
        String members = "127.0.0.1:" + hz[0] + ",127.0.0.1:" + hz[1] + ",127.0.0.1:" + hz[2];
        List<Instance> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int http = freePort();
            int ocpp = freePort();
            Map<String, String> env = new HashMap<>(procs.serviceEnv(pgUrl, http, ocpp));
            env.putAll(Map.of(
                    "CLUSTER_MEMBERS",
                    members,
                    "CLUSTER_HOST",
                    "127.0.0.1",
                    "CLUSTER_PORT",
                    String.valueOf(hz[i]),
                    "OFFLINE_AFTER_S",
                    String.valueOf(OFFLINE_AFTER_S)));
            nodes.add(new Instance(
                    procs.start(
                            "cluster-" + i,
                            List.of("java", "-Xmx1g", "-XX:+UseG1GC", "-jar", bench.jar.toString()),
                            env),
                    http,
                    ocpp));
        }
        for (Instance n : nodes) {
            waitFor(() -> get(n.http(), "/health/ready").statusCode() == 200, 120);
        }
        waitFor(() -> nodes.stream().allMatch(n -> metric(n.http(), "charger_status_cluster_members") == 3), 120);
        List<String> urls = nodes.stream().map(Instance::ocppUrl).toList();
        JsonObject out = new JsonObject();

        // Sessions held across the cluster.
        procs.register("D", bench.clusterChargers, nodes.get(0).http());
        long[] heapIdle = new long[3];
        long[] rssIdle = new long[3];
        for (int i = 0; i < 3; i++) {
            heapIdle[i] = heapAfterGc(nodes.get(i).process(), nodes.get(i).http());
            rssIdle[i] = rss(nodes.get(i).process());
        }
        long t0 = System.nanoTime();
        // The same total ramp as the single instance's (2 simulators at 3,000/s), spread over more simulators.
        String ramp = String.valueOf(6000 / Processes.simProcesses(bench.clusterChargers, 2));
        List<Process> sims = procs.simulators(
                "D",
                bench.clusterChargers,
                urls,
                List.of("--status-rate", "0", "--heartbeat", "60", "--ramp", ramp),
                2);
        waitFor(() -> heldBy(nodes) >= bench.clusterChargers * 0.999 || Processes.allExited(sims), 600);
        waitFor(
                () -> bench.count(
                                "SELECT bench.count(*) FROM bench.chargers WHERE id LIKE 'D-%' AND online AND status = 'Available'")
                        >= heldBy(nodes) * 0.999,
                120);
        double rampSeconds = (System.nanoTime() - t0) / 1e9;
        long held = heldBy(nodes);
        long available = bench.count(
                "SELECT bench.count(*) FROM bench.chargers WHERE id LIKE 'D-%' AND online AND status = 'Available'");
        JsonArray perInstance = new JsonArray();
        for (int i = 0; i < 3; i++) {
            Instance n = nodes.get(i);
            long sessions = held(n.http());
            long heap = heapAfterGc(n.process(), n.http());
            long rss = rss(n.process());
            perInstance.add(new JsonObject()
                    .put("held", sessions)
                    .put("heapBytesHeld", heap)
                    .put("heapBytesPerSession", sessions == 0 ? 0 : (heap - heapIdle[i]) / sessions)
                    .put("rssBytesHeld", rss)
                    .put("rssBytesPerSession", sessions == 0 ? 0 : (rss - rssIdle[i]) / sessions));
        }
        out.put(
                "sessions",
                new JsonObject()
                        .put("held", held)
                        .put("allAvailable", available == held)
                        .put("rampSeconds", round(rampSeconds))
                        .put("perInstance", perInstance)
                        .put(
                                "singleInstanceHeld",
                                bench.results
                                        .getJsonObject("sessions", new JsonObject())
                                        .getLong("held"))
                        .put("baselineEchoHeld", echo.getLong("held")));
        log("cluster sessions: %s", out.getJsonObject("sessions").encode());
        Processes.stop(sims);
        waitFor(() -> heldBy(nodes) == 0, 180);

        // Reconnect storm of as many bench.chargers, committed and streamed to an SSE client on every instance.
        procs.register("E", bench.clusterChargers, nodes.get(0).http());
        List<SseEvents> streams = new ArrayList<>();
        for (Instance n : nodes) {
            streams.add(SseEvents.open(n.http(), "E-"));
        }
        long expected = (long) bench.clusterChargers * (bench.connectors + 2);
        long s0 = System.nanoTime();
        List<Process> storm = procs.simulators(
                "E",
                bench.clusterChargers,
                urls,
                List.of("--status-rate", "0", "--heartbeat", "60", "--ramp", "100000"),
                2);
        waitFor(() -> streams.stream().allMatch(e -> e.count.get() >= expected) || Processes.allExited(storm), 600);
        double stormSeconds = (System.nanoTime() - s0) / 1e9;
        JsonObject single = bench.results.getJsonObject("storm");
        double perCharger = stormSeconds / bench.clusterChargers;
        out.put(
                "storm",
                new JsonObject()
                        .put("chargers", bench.clusterChargers)
                        .put("expectedEvents", expected)
                        .put(
                                "eventsPerStream",
                                new JsonArray(
                                        streams.stream().map(e -> e.count.get()).toList()))
                        .put("seconds", round(stormSeconds))
                        .put("msPerCharger", round(perCharger * 1000))
                        .put(
                                "singleInstanceMsPerCharger",
                                single == null
                                        ? null
                                        : round(single.getDouble("seconds") * 1000 / single.getInteger("chargers")))
                        .put(
                                "ratioToSingle",
                                single == null
                                        ? null
                                        : round(perCharger
                                                / (single.getDouble("seconds") / single.getInteger("chargers")))));
        log("cluster storm: %s", out.getJsonObject("storm").encode());
        streams.forEach(SseEvents::close);
        Processes.stop(storm);
        waitFor(() -> heldBy(nodes) == 0, 180);

        // Sustained changes through the cluster at the single instance's offered load; latency on instance 1's
        // stream for the bench.chargers of instance 2 (another instance's). Instance 3 is killed in the middle.
        procs.register("G", bench.sustainedChargers, nodes.get(0).http(), 3);
        SseEvents all = SseEvents.open(nodes.get(0).http(), "G-");
        SseEvents remote = SseEvents.open(nodes.get(0).http(), "G-1-");
        List<Process> load = procs.simulators(
                "G",
                bench.sustainedChargers,
                urls,
                List.of(
                        "--status-rate",
                        String.valueOf(bench.rate / 3),
                        "--heartbeat",
                        "60",
                        "--ramp",
                        "5000",
                        "--duration",
                        String.valueOf(bench.seconds + 40),
                        "--fault-every",
                        "0"),
                3);
        waitFor(() -> all.count.get() > 0, 120);
        Thread.sleep(5000); // past the ramp
        all.startWindow();
        remote.startWindow();
        Thread.sleep(bench.seconds * 1000L / 2);
        JsonObject window = all.endWindow();
        JsonObject remoteWindow = remote.endWindow();
        double[] lat = remoteWindow.getJsonArray("latencies").stream()
                .mapToDouble(o -> ((Number) o).doubleValue())
                .sorted()
                .toArray();
        double perSecond = window.getDouble("perSecond");
        JsonObject singleSustained = bench.results.getJsonObject("sustained");
        out.put(
                "sustained",
                new JsonObject()
                        .put("targetPerSecond", bench.rate)
                        .put("statusPerSecond", round(perSecond))
                        .put("windowSeconds", round(window.getDouble("seconds")))
                        .put("remoteStreamP50Ms", percentile(lat, 0.50))
                        .put("remoteStreamP99Ms", percentile(lat, 0.99))
                        .put("remoteStreamP999Ms", percentile(lat, 0.999))
                        .put(
                                "singleInstancePerSecond",
                                singleSustained == null ? null : singleSustained.getDouble("statusPerSecond"))
                        .put(
                                "ratioToSingle",
                                singleSustained == null
                                        ? null
                                        : round(perSecond / singleSustained.getDouble("statusPerSecond")))
                        .put("ratioToEcho", round(perSecond / echo.getDouble("messagesPerSecond"))));
        log("cluster sustained: %s", out.getJsonObject("sustained").encode());

        // Failover: SIGKILL instance 3 under that load.
        Instance victim = nodes.get(2);
        long k0 = System.nanoTime();
        victim.process().destroyForcibly();
        victim.process().waitFor();
        waitFor(
                () -> bench.count("SELECT bench.count(*) FROM bench.chargers WHERE id LIKE 'G-2-%' AND online") == 0,
                300);
        double failoverSeconds = (System.nanoTime() - k0) / 1e9;
        waitFor(() -> Processes.allExited(load), bench.seconds + 120L);
        // Every report a simulator was answered for is a connector status change: one history row each at least.
        long acked = 0;
        for (Process sim : load) {
            acked += procs.statusAcked(sim);
        }
        long rows = bench.count(
                "SELECT bench.count(*) FROM status_events WHERE charger_id LIKE 'G-%' AND connector_id IS NOT NULL");
        long survivorsMembers = (long) metric(nodes.get(0).http(), "charger_status_cluster_members");
        out.put(
                "failover",
                new JsonObject()
                        .put(
                                "killedChargers",
                                bench.count("SELECT bench.count(*) FROM bench.chargers WHERE id LIKE 'G-2-%'"))
                        .put("secondsUntilAllOffline", round(failoverSeconds))
                        .put("offlineAfterS", OFFLINE_AFTER_S)
                        .put("membersAfter", survivorsMembers)
                        .put("statusReportsAcknowledged", acked)
                        .put("connectorEventsInHistory", rows)
                        .put("changesLost", Math.max(0, acked - rows)));
        log("cluster failover: %s", out.getJsonObject("failover").encode());
        all.close();
        remote.close();
        bench.results.put("cluster", out);
        for (Instance n : nodes) {
            n.process().destroy();
            n.process().waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static long heldBy(List<Instance> nodes) {
        long sum = 0;
        for (Instance n : nodes) {
            if (n.process().isAlive()) {
                sum += held(n.http());
            }
        }
        return sum;
    }
}
