package io.chargerstatus.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code java -jar charger-status.jar bench [--chargers 19000] [--connectors 2] [--rate 10000] [--seconds 30]
 * [--sustained-chargers 2000]}: one run of the performance figures on this machine, each next to a
 * baseline measured in the same run, written to {@code bench/results/}.
 *
 * <p>The service, the simulators and the echo baseline are separate processes (as in production, and
 * because each process may open at most 20,000 files here); simulators spread their connections over
 * several 127.0.0.x source addresses.
 */
public final class Bench {
    private static final String TOKEN = "bench-admin-token";
    private static final int SIM_PROCESS_MAX = 9_500;

    private final Path jar;
    private final int chargers;
    private final int connectors;
    private final int rate;
    private final int seconds;
    private final int sustainedChargers;
    private final String adminJdbc;
    private final String database;
    private final List<Process> processes = new ArrayList<>();
    private final JsonObject results = new JsonObject();
    private final java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();

    private Bench(String[] args) throws Exception {
        Map<String, String> a = options(args);
        jar = Path.of(
                Bench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        chargers = Integer.parseInt(a.getOrDefault("--chargers", "19000"));
        connectors = Integer.parseInt(a.getOrDefault("--connectors", "2"));
        rate = Integer.parseInt(a.getOrDefault("--rate", "10000"));
        seconds = Integer.parseInt(a.getOrDefault("--seconds", "30"));
        sustainedChargers = Integer.parseInt(a.getOrDefault("--sustained-chargers", "2000"));
        adminJdbc = a.getOrDefault("--pg", "jdbc:postgresql://127.0.0.1:5432/postgres");
        database = "cs_bench_" + System.currentTimeMillis();
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            m.put(args[i], args[i + 1]);
        }
        return m;
    }

    public static void main(String[] args) throws Exception {
        Bench bench = new Bench(args);
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
                        .put("openFilesPerProcess", openFileLimit()));
        results.put(
                "parameters",
                new JsonObject()
                        .put("chargers", chargers)
                        .put("connectors", connectors)
                        .put("rate", rate)
                        .put("seconds", seconds)
                        .put("sustainedChargers", sustainedChargers));

        double insertRows = baselineInsert(pgUrl);
        log("baseline insert: %.0f rows/s", insertRows);
        JsonObject echo = baselineEcho();
        log("baseline echo: %s", echo.encode());

        int http = freePort();
        int ocpp = freePort();
        Process service = start(
                "service",
                List.of("java", "-Xmx1g", "-XX:+UseG1GC", "-jar", jar.toString()),
                Map.of(
                        "PG_URL",
                        pgUrl,
                        "HTTP_PORT",
                        String.valueOf(http),
                        "OCPP_PORT",
                        String.valueOf(ocpp),
                        "ADMIN_TOKEN",
                        TOKEN,
                        "HEARTBEAT_INTERVAL_S",
                        "60",
                        "MAX_SESSIONS",
                        "19900"));
        waitFor(() -> get(http, "/health/ready").statusCode() == 200, 60);
        String ocppUrl = "ws://127.0.0.1:" + ocpp + "/ocpp";

        // Sessions held.
        register("A", chargers, http);
        long heapIdle = heapAfterGc(service, http);
        long rssIdle = rss(service);
        long t0 = System.nanoTime();
        List<Process> sims = simulators(
                "A", chargers, ocppUrl, List.of("--status-rate", "0", "--heartbeat", "60", "--ramp", "3000"), 2);
        waitFor(
                () -> metric(http, "charger_status_ocpp_connected_chargers") >= chargers * 0.999 || allExited(sims),
                300);
        waitFor(() -> summary(http).getInteger("Available") >= held(http) * 0.999, 60);
        double rampSeconds = (System.nanoTime() - t0) / 1e9;
        long held = held(http);
        int available = summary(http).getInteger("Available");
        long heapHeld = heapAfterGc(service, http);
        long rssHeld = rss(service);
        results.put(
                "sessions",
                new JsonObject()
                        .put("held", held)
                        .put("allAvailable", available == held)
                        .put("rampSeconds", round(rampSeconds))
                        .put("heapBytesIdle", heapIdle)
                        .put("heapBytesHeld", heapHeld)
                        .put("heapBytesPerSession", held == 0 ? 0 : (heapHeld - heapIdle) / held)
                        .put("rssBytesIdle", rssIdle)
                        .put("rssBytesHeld", rssHeld)
                        .put("rssBytesPerSession", held == 0 ? 0 : (rssHeld - rssIdle) / held)
                        .put("baselineEchoHeld", echo.getLong("held"))
                        .put("ratioToEcho", round((double) held / Math.max(1, echo.getLong("held")))));
        log("sessions: %s", results.getJsonObject("sessions").encode());
        stop(sims);
        waitFor(() -> metric(http, "charger_status_ocpp_connected_chargers") == 0, 120);

        // Reconnect storm: chargers new to the service boot and report every connector at once.
        register("B", chargers, http);
        Events sse = Events.open(http, "B-");
        long expected = (long) chargers * (connectors + 2); // boot, then connector 0..n each a change
        long s0 = System.nanoTime();
        List<Process> storm = simulators(
                "B", chargers, ocppUrl, List.of("--status-rate", "0", "--heartbeat", "60", "--ramp", "100000"), 2);
        waitFor(() -> sse.count.get() >= expected || allExited(storm), 300);
        double stormSeconds = (System.nanoTime() - s0) / 1e9;
        results.put(
                "storm",
                new JsonObject()
                        .put("chargers", chargers)
                        .put("connectors", connectors)
                        .put("events", sse.count.get())
                        .put("expectedEvents", expected)
                        .put("seconds", round(stormSeconds))
                        .put("eventsPerSecond", round(sse.count.get() / stormSeconds)));
        log("storm: %s", results.getJsonObject("storm").encode());
        sse.close();
        stop(storm);
        waitFor(() -> metric(http, "charger_status_ocpp_connected_chargers") == 0, 120);

        // Sustained status changes, charger -> SSE latency.
        register("C", sustainedChargers, http);
        List<Process> steady = simulators(
                "C",
                sustainedChargers,
                ocppUrl,
                List.of("--status-rate", "0", "--heartbeat", "60", "--ramp", "5000"),
                1);
        waitFor(() -> metric(http, "charger_status_ocpp_connected_chargers") >= sustainedChargers, 120);
        stop(steady);
        waitFor(() -> metric(http, "charger_status_ocpp_connected_chargers") == 0, 60);
        JsonObject atTarget = sustained(http, ocppUrl, rate);
        JsonObject moderate = sustained(http, ocppUrl, rate / 2);
        double perSecond = atTarget.getDouble("perSecond");
        results.put(
                "sustained",
                new JsonObject()
                        .put("targetPerSecond", rate)
                        .put("statusPerSecond", round(perSecond))
                        .put("windowSeconds", atTarget.getDouble("seconds"))
                        .put("p50Ms", atTarget.getDouble("p50Ms"))
                        .put("p99Ms", atTarget.getDouble("p99Ms"))
                        .put("p999Ms", atTarget.getDouble("p999Ms"))
                        .put("baselineInsertRowsPerSecond", round(insertRows))
                        .put("baselineEchoMessagesPerSecond", echo.getDouble("messagesPerSecond"))
                        .put("ratioToInsert", round(perSecond / insertRows))
                        .put("ratioToEcho", round(perSecond / echo.getDouble("messagesPerSecond")))
                        .put("halfRate", moderate));
        log("sustained: %s", results.getJsonObject("sustained").encode());
        service.destroy();
        service.waitFor(30, TimeUnit.SECONDS);
        write();
    }

    /** Status changes at {@code target}/s from the "C" chargers for --seconds; SSE rate and latency over the middle. */
    private JsonObject sustained(int http, String ocppUrl, int target) throws Exception {
        Events live = Events.open(http, "C-");
        List<Process> load = simulators(
                "C",
                sustainedChargers,
                ocppUrl,
                List.of(
                        "--status-rate",
                        String.valueOf(target),
                        "--heartbeat",
                        "60",
                        "--ramp",
                        "5000",
                        "--duration",
                        String.valueOf(seconds),
                        "--fault-every",
                        "0"),
                1);
        waitFor(() -> live.count.get() > 0, 60);
        Thread.sleep(3000); // past the ramp
        live.startWindow();
        Thread.sleep(seconds * 1000L / 2);
        JsonObject window = live.endWindow();
        waitFor(() -> allExited(load), seconds + 60L);
        waitFor(() -> metric(http, "charger_status_ocpp_connected_chargers") == 0, 60);
        live.close();
        double[] lat = window.getJsonArray("latencies").stream()
                .mapToDouble(o -> ((Number) o).doubleValue())
                .sorted()
                .toArray();
        return new JsonObject()
                .put("targetPerSecond", target)
                .put("perSecond", round(window.getDouble("perSecond")))
                .put("seconds", round(window.getDouble("seconds")))
                .put("p50Ms", percentile(lat, 0.50))
                .put("p99Ms", percentile(lat, 0.99))
                .put("p999Ms", percentile(lat, 0.999));
    }

    // ---- baselines -------------------------------------------------------------------------------

    /** Rows per second a bare batched insert (1,000 rows per statement, 4 in flight) reaches on this PostgreSQL. */
    private double baselineInsert(String pgUrl) throws Exception {
        Vertx vertx = Vertx.vertx();
        Pool pool = PgBuilder.pool()
                .with(new PoolOptions().setMaxSize(4))
                .connectingTo(PgConnectOptions.fromUri(pgUrl))
                .using(vertx)
                .build();
        try {
            // Its own schema: the service's migrations expect "public" to be theirs.
            await(pool.query("CREATE SCHEMA bench").execute());
            await(pool.query(
                            "CREATE TABLE bench.bench_rows (seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, charger_id text, "
                                    + "status text, connector_id int, ts timestamptz, received_at timestamptz)")
                    .execute());
            int batch = 1000;
            String[] ids = new String[batch];
            String[] statuses = new String[batch];
            Integer[] conns = new Integer[batch];
            OffsetDateTime[] ts = new OffsetDateTime[batch];
            for (int i = 0; i < batch; i++) {
                ids[i] = "CP-" + i;
                statuses[i] = "Charging";
                conns[i] = 1;
                ts[i] = OffsetDateTime.now(ZoneOffset.UTC);
            }
            Tuple rows = Tuple.from(new Object[] {ids, statuses, conns, ts, ts});
            String sql = "INSERT INTO bench.bench_rows (charger_id, status, connector_id, ts, received_at) "
                    + "SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::timestamptz[], $5::timestamptz[]) RETURNING seq";
            long end = System.nanoTime() + 8_000_000_000L;
            AtomicLong inserted = new AtomicLong();
            long start = System.nanoTime();
            List<CompletableFuture<Void>> lanes = new ArrayList<>();
            for (int lane = 0; lane < 4; lane++) {
                CompletableFuture<Void> done = new CompletableFuture<>();
                lanes.add(done);
                Runnable[] next = new Runnable[1];
                next[0] = () -> pool.withTransaction(c -> c.preparedQuery(sql).execute(rows))
                        .onComplete(ar -> {
                            inserted.addAndGet(batch);
                            if (System.nanoTime() < end && ar.succeeded()) {
                                next[0].run();
                            } else {
                                done.complete(null);
                            }
                        });
                next[0].run();
            }
            CompletableFuture.allOf(lanes.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
            return inserted.get() / ((System.nanoTime() - start) / 1e9);
        } finally {
            pool.close();
            vertx.close();
        }
    }

    /** The same simulators against a bare WebSocket server: sessions held and messages answered per second. */
    private JsonObject baselineEcho() throws Exception {
        int port = freePort();
        Process echo = start(
                "echo",
                List.of("java", "-Xmx1g", "-cp", jar.toString(), EchoServer.class.getName(), String.valueOf(port)),
                Map.of());
        Thread.sleep(1500);
        String url = "ws://127.0.0.1:" + port + "/ocpp";
        List<Process> sims = simulators(
                "E",
                chargers,
                url,
                List.of("--status-rate", "0", "--heartbeat", "60", "--ramp", "3000", "--duration", "3"),
                2);
        long held = 0;
        for (Process p : sims) {
            held += sessionsFromRamp(p);
        }
        waitFor(() -> allExited(sims), 120);
        List<Process> load = simulators(
                "F",
                sustainedChargers,
                url,
                List.of(
                        "--status-rate",
                        "100000",
                        "--heartbeat",
                        "60",
                        "--ramp",
                        "5000",
                        "--duration",
                        "10",
                        "--fault-every",
                        "0"),
                1);
        double perSecond = finalRate(load.get(0));
        waitFor(() -> allExited(load), 60);
        echo.destroy();
        echo.waitFor(10, TimeUnit.SECONDS);
        return new JsonObject().put("held", held).put("messagesPerSecond", round(perSecond));
    }

    // ---- processes -------------------------------------------------------------------------------

    private final Map<Process, ConcurrentLinkedQueue<String>> output = new ConcurrentHashMap<>();

    private Process start(String name, List<String> command, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        processes.add(p);
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
    private List<Process> simulators(String prefix, int count, String url, List<String> extra, int minProcesses)
            throws IOException {
        int processCount = Math.max(minProcesses, (count + SIM_PROCESS_MAX - 1) / SIM_PROCESS_MAX);
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
                    url,
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

    private void register(String prefix, int count, int http) throws Exception {
        int processCount = Math.max(2, (count + SIM_PROCESS_MAX - 1) / SIM_PROCESS_MAX);
        List<Process> regs = new ArrayList<>();
        int per = (count + processCount - 1) / processCount;
        if (prefix.equals("C")) {
            processCount = 1;
            per = count;
        }
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
                            TOKEN,
                            "--account",
                            "bench",
                            "--register-only"),
                    Map.of()));
        }
        waitFor(() -> allExited(regs), 600);
    }

    private long sessionsFromRamp(Process p) throws Exception {
        String[] line = new String[1];
        waitFor(
                () -> (line[0] = output.get(p).stream()
                                        .filter(l -> l.startsWith("ramp done"))
                                        .findFirst()
                                        .orElse(null))
                                != null
                        || !p.isAlive(),
                300);
        if (line[0] == null) {
            return 0;
        }
        String s = line[0].substring(line[0].indexOf("sessions=") + 9);
        return Long.parseLong(s.substring(0, s.indexOf(' ')));
    }

    private double finalRate(Process p) throws Exception {
        String[] line = new String[1];
        waitFor(
                () -> (line[0] = output.get(p).stream()
                                        .filter(l -> l.startsWith("final:"))
                                        .findFirst()
                                        .orElse(null))
                                != null
                        || !p.isAlive(),
                120);
        Thread.sleep(200);
        line[0] = output.get(p).stream()
                .filter(l -> l.startsWith("final:"))
                .findFirst()
                .orElse("rate=0/s");
        String r = line[0].substring(line[0].indexOf("rate=") + 5);
        return Double.parseDouble(r.substring(0, r.indexOf('/')));
    }

    private static boolean allExited(List<Process> ps) {
        return ps.stream().noneMatch(Process::isAlive);
    }

    private static void stop(List<Process> ps) throws InterruptedException {
        ps.forEach(Process::destroy);
        for (Process p : ps) {
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private void cleanUp() {
        processes.forEach(Process::destroyForcibly);
        try {
            sql("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        } catch (Exception e) {
            log("could not drop %s: %s", database, e.getMessage());
        }
    }

    // ---- measurements ----------------------------------------------------------------------------

    /** Heap in use after a full GC of the service process (jcmd), read from its own /metrics. */
    private long heapAfterGc(Process service, int http) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        new ProcessBuilder(jcmd.toString(), String.valueOf(service.pid()), "GC.run")
                .redirectErrorStream(true)
                .start()
                .waitFor(60, TimeUnit.SECONDS);
        Thread.sleep(500);
        long sum = 0;
        for (String line : get(http, "/metrics").body().split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                sum += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    private static long rss(Process p) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(p.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        return 0;
    }

    private static long openFileLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    return Long.parseLong(line.split("\\s+")[3]);
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        return -1;
    }

    private long held(int http) {
        return (long) metric(http, "charger_status_ocpp_connected_chargers");
    }

    private double metric(int http, String name) {
        for (String line : get(http, "/metrics").body().split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return -1;
    }

    private JsonObject summary(int http) {
        return new JsonObject(get(http, "/api/v1/status-summary").body());
    }

    private HttpResponse<String> get(int port, String path) {
        try {
            return http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                            .header("Authorization", "Bearer " + TOKEN)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(path + ": " + e, e);
        }
    }

    private static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return -1;
        }
        return round(sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)]);
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void waitFor(Check check, long timeoutSeconds) throws Exception {
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        while (!passes(check)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeoutSeconds + " s");
            }
            Thread.sleep(100);
        }
    }

    private static boolean passes(Check check) {
        try {
            return check.ok();
        } catch (Exception e) {
            return false; // not up yet
        }
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    private void sql(String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(adminJdbc, "postgres", null);
                Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void log(String format, Object... args) {
        System.out.printf("[bench] " + format + "%n", args);
    }

    // ---- output ----------------------------------------------------------------------------------

    private void write() throws IOException {
        Path dir = Path.of("bench", "results");
        Files.createDirectories(dir);
        String json = results.encodePrettily();
        Files.writeString(dir.resolve("latest.json"), json);
        Files.writeString(dir.resolve(results.getString("date").substring(0, 19).replace(':', '-') + ".json"), json);
        Files.writeString(dir.resolve("latest.md"), markdown());
        System.out.println(markdown());
    }

    private String markdown() {
        JsonObject s = results.getJsonObject("sessions");
        JsonObject st = results.getJsonObject("storm");
        JsonObject su = results.getJsonObject("sustained");
        JsonObject m = results.getJsonObject("machine");
        return String.join(
                "\n",
                "Run of " + results.getString("date") + " on " + m.getInteger("cores") + " cores, "
                        + (m.getLong("memoryBytes") >> 30) + " GiB, " + m.getString("jvm") + ", "
                        + m.getLong("openFilesPerProcess")
                        + " open files per process; simulators on the same machine.",
                "",
                "| figure | charger-status | baseline | ratio |",
                "|---|---|---|---|",
                "| concurrent sessions held | " + s.getLong("held") + " (all Available: " + s.getBoolean("allAvailable")
                        + ") | " + s.getLong("baselineEchoHeld") + " (bare WebSocket echo) | "
                        + s.getDouble("ratioToEcho") + " |",
                "| heap per session | " + s.getLong("heapBytesPerSession") + " B (" + (s.getLong("heapBytesHeld") >> 20)
                        + " MiB held) | | |",
                "| RSS per session | " + s.getLong("rssBytesPerSession") + " B (" + (s.getLong("rssBytesHeld") >> 20)
                        + " MiB held) | | |",
                "| reconnect storm, " + st.getInteger("chargers") + " chargers x " + st.getInteger("connectors")
                        + " connectors, committed and streamed | " + st.getDouble("seconds") + " s ("
                        + st.getLong("events") + " events) | | |",
                "| sustained status changes per second (target " + su.getInteger("targetPerSecond") + ") | "
                        + su.getDouble("statusPerSecond") + " | " + su.getDouble("baselineInsertRowsPerSecond")
                        + " rows/s bare batched insert | "
                        + su.getDouble("ratioToInsert") + " |",
                "| same, against the echo ceiling | " + su.getDouble("statusPerSecond") + " | "
                        + su.getDouble("baselineEchoMessagesPerSecond") + " msg/s bare WebSocket echo | "
                        + su.getDouble("ratioToEcho") + " |",
                "| charger -> SSE latency p50 / p99 / p99.9 at that rate | " + su.getDouble("p50Ms") + " / "
                        + su.getDouble("p99Ms") + " / " + su.getDouble("p999Ms") + " ms | | |",
                "| at half the target (" + su.getJsonObject("halfRate").getInteger("targetPerSecond")
                        + "/s): achieved, p50 / p99 / p99.9 | "
                        + su.getJsonObject("halfRate").getDouble("perSecond") + "/s, "
                        + su.getJsonObject("halfRate").getDouble("p50Ms") + " / "
                        + su.getJsonObject("halfRate").getDouble("p99Ms") + " / "
                        + su.getJsonObject("halfRate").getDouble("p999Ms") + " ms | | |",
                "");
    }

    /** An SSE subscriber of the service that counts events of one charger prefix and records latencies. */
    private static final class Events {
        final AtomicLong count = new AtomicLong();
        private final Vertx vertx = Vertx.vertx();
        private final String prefix;
        private volatile List<Double> window;
        private volatile long windowStartNanos;
        private volatile long windowStartCount;
        private HttpClientResponse response;

        private Events(String prefix) {
            this.prefix = prefix;
        }

        static Events open(int port, String prefix) throws Exception {
            Events e = new Events(prefix);
            HttpClient client = e.vertx.createHttpClient();
            e.response = await(client.request(new RequestOptions()
                            .setMethod(HttpMethod.GET)
                            .setHost("127.0.0.1")
                            .setPort(port)
                            .setURI("/api/v1/events")
                            .putHeader("Authorization", "Bearer " + TOKEN))
                    .compose(req -> req.send())
                    .map(resp -> {
                        StringBuilder pending = new StringBuilder();
                        resp.handler(b -> {
                            pending.append(b.toString());
                            int end;
                            while ((end = pending.indexOf("\n\n")) >= 0) {
                                e.onBlock(pending.substring(0, end));
                                pending.delete(0, end + 2);
                            }
                        });
                        return resp;
                    }));
            return e;
        }

        private void onBlock(String block) {
            int data = block.indexOf("data: ");
            if (data < 0) {
                return;
            }
            long now = System.currentTimeMillis();
            JsonObject event = new JsonObject(block.substring(data + 6));
            if (!event.getString("chargerId").startsWith(prefix)) {
                return;
            }
            count.incrementAndGet();
            List<Double> w = window;
            if (w != null && event.getValue("connector") != null) {
                w.add((double)
                        (now - Instant.parse(event.getString("timestamp")).toEpochMilli()));
            }
        }

        void startWindow() {
            window = Collections.synchronizedList(new ArrayList<>());
            windowStartCount = count.get();
            windowStartNanos = System.nanoTime();
        }

        JsonObject endWindow() {
            double secs = (System.nanoTime() - windowStartNanos) / 1e9;
            List<Double> w = window;
            window = null;
            return new JsonObject()
                    .put("seconds", secs)
                    .put("perSecond", (count.get() - windowStartCount) / secs)
                    .put("latencies", new JsonArray(new ArrayList<>(w)));
        }

        void close() {
            response.request().connection().close();
            vertx.close();
        }
    }
}
