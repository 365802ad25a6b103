package io.chargerstatus.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench --phases notify}: what incidents and notifications cost, in one run.
 *
 * <ol>
 *   <li>The least a webhook POST costs its sender on this machine ({@link PostFloor}).
 *   <li>The sustained phase alternately without notifications ({@code NOTIFICATIONS_ENABLED=false}) and with
 *       the evaluator and a {@code status.changed} subscription to a local receiver, then with a second
 *       subscriber that takes 5 s per answer: CPU per change (service + PostgreSQL) and p99 against the runs
 *       without, and the fast subscriber's delivery lag with and without the slow one. Once at the bench's
 *       rate (this machine is saturated there) and once at half of it.
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

    /** One run of the plan: notifications on or off, which subscribers, the rate offered. */
    private record Step(String notifications, String subscribers, int rate) {}

    void run() throws Exception {
        WebhookReceiver fast = new WebhookReceiver(vertx, 0);
        WebhookReceiver slow = new WebhookReceiver(vertx, 5000);
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
        JsonObject floor = PostFloor.measure(fast.url());
        fast.reset();
        Measure.log("notify floor: %s", floor.encode());
        int half = bench.rate / 2;
        // At the bench's rate this machine is saturated without notifications already, and a p99 there is a
        // queue's; at half of it the machine has room without them (70 % busy in the 2026-12-07 runs).
        List<Step> plan = List.of(
                new Step("off", "", bench.rate),
                new Step("on", "", bench.rate),
                new Step("on", "fast", bench.rate),
                new Step("on", "fast+slow", bench.rate),
                new Step("off", "", bench.rate),
                new Step("on", "fast", bench.rate),
                new Step("off", "", half),
                new Step("on", "", half),
                new Step("on", "fast", half),
                new Step("off", "", half),
                new Step("on", "fast", half));
        JsonArray runs = new JsonArray();
        for (Step step : plan) {
            int rate = step.rate();
            boolean on = step.notifications().equals("on");
            service = restart(service, ocpp, on);
            fast.reset();
            slow.reset();
            if (step.subscribers().contains("fast")) {
                subscribe(fast.url(), "status.changed");
                if (step.subscribers().contains("slow")) {
                    subscribe(slow.url(), "status.changed");
                }
            }
            // A fresh JVM runs 20-50 % slower until the JIT has seen the load (every full run shows it): one run
            // to warm up, not counted, then the measured one.
            bench.sustained(service, port, ocppUrl, rate, "C", "1.6", 1);
            long warm = bench.count("SELECT last_seq FROM event_counter");
            Measure.waitFor(() -> !step.subscribers().contains("fast") || fast.lastSeq.get() >= warm, 600);
            fast.reset();
            slow.reset();
            JsonObject r = bench.sustained(service, port, ocppUrl, rate, "C", "1.6", 1);
            r.put("notifications", step.notifications()).put("subscribers", step.subscribers());
            if (step.subscribers().contains("fast")) {
                r.put("fastLagDuringRun", fast.lag());
                long last = bench.count("SELECT last_seq FROM event_counter");
                long caughtFrom = System.nanoTime();
                Measure.waitFor(() -> fast.lastSeq.get() >= last, 600);
                r.put("fastCatchUpS", Measure.round((System.nanoTime() - caughtFrom) / 1e9));
                r.put("fast", fast.lag());
                if (step.subscribers().contains("slow")) {
                    r.put("slowDelivered", slow.statusCount.get());
                }
            }
            r.put(
                    "costUsPerChange",
                    Measure.round(r.getDouble("serviceCpuUsPerChange") + r.getDouble("postgresCpuUsPerChange")));
            Measure.log("notify run %s/%s: %s", step.notifications(), step.subscribers(), r.encode());
            runs.add(r);
        }
        JsonObject out = new JsonObject().put("runs", runs).put("postFloor", floor);
        out.put("costRatio", ratio(runs, "costUsPerChange", bench.rate));
        out.put("serviceCpuRatio", ratio(runs, "serviceCpuUsPerChange", bench.rate));
        out.put("postgresCpuRatio", ratio(runs, "postgresCpuUsPerChange", bench.rate));
        out.put("p99Ratio", ratio(runs, "p99Ms", bench.rate));
        out.put("evaluatorOnlyCostRatio", ratio(runs, "costUsPerChange", bench.rate, ""));
        out.put(
                "halfRate",
                new JsonObject()
                        .put("perSecond", half)
                        .put("costRatio", ratio(runs, "costUsPerChange", half))
                        .put("serviceCpuRatio", ratio(runs, "serviceCpuUsPerChange", half))
                        .put("postgresCpuRatio", ratio(runs, "postgresCpuUsPerChange", half))
                        .put("p99Ratio", ratio(runs, "p99Ms", half))
                        .put("evaluatorOnlyCostRatio", ratio(runs, "costUsPerChange", half, ""))
                        .put("evaluatorOnlyP99Ratio", ratio(runs, "p99Ms", half, "")));
        double offCost = mean(runs, "costUsPerChange", bench.rate);
        floor.put("shareOfChange", Measure.round(floor.getDouble("clientCpuUsPerPost") / offCost));
        bench.results.put("notify", out);
        out.put("storm", storm(service, ocpp, fast));
        service.destroy();
        service.waitFor(30, TimeUnit.SECONDS);
        vertx.close();
    }

    /**
     * The runs with notifications and {@code subscribers} (the one fast subscriber; none: the evaluator alone)
     * against those without, each averaged: the runs alternate so that the machine's drift falls on both sides.
     */
    private static double ratio(JsonArray runs, String figure, int rate, String subscribers) {
        return Measure.ratio(
                runs,
                figure,
                r -> r.getInteger("targetPerSecond") == rate
                        && r.getString("notifications").equals("on")
                        && r.getString("subscribers").equals(subscribers),
                r -> r.getInteger("targetPerSecond") == rate
                        && r.getString("notifications").equals("off"));
    }

    private static double ratio(JsonArray runs, String figure, int rate) {
        return ratio(runs, figure, rate, "fast");
    }

    private static double mean(JsonArray runs, String figure, int rate) {
        return runs.stream()
                .map(o -> (JsonObject) o)
                .filter(r -> r.getInteger("targetPerSecond") == rate
                        && r.getString("notifications").equals("off"))
                .mapToDouble(r -> r.getDouble(figure))
                .average()
                .orElse(Double.NaN);
    }

    private JsonObject storm(Process service, int ocpp, WebhookReceiver receiver) throws Exception {
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
    private static long covered(WebhookReceiver receiver) {
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
        StringBuilder b = new StringBuilder("Incidents and notifications (runs alternate; ratios are the runs with "
                + "one status.changed subscriber over the runs without notifications):\n\n"
                + "| run | offered/s | notifications | subscribers | changes/s | machine busy | p99 ms |"
                + " service µs/change | PostgreSQL µs/change | fast lag p99 ms (run) | fast catch-up s |"
                + " slow delivered |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        int i = 1;
        for (Object o : n.getJsonArray("runs")) {
            JsonObject r = (JsonObject) o;
            JsonObject lag = r.getJsonObject("fastLagDuringRun");
            b.append(Report.row(
                    i++,
                    r.getInteger("targetPerSecond"),
                    r.getString("notifications"),
                    r.getString("subscribers").isEmpty() ? "—" : r.getString("subscribers"),
                    r.getDouble("perSecond"),
                    r.containsKey("machineBusy") ? r.getDouble("machineBusy") : "—",
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
        JsonObject half = n.getJsonObject("halfRate");
        if (half != null) {
            b.append("\nAt half the rate (")
                    .append(half.getInteger("perSecond"))
                    .append("/s offered; how busy the machine was is in the table): cost ratio ")
                    .append(half.getDouble("costRatio"))
                    .append(" (service ")
                    .append(half.getDouble("serviceCpuRatio"))
                    .append(", PostgreSQL ")
                    .append(half.getDouble("postgresCpuRatio"))
                    .append("), p99 ratio ")
                    .append(half.getDouble("p99Ratio"))
                    .append("; the evaluator alone: cost ratio ")
                    .append(half.getDouble("evaluatorOnlyCostRatio"))
                    .append(", p99 ratio ")
                    .append(half.getDouble("evaluatorOnlyP99Ratio"))
                    .append(".\n");
        }
        JsonObject floor = n.getJsonObject("postFloor");
        if (floor != null) {
            b.append("\nThe least one webhook POST costs its sender here (")
                    .append(floor.getInteger("posts"))
                    .append(" signed POSTs one at a time from a Vert.x client with nothing else to do, ")
                    .append(floor.getDouble("postsPerSecond"))
                    .append("/s): ")
                    .append(floor.getDouble("clientCpuUsPerPost"))
                    .append(" µs of its thread's CPU, ")
                    .append(floor.getDouble("shareOfChange"))
                    .append(" of a change's cost without notifications.\n");
        }
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
