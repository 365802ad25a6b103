package io.chargerstatus.bench;

import static io.chargerstatus.bench.Measure.get;
import static io.chargerstatus.bench.Measure.waitFor;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * The run's processes: the service, the simulators (each on its own 127.0.x.y source addresses, because each
 * process here may open at most 20,000 files) and the registrations, with their output kept and logged to
 * target/bench-*.log; a simulator's figures come from its JSON summary lines.
 */
final class Processes {
    private static final int SIM_PROCESS_MAX = 9_500;

    private final Path jar;
    private final int connectors;
    private final List<String> serviceJvm;
    private final List<Process> all = new ArrayList<>();

    Processes(Path jar, int connectors, List<String> serviceJvm) {
        this.jar = jar;
        this.connectors = connectors;
        this.serviceJvm = serviceJvm;
    }

    Process startService(String pgUrl, int http, int ocpp) throws Exception {
        return startService(pgUrl, http, ocpp, Map.of());
    }

    /** The same with {@code extra} settings (the notification phase's). */
    Process startService(String pgUrl, int http, int ocpp, Map<String, String> extra) throws Exception {
        List<String> command = new ArrayList<>(List.of("java"));
        command.addAll(serviceJvm);
        command.addAll(List.of("-jar", jar.toString()));
        Map<String, String> env = new HashMap<>(serviceEnv(pgUrl, http, ocpp));
        env.putAll(extra);
        Process service = start("service", command, env);
        waitFor(() -> get(http, "/health/ready").statusCode() == 200, 60);
        return service;
    }

    private final Map<Process, ConcurrentLinkedQueue<String>> output = new ConcurrentHashMap<>();

    Process start(String name, List<String> command, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        all.add(p);
        ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
        output.put(p, lines);
        Path log = Path.of("target", "bench-" + name + "-" + p.pid() + ".log");
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()));
                            var w = Files.newBufferedWriter(log)) {
                        String line;
                        while ((line = r.readLine()) != null) {
                            lines.add(line);
                            w.write(line);
                            w.newLine();
                        }
                    } catch (IOException ignored) {
                        // the process ended
                    }
                },
                "bench-" + name);
        reader.setDaemon(true);
        reader.start();
        return p;
    }

    /** Simulator processes for {@code count} chargers with ids {@code prefix-n}, each on its own source address. */
    List<Process> simulators(String prefix, int count, String url, List<String> extra, int minProcesses)
            throws IOException {
        return simulators(prefix, count, List.of(url), extra, minProcesses);
    }

    /** The settings of every service process of the run: its ports, the run's database, 60 s heartbeats. */
    static Map<String, String> serviceEnv(String pgUrl, int http, int ocpp) {
        return Map.of(
                "PG_URL",
                pgUrl,
                "HTTP_PORT",
                String.valueOf(http),
                "OCPP_PORT",
                String.valueOf(ocpp),
                "ADMIN_TOKEN",
                Bench.TOKEN,
                "HEARTBEAT_INTERVAL_S",
                "60",
                "MAX_SESSIONS",
                "19900");
    }

    /** How many simulator processes {@link #simulators} starts for {@code count} chargers. */
    static int simProcesses(int count, int minProcesses) {
        return Math.max(minProcesses, (count + SIM_PROCESS_MAX - 1) / SIM_PROCESS_MAX);
    }

    /** The same, simulator process {@code i} connecting to {@code urls[i % urls.size()]}. */
    List<Process> simulators(String prefix, int count, List<String> urls, List<String> extra, int minProcesses)
            throws IOException {
        int processCount = simProcesses(count, minProcesses);
        List<Process> sims = new ArrayList<>();
        int per = (count + processCount - 1) / processCount;
        for (int i = 0; i < processCount; i++) {
            int n = Math.min(per, count - i * per);
            List<String> cmd = new ArrayList<>(List.of(
                    "java",
                    "-Xmx1g",
                    "-jar",
                    jar.toString(),
                    "simulate",
                    "--url",
                    urls.get(i % urls.size()),
                    "--chargers",
                    String.valueOf(n),
                    "--connectors",
                    String.valueOf(connectors),
                    "--prefix",
                    prefix + "-" + i,
                    "--source-ips",
                    "127.0." + (10 + i) + ".1,127.0." + (10 + i) + ".2",
                    "--quiet"));
            cmd.addAll(extra);
            sims.add(start("sim-" + prefix + i, cmd, Map.of()));
        }
        return sims;
    }

    void register(String prefix, int count, int http) throws Exception {
        register(
                prefix,
                count,
                http,
                prefix.equals("C") ? 1 : Math.max(2, (count + SIM_PROCESS_MAX - 1) / SIM_PROCESS_MAX));
    }

    /** Registers chargers {@code prefix-i-n} as {@link #simulators} with the same process count names them. */
    void register(String prefix, int count, int http, int processCount) throws Exception {
        List<Process> regs = new ArrayList<>();
        int per = (count + processCount - 1) / processCount;
        for (int i = 0; i < processCount; i++) {
            int n = Math.min(per, count - i * per);
            regs.add(start(
                    "register-" + prefix + i,
                    List.of(
                            "java",
                            "-jar",
                            jar.toString(),
                            "simulate",
                            "--url",
                            "ws://unused/ocpp",
                            "--chargers",
                            String.valueOf(n),
                            "--prefix",
                            prefix + "-" + i,
                            "--api",
                            "http://127.0.0.1:" + http,
                            "--token",
                            Bench.TOKEN,
                            "--account",
                            "bench",
                            "--register-only"),
                    Map.of()));
        }
        waitFor(() -> allExited(regs), 600);
    }

    /**
     * A simulator's JSON summary line for {@code moment} ("ramp" or "final"), waiting up to {@code timeoutSeconds}
     * for it; empty when the simulator ended without one.
     */
    JsonObject summary(Process sim, String moment, long timeoutSeconds) throws Exception {
        JsonObject[] found = new JsonObject[1];
        waitFor(() -> (found[0] = summaryLine(sim, moment)) != null || !sim.isAlive(), timeoutSeconds);
        if (found[0] == null) {
            // It exited: its last lines may still be on their way from the reader thread.
            sim.waitFor(5, TimeUnit.SECONDS);
            found[0] = summaryLine(sim, moment);
        }
        return found[0] == null ? new JsonObject() : found[0];
    }

    private JsonObject summaryLine(Process sim, String moment) {
        for (String line : output.get(sim)) {
            if (line.startsWith("{\"summary\":\"" + moment + "\"")) {
                return new JsonObject(line);
            }
        }
        return null;
    }

    /** Sessions open when a simulator's ramp ended. */
    long sessionsAfterRamp(Process sim) throws Exception {
        return summary(sim, "ramp", 300).getLong("sessions", 0L);
    }

    /** Acknowledged status changes per second after a simulator's ramp, from its final line. */
    double finalRate(Process sim) throws Exception {
        return summary(sim, "final", 120).getDouble("ratePerSecond", 0.0);
    }

    /** Status changes a simulator got a CALLRESULT for, from its final line. */
    long statusAcked(Process sim) throws Exception {
        return summary(sim, "final", 120).getLong("statusAcked", 0L);
    }

    static boolean allExited(List<Process> ps) {
        return ps.stream().noneMatch(Process::isAlive);
    }

    /** SIGKILL for every process of the run (at its end, or when a phase failed). */
    void destroyAll() {
        all.forEach(Process::destroyForcibly);
    }

    /** SIGTERM, and up to 30 s each to end. */
    static void stop(List<Process> ps) throws InterruptedException {
        ps.forEach(Process::destroy);
        for (Process p : ps) {
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
