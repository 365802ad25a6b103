package io.chargerstatus.bench;

import io.chargerstatus.store.HistoryPartitions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.Statement;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench --phases retention}: dropping a month of history under the sustained load (issue 23: under a
 * second, no stalled commits).
 *
 * <p>Four measured sustained runs, alternately without and with a drop: before a run with one, a month three
 * years back is made a partition of {@code status_events} and bulk-loaded with {@value #ROWS} rows; an eighth
 * of the way into the run's measured window the bench drops it with the statements of the service's own
 * history maintenance ({@link HistoryPartitions#dropStatements}: detach with a 500 ms lock timeout, drop, one
 * transaction). The bench runs them itself so that the drop falls inside the window; the service would run
 * them at its next maintenance after the month passed {@code HISTORY_RETENTION_DAYS}. Figures: the drop's
 * time, and the runs' charger-to-SSE p99, p99.9 and maximum, with against without.
 */
final class RetentionPhase {
    private static final int ROWS = 1_000_000;

    private final Bench bench;
    private final String pgUrl;

    RetentionPhase(Bench bench, String pgUrl) {
        this.bench = bench;
        this.pgUrl = pgUrl;
    }

    void run() throws Exception {
        int ocpp = Measure.freePort();
        int port = Measure.freePort();
        Process service = bench.procs.startService(pgUrl, port, ocpp, Map.of());
        bench.procs.register("C", bench.sustainedChargers, port);
        String url = "ws://127.0.0.1:" + ocpp + "/ocpp";
        bench.sustained(service, port, url, bench.rate, "C", "1.6", 1); // warm-up, not counted
        YearMonth month = YearMonth.now(ZoneOffset.UTC).minusYears(3);
        JsonArray runs = new JsonArray();
        for (boolean drop : new boolean[] {false, true, false, true}) {
            JsonObject r;
            if (drop) {
                String partition = HistoryPartitions.partition(month);
                double loadS = load(month, partition);
                r = bench.sustained(service, port, url, bench.rate, "C", "1.6", 1, () -> drop(partition));
                r.getJsonObject("during").put("rows", ROWS).put("loadS", loadS);
                month = month.plusMonths(1);
            } else {
                r = bench.sustained(service, port, url, bench.rate, "C", "1.6", 1);
            }
            r.put("drop", drop);
            Measure.log("retention run drop=%s: %s", drop, r.encode());
            runs.add(r);
        }
        JsonObject out = new JsonObject()
                .put("runs", runs)
                .put("p99Ratio", ratio(runs, "p99Ms"))
                .put("p999Ratio", ratio(runs, "p999Ms"))
                .put("maxRatio", ratio(runs, "maxMs"));
        bench.results.put("retention", out);
        Measure.log("retention: %s", out.encode());
        service.destroy();
        service.waitFor(30, TimeUnit.SECONDS);
    }

    /** A month as a partition of the history, filled in bulk (negative seqs: never replayed, never followed). */
    private double load(YearMonth month, String partition) throws Exception {
        long start = System.nanoTime();
        String from = month.atDay(1).atStartOfDay().atOffset(ZoneOffset.UTC).toString();
        String to = month.plusMonths(1)
                .atDay(1)
                .atStartOfDay()
                .atOffset(ZoneOffset.UTC)
                .toString();
        bench.execute("CREATE TABLE " + partition + " PARTITION OF status_events FOR VALUES FROM ('" + from + "') TO ('"
                + to + "')");
        bench.execute("INSERT INTO " + partition + " (seq, charger_id, account_id, status, connector_id,"
                + " connector_status, ts, received_at) SELECT -g, 'C-0-' || (g % 2000), 'bench', 'Charging', 1,"
                + " 'Charging', t, t FROM generate_series(1, " + ROWS + ") g, LATERAL (SELECT timestamptz '" + from
                + "' + (g % 2592000) * interval '1 second' AS t) x");
        bench.execute("ANALYZE " + partition);
        return Measure.round((System.nanoTime() - start) / 1e9);
    }

    private JsonObject drop(String partition) throws Exception {
        long start = System.nanoTime();
        try (Connection c = bench.connect()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                for (String statement : HistoryPartitions.dropStatements(partition)) {
                    s.execute(statement);
                }
            }
            c.commit();
        }
        return new JsonObject()
                .put("partition", partition)
                .put("dropMs", Measure.round((System.nanoTime() - start) / 1e6));
    }

    private static double ratio(JsonArray runs, String figure) {
        return Measure.ratio(runs, figure, r -> r.getBoolean("drop"), r -> !r.getBoolean("drop"));
    }

    static String markdown(JsonObject r) {
        StringBuilder b = new StringBuilder("Dropping a month of history under the sustained load:\n\n"
                + "| run | drop | changes/s | p99 ms | p99.9 ms | max ms | drop ms |\n|---|---|---|---|---|---|---|\n");
        int i = 1;
        for (Object o : r.getJsonArray("runs")) {
            JsonObject run = (JsonObject) o;
            JsonObject during = run.getJsonObject("during");
            b.append(Report.row(
                    i++,
                    run.getBoolean("drop") ? "yes" : "no",
                    run.getDouble("perSecond"),
                    run.getDouble("p99Ms"),
                    run.getDouble("p999Ms"),
                    run.getDouble("maxMs"),
                    during == null ? "—" : String.valueOf(during.getDouble("dropMs"))));
        }
        return b.append("\np99 ratio ")
                .append(r.getDouble("p99Ratio"))
                .append(", p99.9 ratio ")
                .append(r.getDouble("p999Ratio"))
                .append(", max ratio ")
                .append(r.getDouble("maxRatio"))
                .append(".\n")
                .toString();
    }
}
