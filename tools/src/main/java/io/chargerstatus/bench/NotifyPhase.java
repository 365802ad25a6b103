package io.chargerstatus.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code bench --phases notify}: what incidents and notifications cost, in one run.
 *
 * <ol>
 *   <li>The sustained phase alternately without notifications ({@code NOTIFICATIONS_ENABLED=false}) and with
 *       the evaluator and a {@code status.changed} subscription to a local receiver, then with a second
 *       subscriber that takes 5 s per answer: CPU per change (service + PostgreSQL) and p99 against the runs
 *       without, and the fast subscriber's delivery lag with and without the slow one.
 *   <li>A regional power cut: {@value #STORM} chargers in sites of about ten, connected, then their simulators
 *       killed at once: how long until their incidents open (beyond the debounce), grouped how, and how long
 *       until the receiver has them.
 * </ol>
 */
final class NotifyPhase {
    static final int STORM = 10_000;
    private static final int STORM_SITES = 1_000;
    private static final int STORM_DEBOUNCE_S = 30;

    private final Bench bench;
    private final String pgUrl;
    private final Vertx vertx = Vertx.vertx();
    private final HttpClient http = HttpClient.newHttpClient();
    private int port;

    NotifyPhase(Bench bench, String pgUrl) {
        this.bench = bench;
        this.pgUrl = pgUrl;
    }

    /** A webhook receiver on loopback, answering at once or after {@code delayMs}. */
    private final class Receiver {
        final AtomicLong statusCount = new AtomicLong();
        final AtomicLong lastSeq = new AtomicLong();
        final List<Double> lagsMs = Collections.synchronizedList(new ArrayList<>());
        final List<JsonObject> incidents = Collections.synchronizedList(new ArrayList<>());
        final HttpServer server;

        Receiver(long delayMs) throws Exception {
            server = vertx.createHttpServer()
                    .requestHandler(req -> req.body().onSuccess(body -> {
                        JsonObject m = new JsonObject(body);
                        Instant now = Instant.now();
                        JsonObject data = m.getJsonObject("data");
                        if ("status.changed".equals(m.getString("type"))) {
                            statusCount.incrementAndGet();
                            lastSeq.accumulateAndGet(data.getLong("seq"), Math::max);
                            lagsMs.add((double) Duration.between(Instant.parse(data.getString("receivedAt")), now)
                                    .toMillis());
                        } else if ("incident.opened".equals(m.getString("type"))) {
                            incidents.add(data.copy().put("arrivedAt", now.toString()));
                        }
                        if (delayMs > 0) {
                            vertx.setTimer(delayMs, t -> req.response().end());
                        } else {
                            req.response().end();
                        }
                    }))
                    .listen(0, "127.0.0.1")
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
        }

        String url() {
            return "http://127.0.0.1:" + server.actualPort() + "/hook";
        }

        void reset() {
            statusCount.set(0);
            lagsMs.clear();
            incidents.clear();
        }

        JsonObject lag() {
            return Measure.lags(lagsMs, "delivered", statusCount.get());
        }
    }

    void run() throws Exception {
        Receiver fast = new Receiver(0);
        Receiver slow = new Receiver(5000);
        int ocpp = Measure.freePort();
        port = Measure.freePort();
        Process service = bench.procs.startService(pgUrl, port, ocpp, settings(false));
        bench.procs.register("C", bench.sustainedChargers, port);
        // The sustained chargers go Offline after each run: no incidents for them in these runs.
        put(
                "/api/v1/accounts/bench/alerting",
                new JsonObject()
                        .put("offlineAfterS", 86_400)
                        .put("faultedAfterS", 86_400)
                        .put("unavailableAfterS", 86_400)
                        .put("flapping", new JsonObject().put("entries", 1000)));
        String ocppUrl = "ws://127.0.0.1:" + ocpp + "/ocpp";
        String[][] plan = {{"off", ""}, {"on", ""}, {"on", "fast"}, {"on", "fast+slow"}, {"off", ""}, {"on", "fast"}};
        JsonArray runs = new JsonArray();
        for (String[] step : plan) {
            boolean on = step[0].equals("on");
            service = restart(service, ocpp, on);
            fast.reset();
            slow.reset();
            if (step[1].contains("fast")) {
                subscribe(fast.url(), "status.changed");
                if (step[1].contains("slow")) {
                    subscribe(slow.url(), "status.changed");
                }
            }
            // A fresh JVM runs 20-50 % slower until the JIT has seen the load (every full run shows it): one run
            // to warm up, not counted, then the measured one.
            bench.sustained(service, port, ocppUrl, bench.rate, "C", "1.6", 1);
            long warm = bench.count("SELECT last_seq FROM event_counter");
            Measure.waitFor(() -> !step[1].contains("fast") || fast.lastSeq.get() >= warm, 600);
            fast.reset();
            slow.reset();
            JsonObject r = bench.sustained(service, port, ocppUrl, bench.rate, "C", "1.6", 1);
            r.put("notifications", step[0]).put("subscribers", step[1]);
            if (step[1].contains("fast")) {
                r.put("fastLagDuringRun", fast.lag());
                long last = bench.count("SELECT last_seq FROM event_counter");
                long caughtFrom = System.nanoTime();
                Measure.waitFor(() -> fast.lastSeq.get() >= last, 600);
                r.put("fastCatchUpS", Measure.round((System.nanoTime() - caughtFrom) / 1e9));
                r.put("fast", fast.lag());
                if (step[1].contains("slow")) {
                    r.put("slowDelivered", slow.statusCount.get());
                }
            }
            r.put(
                    "costUsPerChange",
                    Measure.round(r.getDouble("serviceCpuUsPerChange") + r.getDouble("postgresCpuUsPerChange")));
            Measure.log("notify run %s/%s: %s", step[0], step[1], r.encode());
            runs.add(r);
        }
        JsonObject out = new JsonObject().put("runs", runs);
        out.put("costRatio", ratio(runs, "costUsPerChange"));
        out.put("serviceCpuRatio", ratio(runs, "serviceCpuUsPerChange"));
        out.put("postgresCpuRatio", ratio(runs, "postgresCpuUsPerChange"));
        out.put("p99Ratio", ratio(runs, "p99Ms"));
        out.put("evaluatorOnlyCostRatio", evaluatorOnly(runs));
        bench.results.put("notify", out);
        out.put("storm", storm(service, ocpp, fast));
        service.destroy();
        service.waitFor(30, TimeUnit.SECONDS);
        vertx.close();
    }

    /**
     * The runs with notifications (one fast subscriber only) against those without, each averaged: the runs
     * alternate so that the machine's drift falls on both sides.
     */
    private static double ratio(JsonArray runs, String figure) {
        return Measure.ratio(
                runs,
                figure,
                r -> r.getString("notifications").equals("on")
                        && r.getString("subscribers").equals("fast"),
                r -> r.getString("notifications").equals("off"));
    }

    /** The run with the evaluator and no subscriber against the mean of the runs without notifications. */
    private static double evaluatorOnly(JsonArray runs) {
        double off = 0;
        int n = 0;
        double on = 0;
        for (Object o : runs) {
            JsonObject r = (JsonObject) o;
            if (r.getString("notifications").equals("off")) {
                off += r.getDouble("costUsPerChange");
                n++;
            } else if (r.getString("subscribers").isEmpty()) {
                on = r.getDouble("costUsPerChange");
            }
        }
        return Measure.round(on / (off / n));
    }

    private JsonObject storm(Process service, int ocpp, Receiver receiver) throws Exception {
        bench.execute("DELETE FROM webhooks");
        bench.procs.register("P", STORM, port);
        bench.execute("INSERT INTO sites (id, account_id, name, timezone) SELECT 'site-' || g, 'bench', 'Site ' || g,"
                + " 'UTC' FROM generate_series(0, " + (STORM_SITES - 1) + ") g ON CONFLICT DO NOTHING");
        bench.execute("UPDATE chargers SET site_id = 'site-' || (abs(hashtext(id)) % " + STORM_SITES + ")"
                + " WHERE id LIKE 'P-%'");
        put(
                "/api/v1/accounts/bench/alerting",
                new JsonObject()
                        .put("offlineAfterS", STORM_DEBOUNCE_S)
                        .put("flapping", new JsonObject().put("entries", 1000)));
        service = restart(service, ocpp, true); // the chargers' sites read afresh
        receiver.reset();
        subscribe(receiver.url(), "incident.opened");
        List<Process> sims = bench.procs.simulators(
                "P",
                STORM,
                "ws://127.0.0.1:" + ocpp + "/ocpp",
                List.of("--status-rate", "0", "--heartbeat", "60", "--ramp", "2000", "--duration", "900"),
                2);
        Measure.waitFor(() -> Measure.metric(port, "charger_status_ocpp_connected_chargers") >= STORM, 300);
        long offlineBefore = bench.count("SELECT count(*) FROM chargers WHERE status = 'Offline'");
        Instant cut = Instant.now();
        sims.forEach(Process::destroyForcibly); // the power cut: every session ends at once
        Measure.waitFor(
                () -> bench.count("SELECT count(*) FROM chargers WHERE status = 'Offline'") >= offlineBefore + STORM,
                300);
        double allOfflineS = Measure.round(Duration.between(cut, Instant.now()).toMillis() / 1000.0);
        Measure.waitFor(() -> covered(receiver) >= STORM, 300);
        double deliveredS = Measure.round(Duration.between(cut, Instant.now()).toMillis() / 1000.0);
        double beyondDebounce = 0;
        double afterOpened = 0;
        Map<String, Integer> kinds = new HashMap<>();
        synchronized (receiver.incidents) {
            for (JsonObject i : receiver.incidents) {
                kinds.merge(i.getString("kind"), 1, Integer::sum);
                Instant started = Instant.parse(i.getString("startedAt"));
                Instant opened = Instant.parse(i.getString("openedAt"));
                Instant arrived = Instant.parse(i.getString("arrivedAt"));
                beyondDebounce = Math.max(
                        beyondDebounce, Duration.between(started, opened).toMillis() / 1000.0 - STORM_DEBOUNCE_S);
                afterOpened =
                        Math.max(afterOpened, Duration.between(opened, arrived).toMillis() / 1000.0);
            }
        }
        JsonObject storm = new JsonObject()
                .put("chargers", STORM)
                .put("sites", STORM_SITES)
                .put("debounceS", STORM_DEBOUNCE_S)
                .put("allOfflineRecordedS", allOfflineS)
                .put("incidentsByKind", new JsonObject(new HashMap<>(kinds)))
                .put("chargersCovered", covered(receiver))
                .put("maxOpenedBeyondDebounceS", Measure.round(beyondDebounce))
                .put("maxDeliveredAfterOpenedS", Measure.round(afterOpened))
                .put("lastDeliveredAfterCutS", deliveredS);
        Measure.log("notify storm: %s", storm.encode());
        return storm;
    }

    /** How many chargers the incident.opened messages received name (SiteOffline ones list theirs). */
    private static long covered(Receiver receiver) {
        long n = 0;
        synchronized (receiver.incidents) {
            for (JsonObject i : receiver.incidents) {
                n += i.getJsonArray("chargers") == null
                        ? 1
                        : i.getJsonArray("chargers").size();
            }
        }
        return n;
    }

    /**
     * A fresh service process with notifications on or off. Between the two, the evaluator's cursor is moved to
     * the present and the subscriptions dropped, as if the evaluator had been running all along: otherwise a run
     * with notifications would first catch up with the history of the runs without.
     */
    private Process restart(Process service, int ocpp, boolean on) throws Exception {
        service.destroy();
        service.waitFor(60, TimeUnit.SECONDS);
        bench.execute("DELETE FROM webhooks");
        // What the evaluator followed of earlier runs (the sustained chargers Offline between runs) is dropped
        // with it: each run starts from a quiet fleet.
        bench.execute("DELETE FROM incident_watch");
        bench.execute("UPDATE incident_evaluator SET last_seq = (SELECT last_seq FROM event_counter), owner = NULL,"
                + " lease_until = NULL");
        return bench.procs.startService(pgUrl, port, ocpp, settings(on));
    }

    private static Map<String, String> settings(boolean on) {
        return Map.of("NOTIFICATIONS_ENABLED", String.valueOf(on), "WEBHOOK_ALLOW_PRIVATE", "true");
    }

    private void subscribe(String url, String event) throws Exception {
        send(
                "POST",
                "/api/v1/webhooks",
                new JsonObject().put("accountId", "bench").put("url", url).put("events", new JsonArray().add(event)));
    }

    private void put(String path, JsonObject body) throws Exception {
        send("PUT", path, body);
    }

    private void send(String method, String path, JsonObject body) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .header("Authorization", "Bearer " + Bench.TOKEN)
                        .header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(body.encode()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + path + ": " + r.statusCode() + " " + r.body());
        }
    }

    static String markdown(JsonObject n) {
        StringBuilder b = new StringBuilder(
                "Incidents and notifications (runs alternate; ratios are the runs with "
                        + "one status.changed subscriber over the runs without notifications):\n\n"
                        + "| run | notifications | subscribers | changes/s | p99 ms | service µs/change | PostgreSQL µs/change |"
                        + " fast lag p99 ms (run) | fast catch-up s | slow delivered |\n|---|---|---|---|---|---|---|---|---|---|\n");
        int i = 1;
        for (Object o : n.getJsonArray("runs")) {
            JsonObject r = (JsonObject) o;
            JsonObject lag = r.getJsonObject("fastLagDuringRun");
            b.append(Report.row(
                    i++,
                    r.getString("notifications"),
                    r.getString("subscribers").isEmpty() ? "—" : r.getString("subscribers"),
                    r.getDouble("perSecond"),
                    r.getDouble("p99Ms"),
                    r.getDouble("serviceCpuUsPerChange"),
                    r.getDouble("postgresCpuUsPerChange"),
                    lag == null ? "—" : lag.getDouble("lagP99Ms"),
                    r.containsKey("fastCatchUpS") ? r.getDouble("fastCatchUpS") : "—",
                    r.containsKey("slowDelivered") ? r.getLong("slowDelivered") : "—"));
        }
        b.append("\nCost per change (service + PostgreSQL CPU) ratio ")
                .append(n.getDouble("costRatio"))
                .append(" (service ")
                .append(n.getDouble("serviceCpuRatio"))
                .append(", PostgreSQL ")
                .append(n.getDouble("postgresCpuRatio"))
                .append("), p99 ratio ")
                .append(n.getDouble("p99Ratio"))
                .append("; the evaluator alone, no subscriber: cost ratio ")
                .append(n.getDouble("evaluatorOnlyCostRatio"))
                .append(".\n");
        JsonObject s = n.getJsonObject("storm");
        if (s != null) {
            b.append("\nPower cut: ")
                    .append(s.getInteger("chargers"))
                    .append(" chargers in ")
                    .append(s.getInteger("sites"))
                    .append(" sites cut at once; all Offline recorded in ")
                    .append(s.getDouble("allOfflineRecordedS"))
                    .append(" s; incidents ")
                    .append(s.getJsonObject("incidentsByKind").encode())
                    .append(" covering ")
                    .append(s.getLong("chargersCovered"))
                    .append(" chargers; opened at most ")
                    .append(s.getDouble("maxOpenedBeyondDebounceS"))
                    .append(" s after the ")
                    .append(s.getInteger("debounceS"))
                    .append(" s debounce; delivered at most ")
                    .append(s.getDouble("maxDeliveredAfterOpenedS"))
                    .append(" s after opening (last one ")
                    .append(s.getDouble("lastDeliveredAfterCutS"))
                    .append(" s after the cut).\n");
        }
        return b.toString();
    }
}
