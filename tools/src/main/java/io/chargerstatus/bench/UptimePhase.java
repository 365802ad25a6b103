package io.chargerstatus.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench --phases uptime}: the uptime reports at scale and the roll-up's cost, in one run.
 *
 * <ol>
 *   <li>A year of outages for {@value #CHARGERS} chargers of two ports (ten per site), bulk-loaded into what
 *       the roll-up keeps ({@code uptime_lifetimes}, {@code port_downs}: {@value #OUTAGES_PER_MONTH} outages
 *       per port and month, 10 to 130 minutes each, a third of them under an exclusion) with the roll-up's
 *       cursor at the end of the history: {@code GET /api/v1/uptime/nevi} for the whole account and
 *       {@code GET /api/v1/outages} for one month, five times each.
 *   <li>The sustained phase alternately with the roll-up following the history and with it idle
 *       ({@code UPTIME_ROLLUP_TICK_MS} of a day): CPU per change (service + PostgreSQL) and p99.
 * </ol>
 *
 * The outages are loaded in bulk, not through the write path: a year of a fleet's status changes through the
 * service would take this machine days; what a report reads is the roll-up, which the write path keeps.
 */
final class UptimePhase {
    static final int CHARGERS = 20_000;
    private static final int OUTAGES_PER_MONTH = 2;

    private final Bench bench;
    private final String pgUrl;
    private final HttpClient http = HttpClient.newHttpClient();
    private int port;

    UptimePhase(Bench bench, String pgUrl) {
        this.bench = bench;
        this.pgUrl = pgUrl;
    }

    void run() throws Exception {
        int ocpp = Measure.freePort();
        port = Measure.freePort();
        Process service = bench.procs.startService(pgUrl, port, ocpp, Map.of());
        bench.procs.register("C", bench.sustainedChargers, port);
        JsonObject out = new JsonObject();
        out.put("reports", reports());

        String ocppUrl = "ws://127.0.0.1:" + ocpp + "/ocpp";
        JsonArray runs = new JsonArray();
        for (boolean on : new boolean[] {false, true, false, true}) {
            service.destroy();
            service.waitFor(60, TimeUnit.SECONDS);
            // The roll-up starts each run at the present: a run with it on must not first catch up with the last.
            bench.execute("UPDATE uptime_rollup SET last_seq = (SELECT last_seq FROM event_counter), owner = NULL,"
                    + " lease_until = NULL");
            service = bench.procs.startService(
                    pgUrl, port, ocpp, Map.of("UPTIME_ROLLUP_TICK_MS", on ? "1000" : String.valueOf(86_400_000)));
            bench.sustained(service, port, ocppUrl, bench.rate, "C", "1.6", 1); // warm-up, not counted
            JsonObject r = bench.sustained(service, port, ocppUrl, bench.rate, "C", "1.6", 1);
            r.put("rollup", on);
            r.put(
                    "costUsPerChange",
                    Measure.round(r.getDouble("serviceCpuUsPerChange") + r.getDouble("postgresCpuUsPerChange")));
            if (on) {
                long last = bench.count("SELECT last_seq FROM event_counter");
                long from = System.nanoTime();
                Measure.waitFor(() -> bench.count("SELECT last_seq FROM uptime_rollup") >= last, 600);
                r.put("rollupCatchUpS", Measure.round((System.nanoTime() - from) / 1e9));
            }
            Measure.log("uptime run rollup=%s: %s", on, r.encode());
            runs.add(r);
        }
        out.put("runs", runs);
        out.put("costRatio", ratio(runs, "costUsPerChange"));
        out.put("p99Ratio", ratio(runs, "p99Ms"));
        bench.results.put("uptime", out);
        Measure.log("uptime: %s", out.encode());
        service.destroy();
        service.waitFor(30, TimeUnit.SECONDS);
    }

    /** The bulk load, then each report timed three times. */
    private JsonObject reports() throws Exception {
        YearMonth month = YearMonth.now(ZoneOffset.UTC).minusMonths(1);
        long yearStart = month.minusMonths(11).atDay(1).atStartOfDay().toEpochSecond(ZoneOffset.UTC);
        long monthStart = month.atDay(1).atStartOfDay().toEpochSecond(ZoneOffset.UTC);
        long monthEnd = month.plusMonths(1).atDay(1).atStartOfDay().toEpochSecond(ZoneOffset.UTC);
        int sites = CHARGERS / 10;
        long loadStart = System.nanoTime();
        bench.execute("INSERT INTO sites (id, account_id, name, timezone) SELECT 'up-' || g, 'bench', 'Site ' || g,"
                + " 'UTC' FROM generate_series(0, " + (sites - 1) + ") g ON CONFLICT DO NOTHING");
        bench.execute("INSERT INTO chargers (id, account_id, site_id, secured, status) SELECT 'U-' || g, 'bench',"
                + " 'up-' || (g % " + sites + "), false, 'Available' FROM generate_series(1, " + CHARGERS + ") g"
                + " ON CONFLICT DO NOTHING");
        // Each lifetime commissioned a year and a month ago, both ports reported then, nothing open now.
        long commissioned = yearStart - 31L * 86_400;
        bench.execute("INSERT INTO uptime_lifetimes (charger_id, after_seq, account_id, state) SELECT 'U-' || g, 0,"
                + " 'bench', jsonb_build_array(jsonb_build_array('Available', NULL, NULL, jsonb_build_array("
                + "jsonb_build_array(1, 'Available', 'Available', ''), jsonb_build_array(2, 'Available',"
                + " 'Available', ''))), " + commissioned + ", " + commissioned + ", jsonb_build_array("
                + "jsonb_build_array(1, " + commissioned + "), jsonb_build_array(2, " + commissioned + ")),"
                + " '[]'::jsonb, '[]'::jsonb) FROM generate_series(1, " + CHARGERS + ") g ON CONFLICT DO NOTHING");
        bench.execute("INSERT INTO port_downs (charger_id, after_seq, connector_id, start_s, end_s, status, fault_code,"
                + " account_id) SELECT 'U-' || g, 0, p, s, s + 600 + (abs(hashtext(g || '-' || p || '-' || k)) % 7200),"
                + " CASE WHEN k % 3 = 0 THEN 'Offline' ELSE 'Faulted' END, CASE WHEN k % 3 = 0 THEN NULL ELSE"
                + " 'GroundFailure' END, 'bench' FROM generate_series(1, " + CHARGERS + ") g, generate_series(1, 2) p,"
                + " generate_series(0, " + (13 * OUTAGES_PER_MONTH - 1) + ") k, LATERAL (SELECT " + commissioned
                + " + k * " + (30L * 86_400 / OUTAGES_PER_MONTH) + " + (abs(hashtext(g || '/' || p || '/' || k))"
                + " % 1000000) AS s) t ON CONFLICT DO NOTHING");
        // A third of the chargers had a utility outage excluded each month.
        bench.execute("INSERT INTO outage_exclusions (id, account_id, charger_id, from_ts, to_ts, reason)"
                + " SELECT 'ex-' || g || '-' || m, 'bench', 'U-' || g, to_timestamp(" + yearStart + " + m * 2592000),"
                + " to_timestamp(" + yearStart + " + m * 2592000 + 86400), 'utility' FROM generate_series(1, "
                + CHARGERS + ", 3) g, generate_series(0, 11) m ON CONFLICT DO NOTHING");
        bench.execute("UPDATE uptime_rollup SET last_seq = (SELECT last_seq FROM event_counter)");
        bench.execute("ANALYZE");
        double loadS = Measure.round((System.nanoTime() - loadStart) / 1e9);
        long stretches = bench.count("SELECT count(*) FROM port_downs WHERE account_id = 'bench'");
        JsonArray nevi = new JsonArray();
        JsonArray outages = new JsonArray();
        // Five passes: the first after the service started runs before the JIT has compiled the reports' code.
        for (int i = 0; i < 5; i++) {
            nevi.add(timed("/api/v1/uptime/nevi?accountId=bench&month=" + month));
            outages.add(timed("/api/v1/outages?accountId=bench&from="
                    + java.time.Instant.ofEpochSecond(monthStart) + "&to="
                    + java.time.Instant.ofEpochSecond(monthEnd)));
        }
        JsonObject r = new JsonObject()
                .put("chargers", CHARGERS)
                .put("ports", CHARGERS * 2)
                .put("stretches", stretches)
                .put("loadS", loadS)
                .put("month", month.toString())
                .put("nevi", nevi)
                .put("outages", outages);
        Measure.log("uptime reports: %s", r.encode());
        return r;
    }

    private JsonObject timed(String path) throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .header("Authorization", "Bearer " + Bench.TOKEN)
                        .timeout(java.time.Duration.ofMinutes(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        double seconds = Measure.round((System.nanoTime() - start) / 1e9);
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + ": " + r.statusCode() + " " + r.body());
        }
        return new JsonObject().put("seconds", seconds).put("bytes", r.body().length());
    }

    private static double ratio(JsonArray runs, String figure) {
        return Measure.ratio(runs, figure, r -> r.getBoolean("rollup"), r -> !r.getBoolean("rollup"));
    }

    static String markdown(JsonObject u) {
        StringBuilder b = new StringBuilder("Uptime reports and the roll-up:\n\n");
        JsonObject r = u.getJsonObject("reports");
        if (r != null) {
            b.append("A year of outages for ")
                    .append(r.getInteger("chargers"))
                    .append(" chargers (")
                    .append(r.getInteger("ports"))
                    .append(" ports, ")
                    .append(r.getLong("stretches"))
                    .append(" stretches, bulk-loaded in ")
                    .append(r.getDouble("loadS"))
                    .append(" s): `/uptime/nevi` ")
                    .append(seconds(r.getJsonArray("nevi")))
                    .append(" s, `/outages` for ")
                    .append(r.getString("month"))
                    .append(' ')
                    .append(seconds(r.getJsonArray("outages")))
                    .append(" s.\n\n");
        }
        b.append(
                "| run | roll-up | changes/s | p99 ms | service µs/change | PostgreSQL µs/change | roll-up catch-up s |\n"
                        + "|---|---|---|---|---|---|---|\n");
        int i = 1;
        for (Object o : u.getJsonArray("runs")) {
            JsonObject run = (JsonObject) o;
            b.append(Report.row(
                    i++,
                    run.getBoolean("rollup") ? "on" : "off",
                    run.getDouble("perSecond"),
                    run.getDouble("p99Ms"),
                    run.getDouble("serviceCpuUsPerChange"),
                    run.getDouble("postgresCpuUsPerChange"),
                    run.containsKey("rollupCatchUpS") ? run.getDouble("rollupCatchUpS") : "—"));
        }
        b.append("\nCost per change ratio ")
                .append(u.getDouble("costRatio"))
                .append(", p99 ratio ")
                .append(u.getDouble("p99Ratio"))
                .append(".\n");
        return b.toString();
    }

    private static String seconds(JsonArray passes) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < passes.size(); i++) {
            s.append(i == 0 ? "" : " / ").append(passes.getJsonObject(i).getDouble("seconds"));
        }
        return s.toString();
    }
}
