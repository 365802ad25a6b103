package io.chargerstatus.bench;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What the bench reads off the processes it runs, and the arithmetic of its figures. */
final class Measure {
    private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newHttpClient();

    private Measure() {}

    /** Linux's USER_HZ: the unit of utime and stime in /proc/PID/stat. */
    static final long CLOCK_TICKS = 100;

    /** CPU so far of the service and of every PostgreSQL process, bytes the service allocated, events committed. */
    /** {@code machineBusyTicks} and {@code machineTicks}: all the cores', from /proc/stat (busy: not idle or iowait). */
    record Cost(
            long serviceTicks,
            long postgresTicks,
            double allocatedBytes,
            long committed,
            long machineBusyTicks,
            long machineTicks) {}

    static Cost cost(Process service, int http, Bench bench) throws Exception {
        long postgres = 0;
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path dir : procs.filter(d -> d.getFileName().toString().chars().allMatch(Character::isDigit))
                    .toList()) {
                try {
                    if (Files.readString(dir.resolve("comm")).trim().equals("postgres")) {
                        postgres += ticks(dir);
                    }
                } catch (IOException gone) {
                    // the process ended while we looked
                }
            }
        }
        String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long all = 0;
        for (int i = 1; i < Math.min(cpu.length, 9); i++) { // user .. steal; guest time is already in user
            all += Long.parseLong(cpu[i]);
        }
        long idle = Long.parseLong(cpu[4]) + Long.parseLong(cpu[5]);
        return new Cost(
                ticks(Path.of("/proc", String.valueOf(service.pid()))),
                postgres,
                metric(http, "jvm_gc_memory_allocated_bytes_total"),
                bench.count("SELECT last_seq FROM event_counter"),
                all - idle,
                all);
    }

    /** utime + stime of a process, in clock ticks (fields 14 and 15 of its stat, after the command in parentheses). */
    private static long ticks(Path proc) throws IOException {
        String stat = Files.readString(proc.resolve("stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** min, median and max of each figure over the runs. */
    static JsonObject spread(List<JsonObject> runs) {
        JsonObject out = new JsonObject();
        for (String figure : List.of(
                "perSecond", "p99Ms", "serviceCpuUsPerChange", "postgresCpuUsPerChange", "allocatedBytesPerChange")) {
            double[] v =
                    runs.stream().mapToDouble(r -> r.getDouble(figure)).sorted().toArray();
            out.put(
                    figure,
                    new JsonObject()
                            .put("min", v[0])
                            .put("median", v[v.length / 2])
                            .put("max", v[v.length - 1]));
        }
        return out;
    }

    /** Heap in use after a full GC of the service process (jcmd), read from its own /metrics. */
    static long heapAfterGc(Process service, int http) throws Exception {
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

    static long rss(Process p) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(p.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        return 0;
    }

    static long openFileLimit() {
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

    static long held(int http) {
        return (long) metric(http, "charger_status_ocpp_connected_chargers");
    }

    static double metric(int http, String name) {
        for (String line : get(http, "/metrics").body().split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return -1;
    }

    static JsonObject summary(int http) {
        return new JsonObject(get(http, "/api/v1/status-summary").body());
    }

    static HttpResponse<String> get(int port, String path) {
        try {
            return HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                            .header("Authorization", "Bearer " + Bench.TOKEN)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(path + ": " + e, e);
        }
    }

    /**
     * The mean of {@code figure} over the runs {@code treated} picks against its mean over those {@code control}
     * picks (runs alternate, so that the machine's drift falls on both sides).
     */
    static double ratio(
            JsonArray runs,
            String figure,
            java.util.function.Predicate<JsonObject> treated,
            java.util.function.Predicate<JsonObject> control) {
        double on = 0;
        double off = 0;
        int nOn = 0;
        int nOff = 0;
        for (Object o : runs) {
            JsonObject r = (JsonObject) o;
            if (treated.test(r)) {
                on += r.getDouble(figure);
                nOn++;
            } else if (control.test(r)) {
                off += r.getDouble(figure);
                nOff++;
            }
        }
        return round((on / nOn) / (off / nOff));
    }

    /** Median, p99 and maximum of a receiver's lags, with how many it received. */
    static JsonObject lags(java.util.List<Double> lagsMs, String countName, long count) {
        double[] sorted;
        synchronized (lagsMs) {
            sorted = lagsMs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        }
        return new JsonObject()
                .put(countName, count)
                .put("lagP50Ms", percentile(sorted, 0.50))
                .put("lagP99Ms", percentile(sorted, 0.99))
                .put("lagMaxMs", sorted.length == 0 ? -1 : sorted[sorted.length - 1]);
    }

    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return -1;
        }
        return round(sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)]);
    }

    static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void waitFor(Check check, long timeoutSeconds) throws Exception {
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

    static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static void log(String format, Object... args) {
        System.out.printf("[bench] " + format + "%n", args);
    }
}
