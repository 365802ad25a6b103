package io.chargerstatus.sim;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays many OCPP 1.6J chargers against a charger-status service (or any central system): the load
 * generator of the benchmark and the chargers of the demo. Chargers are spread over the event loops and,
 * with {@code --source-ips}, over several local addresses, each of which has its own ephemeral ports.
 */
public final class Simulator {
    private static final Logger LOG = LoggerFactory.getLogger(Simulator.class);

    private final Vertx vertx;
    private final SimOptions options;
    private final SimStats stats = new SimStats();
    private final List<SimCharger> chargers = new ArrayList<>();
    private final List<WebSocketClient> clients = new ArrayList<>();
    private long tick;
    private long driver;

    public Simulator(Vertx vertx, SimOptions options) {
        this.vertx = vertx;
        this.options = options;
        for (int n = 1; n <= options.chargers(); n++) {
            chargers.add(
                    new SimCharger(vertx, options.chargerId(n), options.connectors(), stats, options.speaks201(n)));
        }
    }

    public SimStats stats() {
        return stats;
    }

    /**
     * Plays the chargers of {@code options} until --duration has passed (or forever). Prints one JSON line after
     * the ramp and one at the end ({@link SimStats#summary}, the latter with {@code ratePerSecond}: acknowledged
     * status changes per second after the ramp); progress lines in between unless --quiet.
     */
    public static void run(SimOptions options) throws Exception {
        Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
        Simulator sim = new Simulator(vertx, options);
        if (options.registerOnly()) {
            sim.register().toCompletionStage().toCompletableFuture().join();
            System.out.println("registered " + options.chargers() + " chargers");
            vertx.close();
            return;
        }
        long started = System.currentTimeMillis();
        sim.start().toCompletionStage().toCompletableFuture().join();
        System.out.println(sim.stats()
                .summary("ramp")
                .put("ms", System.currentTimeMillis() - started)
                .encode());
        long drivingFrom = System.currentTimeMillis();
        long ackedFrom = sim.stats().statusAcked();
        long end = options.durationS() > 0 ? System.currentTimeMillis() + options.durationS() * 1000L : Long.MAX_VALUE;
        while (System.currentTimeMillis() < end) {
            Thread.sleep(Math.min(5000, Math.max(1, end - System.currentTimeMillis())));
            if (!options.quiet()) {
                System.out.println(sim.stats());
            }
        }
        double seconds = (System.currentTimeMillis() - drivingFrom) / 1000.0;
        double rate = (sim.stats().statusAcked() - ackedFrom) / seconds;
        System.out.println(sim.stats()
                .summary("final")
                .put("ratePerSecond", Math.round(rate * 10) / 10.0)
                .encode());
        sim.stop().toCompletionStage().toCompletableFuture().join();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    /** Registers the chargers (when given an API and a token), connects and boots them at the ramp rate. */
    public Future<Void> start() {
        List<String> sources = options.sourceIps().isEmpty() ? List.of("") : options.sourceIps();
        for (String source : sources) {
            WebSocketClientOptions o = new WebSocketClientOptions()
                    .setMaxConnections(Integer.MAX_VALUE)
                    .setConnectTimeout(30_000);
            if (!source.isEmpty()) {
                o.setLocalAddress(source);
            }
            clients.add(vertx.createWebSocketClient(o));
        }
        for (int n = 0; n < chargers.size(); n++) {
            chargers.get(n).reconnectWith(clients.get(n % clients.size()), options.url());
        }
        return register().compose(v -> ramp()).onSuccess(v -> drive());
    }

    /** Closes one charger's session (it stays away): how the demo shows Offline. */
    public void disconnect(String chargerId) {
        chargers.stream().filter(c -> c.id.equals(chargerId)).forEach(c -> {
            c.reconnectWith(null, null);
            c.close();
        });
    }

    public Future<Void> stop() {
        vertx.cancelTimer(tick);
        vertx.cancelTimer(driver);
        chargers.forEach(SimCharger::close);
        return Future.succeededFuture();
    }

    /** Registers the chargers through the back-office API (needs --api and --token); existing ones are kept. */
    public Future<Void> register() {
        if (options.api() == null || options.token() == null) {
            return Future.succeededFuture();
        }
        URI api = URI.create(options.api());
        HttpClient http = vertx.createHttpClient(new HttpClientOptions()
                .setDefaultHost(api.getHost())
                .setDefaultPort(api.getPort())
                .setSsl("https".equals(api.getScheme()))
                .setTrustAll(true));
        Future<Void> account = post(
                http,
                "/api/v1/accounts",
                new JsonObject().put("id", options.account()).put("name", options.account()));
        return account.compose(v -> registerFrom(http, 0)).eventually(() -> http.close());
    }

    /** Registers chargers 64 at a time; an existing one (409) is fine. */
    private Future<Void> registerFrom(HttpClient http, int from) {
        if (from >= chargers.size()) {
            return Future.succeededFuture();
        }
        List<Future<Void>> batch = new ArrayList<>();
        for (int i = from; i < Math.min(chargers.size(), from + 64); i++) {
            batch.add(post(
                    http,
                    "/api/v1/chargers",
                    new JsonObject()
                            .put("id", chargers.get(i).id)
                            .put("accountId", options.account())
                            .put("name", "Simulated " + chargers.get(i).id)));
        }
        return Future.all(batch).compose(v -> registerFrom(http, from + 64));
    }

    private Future<Void> post(HttpClient http, String path, JsonObject body) {
        return http.request(new RequestOptions()
                        .setMethod(HttpMethod.POST)
                        .setURI(path)
                        .putHeader("Authorization", "Bearer " + options.token())
                        .putHeader("Content-Type", "application/json"))
                .compose(req -> req.send(body.toBuffer()))
                .compose(resp -> resp.body().map(b -> {
                    if (resp.statusCode() >= 300 && resp.statusCode() != 409) {
                        throw new IllegalStateException(path + " answered " + resp.statusCode() + ": " + b);
                    }
                    return null;
                }));
    }

    /** Opens {@code ramp} connections per second (in 10 ms slices); completes when every charger has booted or failed. */
    private Future<Void> ramp() {
        Promise<Void> done = Promise.promise();
        double perSlice = options.ramp() / 100.0;
        double[] credit = {0};
        int[] next = {0};
        int[] finished = {0};
        if (chargers.isEmpty()) {
            return Future.succeededFuture();
        }
        vertx.setPeriodic(10, id -> {
            credit[0] += perSlice;
            while (credit[0] >= 1 && next[0] < chargers.size()) {
                credit[0] -= 1;
                SimCharger c = chargers.get(next[0]);
                WebSocketClient client = clients.get(next[0] % clients.size());
                next[0]++;
                connect(c, client, 0).onComplete(ar -> {
                    if (++finished[0] == chargers.size()) {
                        done.tryComplete();
                    }
                });
            }
            if (next[0] >= chargers.size()) {
                vertx.cancelTimer(id);
            }
        });
        return done.future();
    }

    /**
     * Connects and boots a charger; a failed attempt (refused, timed out during a storm) is tried again after
     * 1 to 5 s, as a real charger does, up to {@link #CONNECT_ATTEMPTS} times.
     */
    private Future<Void> connect(SimCharger c, WebSocketClient client, int attempt) {
        return c.start(client, options.url(), options.heartbeatS()).recover(e -> {
            if (e instanceof UpgradeRejectedException r && (r.getStatus() == 404 || r.getStatus() == 401)) {
                // Retrying cannot help: say why once instead of ten attempts of warnings.
                System.err.println("charger " + c.id + ": the service answered HTTP " + r.getStatus()
                        + (r.getStatus() == 404
                                ? ": no charger with this id is registered (POST /api/v1/chargers, or --api and --token to register it)"
                                : ": its password is wrong or missing"));
                return Future.failedFuture(e);
            }
            if (attempt + 1 >= CONNECT_ATTEMPTS) {
                return Future.failedFuture(e);
            }
            c.close();
            Promise<Void> retried = Promise.promise();
            vertx.setTimer(
                    1000 + ThreadLocalRandom.current().nextInt(4000),
                    t -> connect(c, client, attempt + 1).onComplete(retried));
            return retried.future();
        });
    }

    private static final int CONNECT_ATTEMPTS = 10;

    /** One timer for heartbeats, one for status changes at --status-rate over all chargers. */
    private void drive() {
        tick = vertx.setPeriodic(1000, id -> {
            long now = System.currentTimeMillis();
            chargers.forEach(c -> c.tick(now));
        });
        if (options.statusRate() <= 0) {
            return;
        }
        double perSlice = options.statusRate() / 100.0;
        double[] credit = {0};
        driver = vertx.setPeriodic(10, id -> {
            credit[0] += perSlice;
            ThreadLocalRandom r = ThreadLocalRandom.current();
            int guard = 0;
            while (credit[0] >= 1 && guard++ < 100_000) {
                credit[0] -= 1;
                // A charger still waiting for its last answer is skipped for another, so that the rate asked
                // for is the rate sent as long as some charger is free.
                for (int attempt = 0;
                        attempt < 16
                                && !chargers.get(r.nextInt(chargers.size())).step(options.faultEvery());
                        attempt++) {
                    // try another
                }
            }
        });
    }
}
