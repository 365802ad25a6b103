package io.chargerstatus.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code bench --phases roaming}: what publishing to roaming partners costs, in one run.
 *
 * <ol>
 *   <li>The sustained phase alternately without partners and with two registered partners whose Locations
 *       receivers (on loopback) answer at once: CPU per change (service + PostgreSQL) and p99 against the runs
 *       without, and each partner's lag (arrival of a PATCH against its change's commit time, the PATCH's
 *       {@code last_updated}).
 *   <li>{@value #LOCATION_CHARGERS} chargers (two ports each, ten per site): the time a partner takes to page
 *       through {@code GET /ocpi/2.2.1/locations} at the default page size.
 * </ol>
 *
 * The partners are registered by writing what the credentials handshake leaves behind (their rows and push
 * subscriptions) straight into the database: the handshake is tested end to end (OcpiIT), not timed here.
 */
final class RoamingPhase {
    static final int LOCATION_CHARGERS = 20_000;
    private static final int PER_SITE = 10;
    private static final String TOKEN = "bench-partner-token";

    private final Bench bench;
    private final String pgUrl;
    private final Vertx vertx = Vertx.vertx();
    private final HttpClient http = HttpClient.newHttpClient();
    private int port;

    RoamingPhase(Bench bench, String pgUrl) {
        this.bench = bench;
        this.pgUrl = pgUrl;
    }

    /** A partner's Locations receiver on loopback: counts PATCHes and their lag. */
    private final class Partner {
        final AtomicLong patches = new AtomicLong();
        final List<Double> lagsMs = Collections.synchronizedList(new ArrayList<>());
        final HttpServer server;

        Partner() throws Exception {
            server = vertx.createHttpServer()
                    .requestHandler(req -> req.body().onSuccess(body -> {
                        Instant now = Instant.now();
                        if ("PATCH".equals(req.method().name())) {
                            patches.incrementAndGet();
                            String at = new JsonObject(body).getString("last_updated");
                            lagsMs.add((double)
                                    Duration.between(Instant.parse(at), now).toMillis());
                        }
                        req.response()
                                .putHeader("Content-Type", "application/json")
                                .end("{\"status_code\":1000,\"timestamp\":\"" + now + "\"}");
                    }))
                    .listen(0, "127.0.0.1")
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
        }

        String url() {
            return "http://127.0.0.1:" + server.actualPort() + "/ocpi/emsp/2.2.1/locations";
        }

        void reset() {
            patches.set(0);
            lagsMs.clear();
        }

        JsonObject lag() {
            return Measure.lags(lagsMs, "patches", patches.get());
        }
    }

    void run() throws Exception {
        List<Partner> partners = List.of(new Partner(), new Partner());
        int ocpp = Measure.freePort();
        port = Measure.freePort();
        Process service = bench.procs.startService(pgUrl, port, ocpp, settings());
        bench.procs.register("C", bench.sustainedChargers, port);
        publish("C-%");
        for (int i = 0; i < partners.size(); i++) {
            bench.execute("INSERT INTO ocpi_parties (id, account_id, name, state, incoming_hash, outgoing_token,"
                    + " locations_url, country_code, party_id, registered_at) VALUES ('bench-" + i + "', 'bench',"
                    + " 'partner " + i + "', 'registered', encode(sha256(convert_to('" + TOKEN + i + "', 'UTF8')),"
                    + " 'hex'), 'out-" + i + "', '" + partners.get(i).url() + "', 'DE', 'EM" + i + "', now())");
        }
        String ocppUrl = "ws://127.0.0.1:" + ocpp + "/ocpp";
        JsonArray runs = new JsonArray();
        for (boolean on : new boolean[] {false, true, false, true}) {
            service.destroy();
            service.waitFor(60, TimeUnit.SECONDS);
            bench.execute("DELETE FROM webhooks");
            if (on) {
                // Registered now: owed what happens from here on, as a partner that just registered.
                bench.execute("INSERT INTO webhooks (id, account_id, url, events, secret, status_seq, incident_seq)"
                        + " SELECT 'ocpi_' || id, account_id, 'ocpi:' || id, ARRAY['status.changed'], '',"
                        + " (SELECT last_seq FROM event_counter), (SELECT coalesce(max(id), 0) FROM ocpi_changes)"
                        + " FROM ocpi_parties");
            }
            service = bench.procs.startService(pgUrl, port, ocpp, settings());
            // One run to warm the JIT up, not counted (as the other phases do), then the measured one.
            bench.sustained(service, port, ocppUrl, bench.rate, "C", "1.6", 1);
            caughtUp(on);
            partners.forEach(Partner::reset);
            JsonObject r = bench.sustained(service, port, ocppUrl, bench.rate, "C", "1.6", 1);
            r.put("partners", on ? partners.size() : 0);
            if (on) {
                long caughtFrom = System.nanoTime();
                caughtUp(true);
                r.put("catchUpS", Measure.round((System.nanoTime() - caughtFrom) / 1e9));
                JsonArray lags = new JsonArray();
                partners.forEach(p -> lags.add(p.lag()));
                r.put("partnerLag", lags);
            }
            r.put(
                    "costUsPerChange",
                    Measure.round(r.getDouble("serviceCpuUsPerChange") + r.getDouble("postgresCpuUsPerChange")));
            Measure.log("roaming run partners=%s: %s", on ? "2" : "0", r.encode());
            runs.add(r);
        }
        JsonObject out = new JsonObject().put("runs", runs);
        out.put("costRatio", ratio(runs, "costUsPerChange"));
        out.put("p99Ratio", ratio(runs, "p99Ms"));
        double worstLag = 0;
        for (Object o : runs) {
            JsonArray lags = ((JsonObject) o).getJsonArray("partnerLag");
            for (int i = 0; lags != null && i < lags.size(); i++) {
                worstLag = Math.max(worstLag, lags.getJsonObject(i).getDouble("lagP99Ms"));
            }
        }
        out.put("worstLagP99Ms", worstLag);
        out.put("paging", paging());
        bench.results.put("roaming", out);
        Measure.log("roaming: %s", out.encode());
        service.destroy();
        service.waitFor(30, TimeUnit.SECONDS);
        vertx.close();
    }

    /** Waits until every partner's cursor has passed the history's end (or no partner is registered). */
    private void caughtUp(boolean on) throws Exception {
        if (!on) {
            return;
        }
        long last = bench.count("SELECT last_seq FROM event_counter");
        Measure.waitFor(
                () -> bench.count("SELECT coalesce(min(status_seq), 0) FROM webhooks WHERE url LIKE 'ocpi:%'") >= last
                        || bench.count("SELECT max(seq) FROM status_events WHERE account_id = 'bench'")
                                <= bench.count("SELECT coalesce(min(status_seq), 0) FROM webhooks"),
                600);
    }

    /** The account's OCPI identity, sites of ten chargers with an address, two ports each with their data. */
    private void publish(String chargers) throws Exception {
        bench.execute("UPDATE accounts SET ocpi_country_code = 'NL', ocpi_party_id = 'BEN' WHERE id = 'bench'");
        int sites = (LOCATION_CHARGERS + PER_SITE - 1) / PER_SITE;
        bench.execute(
                "INSERT INTO sites (id, account_id, name, timezone, address, city, postal_code, country, latitude,"
                        + " longitude) SELECT 'loc-' || g, 'bench', 'Site ' || g, 'Europe/Amsterdam', 'Street ' || g,"
                        + " 'Utrecht', '3511AB', 'NLD', '52.09074', '5.12142' FROM generate_series(0, " + (sites - 1)
                        + ") g ON CONFLICT DO NOTHING");
        bench.execute("UPDATE chargers SET site_id = 'loc-' || (abs(hashtext(id)) % " + sites + ") WHERE id LIKE '"
                + chargers + "'");
        bench.execute("INSERT INTO port_static (charger_id, connector_id, standard, format, power_type, max_voltage,"
                + " max_amperage, max_electric_power, updated_at) SELECT c.id, n, 'IEC_62196_T2', 'SOCKET',"
                + " 'AC_3_PHASE', 400, 32, 22000, now() FROM chargers c, generate_series(1, 2) n WHERE c.id LIKE '"
                + chargers + "' ON CONFLICT DO NOTHING");
    }

    /** All locations of {@value #LOCATION_CHARGERS} chargers, page after page as a partner reads them. */
    private JsonObject paging() throws Exception {
        long have = bench.count("SELECT count(*) FROM chargers WHERE account_id = 'bench'");
        if (have < LOCATION_CHARGERS) {
            bench.execute("INSERT INTO chargers (id, account_id, secured) SELECT 'L-' || g, 'bench', false FROM"
                    + " generate_series(1, " + (LOCATION_CHARGERS - have) + ") g ON CONFLICT DO NOTHING");
        }
        publish("L-%");
        bench.execute("ANALYZE");
        String auth = "Token " + Base64.getEncoder().encodeToString((TOKEN + 0).getBytes(StandardCharsets.UTF_8));
        JsonArray passes = new JsonArray();
        for (int pass = 0; pass < 3; pass++) {
            String next = "http://127.0.0.1:" + port + "/ocpi/2.2.1/locations";
            int pages = 0;
            long locations = 0;
            long evses = 0;
            long start = System.nanoTime();
            while (next != null) {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(URI.create(next))
                                .header("Authorization", auth)
                                .header("X-Request-ID", "bench-" + pages)
                                .header("X-Correlation-ID", "bench-" + pass)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    throw new IllegalStateException("GET " + next + ": " + r.statusCode() + " " + r.body());
                }
                JsonArray data = new JsonObject(r.body()).getJsonArray("data");
                locations += data.size();
                for (Object l : data) {
                    evses += ((JsonObject) l).getJsonArray("evses").size();
                }
                pages++;
                String link = r.headers().firstValue("Link").orElse(null);
                next = link == null ? null : link.substring(link.indexOf('<') + 1, link.indexOf('>'));
            }
            double seconds = Measure.round((System.nanoTime() - start) / 1e9);
            passes.add(new JsonObject()
                    .put("pages", pages)
                    .put("locations", locations)
                    .put("evses", evses)
                    .put("seconds", seconds));
        }
        JsonObject out = new JsonObject()
                .put("chargers", bench.count("SELECT count(*) FROM chargers WHERE account_id = 'bench'"))
                .put("passes", passes);
        Measure.log("roaming paging: %s", out.encode());
        return out;
    }

    private static double ratio(JsonArray runs, String figure) {
        return Measure.ratio(runs, figure, r -> r.getInteger("partners") > 0, r -> r.getInteger("partners") == 0);
    }

    private static Map<String, String> settings() {
        return Map.of("WEBHOOK_ALLOW_PRIVATE", "true");
    }

    static String markdown(JsonObject n) {
        StringBuilder b = new StringBuilder(
                "Roaming (runs alternate; ratios are the runs with two partners over the"
                        + " runs without):\n\n| run | partners | changes/s | p99 ms | service µs/change | PostgreSQL µs/change |"
                        + " PATCHes (each partner) | lag p99 ms (each partner) | catch-up s |\n|---|---|---|---|---|---|---|---|---|\n");
        int i = 1;
        for (Object o : n.getJsonArray("runs")) {
            JsonObject r = (JsonObject) o;
            JsonArray lags = r.getJsonArray("partnerLag");
            StringBuilder patches = new StringBuilder();
            StringBuilder p99 = new StringBuilder();
            for (int k = 0; lags != null && k < lags.size(); k++) {
                patches.append(k == 0 ? "" : " / ").append(lags.getJsonObject(k).getLong("patches"));
                p99.append(k == 0 ? "" : " / ").append(lags.getJsonObject(k).getDouble("lagP99Ms"));
            }
            b.append(Report.row(
                    i++,
                    r.getInteger("partners"),
                    r.getDouble("perSecond"),
                    r.getDouble("p99Ms"),
                    r.getDouble("serviceCpuUsPerChange"),
                    r.getDouble("postgresCpuUsPerChange"),
                    lags == null ? "—" : patches,
                    lags == null ? "—" : p99,
                    r.containsKey("catchUpS") ? r.getDouble("catchUpS") : "—"));
        }
        b.append("\nCost per change ratio ")
                .append(n.getDouble("costRatio"))
                .append(", p99 ratio ")
                .append(n.getDouble("p99Ratio"))
                .append(", worst partner lag p99 ")
                .append(n.getDouble("worstLagP99Ms"))
                .append(" ms.\n");
        JsonObject p = n.getJsonObject("paging");
        if (p != null) {
            b.append("\nPaging through the Locations of ")
                    .append(p.getLong("chargers"))
                    .append(" chargers (default page size): ");
            JsonArray passes = p.getJsonArray("passes");
            for (int k = 0; k < passes.size(); k++) {
                JsonObject pass = passes.getJsonObject(k);
                b.append(k == 0 ? "" : "; ")
                        .append(pass.getInteger("pages"))
                        .append(" pages, ")
                        .append(pass.getLong("locations"))
                        .append(" locations, ")
                        .append(pass.getLong("evses"))
                        .append(" EVSEs in ")
                        .append(pass.getDouble("seconds"))
                        .append(" s");
            }
            b.append(".\n");
        }
        return b.toString();
    }
}
