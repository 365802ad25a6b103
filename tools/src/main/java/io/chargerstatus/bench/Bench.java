package io.chargerstatus.bench;

import static io.chargerstatus.bench.Measure.log;
import static io.chargerstatus.bench.Measure.metric;
import static io.chargerstatus.bench.Measure.percentile;
import static io.chargerstatus.bench.Measure.round;
import static io.chargerstatus.bench.Measure.waitFor;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar charger-status.jar bench [--chargers 19000] [--connectors 2] [--rate 10000] [--seconds 30]
 * [--sustained-chargers 2000] [--phases all|single|cluster|sustained|notify|roaming|uptime|retention] [--service-jvm "-Xmx1g -XX:+UseG1GC"]}: one run of the performance figures on this machine, each next to a
 * baseline measured in the same run, written to {@code bench/results/}.
 *
 * <p>The service, the simulators and the echo baseline are separate processes (as in production, and
 * because each process may open at most 20,000 files here); simulators spread their connections over
 * several 127.0.0.x source addresses.
 */
public final class Bench {
    static final String TOKEN = "bench-admin-token";

    final Path jar;
    final int chargers;
    final int connectors;
    final int rate;
    final int seconds;
    final int sustainedChargers;
    final int clusterChargers;
    private final String phases;
    /** The service's JVM options (--service-jvm, space-separated): how GC settings are compared. */
    private final List<String> serviceJvm;

    private final String adminJdbc;
    private final String database;
    final JsonObject results = new JsonObject();
    final Processes procs;

    private Bench(BenchOptions o) throws Exception {
        jar = Path.of(
                Bench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        chargers = o.chargers;
        connectors = o.connectors;
        rate = o.rate;
        seconds = o.seconds;
        sustainedChargers = o.sustainedChargers;
        clusterChargers = o.clusterChargers;
        phases = o.phases;
        serviceJvm = o.serviceJvm();
        adminJdbc = o.pg;
        database = "cs_bench_" + System.currentTimeMillis();
        procs = new Processes(jar, connectors, serviceJvm);
    }

    /** One run of the phases {@code options} name, on a database of its own that is dropped at the end. */
    public static void run(BenchOptions options) throws Exception {
        Bench bench = new Bench(options);
        try {
            bench.run();
        } finally {
            bench.cleanUp();
        }
    }

    private void run() throws Exception {
        sql("CREATE DATABASE " + database);
        String pgUrl = "postgresql://postgres@127.0.0.1:5432/" + database;
        results.put("date", Instant.now().toString());
        results.put(
                "machine",
                new JsonObject()
                        .put("cores", Runtime.getRuntime().availableProcessors())
                        .put(
                                "memoryBytes",
                                ((com.sun.management.OperatingSystemMXBean)
                                                ManagementFactory.getOperatingSystemMXBean())
                                        .getTotalMemorySize())
                        .put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"))
                        .put("openFilesPerProcess", Measure.openFileLimit()));
        results.put(
                "parameters",
                new JsonObject()
                        .put("chargers", chargers)
                        .put("connectors", connectors)
                        .put("rate", rate)
                        .put("seconds", seconds)
                        .put("sustainedChargers", sustainedChargers)
                        .put("clusterChargers", clusterChargers)
                        .put("phases", phases)
                        .put("serviceJvm", String.join(" ", serviceJvm)));

        double insertRows = Baselines.insert(pgUrl);
        log("baseline insert: %.0f rows/s", insertRows);
        JsonObject echo = Baselines.echo(this);
        log("baseline echo: %s", echo.encode());
        if (phases.equals("sustained")) {
            new SinglePhase(this).sustainedOnly(pgUrl, insertRows, echo);
            write();
            return;
        }
        if (phases.equals("notify")) {
            new NotifyPhase(this, pgUrl).run();
            write();
            return;
        }
        if (phases.equals("roaming")) {
            new RoamingPhase(this, pgUrl).run();
            write();
            return;
        }
        if (phases.equals("retention")) {
            new RetentionPhase(this, pgUrl).run();
            write();
            return;
        }
        if (phases.equals("uptime")) {
            new UptimePhase(this, pgUrl).run();
            write();
            return;
        }
        if (!phases.equals("cluster")) {
            new SinglePhase(this).single(pgUrl, insertRows, echo);
            write();
        }
        if (!phases.equals("single")) {
            try {
                new ClusterPhase(this).run(pgUrl, echo);
            } catch (Exception e) {
                // The single instance's figures stand; the failure is recorded where the cluster's would be.
                log("cluster phase failed: %s", e);
                results.put("clusterError", String.valueOf(e));
                procs.destroyAll();
            }
        }
        write();
    }

    /**
     * Status changes at {@code target}/s from chargers {@code prefix-...} speaking {@code ocpp}, in {@code
     * processes} simulators, for --seconds: the SSE rate and latency over the middle, and what each change
     * cost there — CPU of the service and of PostgreSQL (all its processes) from /proc, allocation from the
     * service's own GC meter — divided by the changes committed (the counter row's advance).
     */
    JsonObject sustained(
            Process service, int http, String ocppUrl, int target, String prefix, String ocpp, int processes)
            throws Exception {
        return sustained(service, http, ocppUrl, target, prefix, ocpp, processes, null);
    }

    /**
     * The same, with {@code during} run on a thread of its own a quarter of the way into the measured window
     * (the retention phase drops a month there); its answer is kept as {@code "during"}.
     */
    JsonObject sustained(
            Process service,
            int http,
            String ocppUrl,
            int target,
            String prefix,
            String ocpp,
            int processes,
            Callable<JsonObject> during)
            throws Exception {
        SseEvents live = SseEvents.open(http, prefix + "-");
        List<Process> load = procs.simulators(
                prefix,
                sustainedChargers,
                ocppUrl,
                List.of(
                        "--status-rate",
                        String.valueOf(target / processes),
                        "--heartbeat",
                        "60",
                        "--ramp",
                        "5000",
                        "--duration",
                        String.valueOf(seconds),
                        "--fault-every",
                        "0",
                        "--ocpp",
                        ocpp),
                processes);
        waitFor(() -> live.count.get() > 0, 60);
        Thread.sleep(3000); // past the ramp
        Measure.Cost before = Measure.cost(service, http, this);
        live.startWindow();
        CompletableFuture<JsonObject> side = during == null
                ? CompletableFuture.completedFuture(null)
                : CompletableFuture.supplyAsync(() -> {
                    try {
                        Thread.sleep(seconds * 1000L / 8);
                        return during.call();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
        Thread.sleep(seconds * 1000L / 2);
        JsonObject window = live.endWindow();
        Measure.Cost after = Measure.cost(service, http, this);
        waitFor(() -> Processes.allExited(load), seconds + 60L);
        waitFor(() -> metric(http, "charger_status_ocpp_connected_chargers") == 0, 60);
        live.close();
        double[] lat = window.getJsonArray("latencies").stream()
                .mapToDouble(o -> ((Number) o).doubleValue())
                .sorted()
                .toArray();
        long changes = Math.max(1, after.committed() - before.committed());
        double usPerTick = 1e6 / Measure.CLOCK_TICKS;
        return new JsonObject()
                .put("targetPerSecond", target)
                .put("perSecond", round(window.getDouble("perSecond")))
                .put("seconds", round(window.getDouble("seconds")))
                .put("p50Ms", percentile(lat, 0.50))
                .put("p99Ms", percentile(lat, 0.99))
                .put("p999Ms", percentile(lat, 0.999))
                .put("changesCommitted", changes)
                .put(
                        "serviceCpuUsPerChange",
                        round((after.serviceTicks() - before.serviceTicks()) * usPerTick / changes))
                .put(
                        "postgresCpuUsPerChange",
                        round((after.postgresTicks() - before.postgresTicks()) * usPerTick / changes))
                .put("allocatedBytesPerChange", round((after.allocatedBytes() - before.allocatedBytes()) / changes))
                .put(
                        "machineBusy",
                        round((double) (after.machineBusyTicks() - before.machineBusyTicks())
                                / Math.max(1, after.machineTicks() - before.machineTicks())))
                .put("maxMs", lat.length == 0 ? 0 : lat[lat.length - 1])
                .put("during", side.get(60, TimeUnit.SECONDS));
    }

    /** A statement on the run's database. */
    void execute(String statement) throws Exception {
        try (Connection c = connect();
                Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    /** A JDBC connection to the run's database. */
    Connection connect() throws Exception {
        String url = adminJdbc.substring(0, adminJdbc.lastIndexOf('/') + 1) + database;
        return DriverManager.getConnection(url, "postgres", null);
    }

    /** A count on the run's database. */
    long count(String query) throws Exception {
        try (Connection c = connect();
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery(query)) {
            r.next();
            return r.getLong(1);
        }
    }

    private void cleanUp() {
        procs.destroyAll();
        try {
            sql("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        } catch (Exception e) {
            log("could not drop %s: %s", database, e.getMessage());
        }
    }

    private void sql(String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(adminJdbc, "postgres", null);
                Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    void write() throws IOException {
        Path dir = Path.of("bench", "results");
        Files.createDirectories(dir);
        String json = results.encodePrettily();
        Files.writeString(dir.resolve("latest.json"), json);
        Files.writeString(dir.resolve(results.getString("date").substring(0, 19).replace(':', '-') + ".json"), json);
        String markdown = new Report(results).markdown();
        Files.writeString(dir.resolve("latest.md"), markdown);
        System.out.println(markdown);
    }
}
