package io.chargerstatus.api;

import io.chargerstatus.bus.Bus;
import io.chargerstatus.command.ChargerCalls;
import io.chargerstatus.command.CommandLog;
import io.chargerstatus.incident.IncidentStore;
import io.chargerstatus.infra.Config;
import io.chargerstatus.notify.WebhookStore;
import io.chargerstatus.roaming.OcpiClient;
import io.chargerstatus.roaming.Registrations;
import io.chargerstatus.roaming.RoamingStore;
import io.chargerstatus.status.Status;
import io.chargerstatus.store.EventHistory;
import io.chargerstatus.store.Sql;
import io.chargerstatus.store.Wiring;
import io.chargerstatus.uptime.UptimeStore;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CSPHandler;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.handler.XFrameHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The back-office HTTP side: the REST API (RestApi), the SSE stream (SseHub), health, /metrics, the OpenAPI
 * document and the dashboard's static files, one router on HTTP_PORT.
 */
public final class HttpVerticle extends VerticleBase {
    private final Wiring wiring;
    private final BooleanSupplier ready;
    private HttpServer server;
    private SseHub sse;
    private BackOffice backOffice;
    private long pingTimer;

    /** {@code ready} tells whether every verticle is deployed and the service is not draining. */
    private final Config.Http http;

    private final Config.Sse sseSettings;
    private final Config.Ocpp ocpp;
    private final Config.Tls tls;
    private final Config.Notify notify;
    private final Config.Roaming roaming;
    private OcpiClient ocpiClient;

    /** Its settings given here, read nowhere else; {@code ready}: whether the service is up and not draining. */
    public HttpVerticle(
            Wiring wiring,
            Config.Http http,
            Config.Sse sseSettings,
            Config.Ocpp ocpp,
            Config.Tls tls,
            Config.Notify notify,
            Config.Roaming roaming,
            BooleanSupplier ready) {
        this.notify = notify;
        this.roaming = roaming;
        this.wiring = wiring;
        this.http = http;
        this.sseSettings = sseSettings;
        this.ocpp = ocpp;
        this.tls = tls;
        this.ready = ready;
    }

    @Override
    public Future<?> start() {
        Sql.Access db = wiring.sql(vertx); // one pool for this verticle, shared by its stores
        backOffice = BackOffice.over(db);
        sse = new SseHub(
                vertx,
                new EventHistory(wiring.sql(vertx, 2)),
                wiring.metrics(),
                wiring.clock(),
                sseSettings.maxQueueBytes(),
                sseSettings.replayBufferMax());
        MessageConsumer<Bus.Batch> changes = vertx.eventBus().consumer(Bus.CHANGES, m -> sse.accept(m.body()));
        MessageConsumer<String> revoked = vertx.eventBus().consumer(Bus.TOKEN_REVOKED, m -> sse.revoked(m.body()));
        pingTimer = vertx.setPeriodic(sseSettings.pingS() * 1000L, t -> sse.ping());

        Router router = Router.router(vertx);
        // The dashboard loads only its own files (no inline script, no framing): vertx-web's handlers for the two
        // headers it has them for, the other two set below.
        router.route()
                .handler(CSPHandler.create()
                        .setDirective("default-src", "'self'")
                        .setDirective("img-src", "'self' data:")
                        .setDirective("object-src", "'none'")
                        .setDirective("base-uri", "'none'")
                        .setDirective("form-action", "'self'")
                        .setDirective("frame-ancestors", "'none'"));
        router.route().handler(XFrameHandler.create(XFrameHandler.DENY));
        router.route().handler(HttpVerticle::securityHeaders);
        if (http.corsOrigins() != null) {
            // Dashboards served from other origins; EventSource needs Last-Event-ID, the API Authorization.
            CorsHandler cors = CorsHandler.create()
                    .addOrigins(Arrays.stream(http.corsOrigins().split(","))
                            .map(String::trim)
                            .filter(o -> !o.isEmpty())
                            .toList())
                    .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PATCH, HttpMethod.DELETE))
                    .allowedHeaders(Set.of("Authorization", "Content-Type", "Last-Event-ID"));
            // The built-in dashboard's own requests carry an Origin too (POSTs do): its own origin is always allowed.
            router.route().handler(ctx -> {
                if (sameOrigin(ctx)) {
                    ctx.next();
                } else {
                    cors.handle(ctx);
                }
            });
        }
        // Failures outside /api/v1 (a refused CORS origin, a bad static path) get the same JSON errors.
        // The OCPI side answers its failures in OCPI envelopes (a sub-router's failures reach this handler).
        router.route().failureHandler(ctx -> {
            if (ctx.request().path().startsWith("/ocpi/")) {
                OcpiApi.failure(ctx);
            } else {
                Responses.failure(ctx);
            }
        });
        router.get("/health/live").handler(ctx -> ctx.json(new JsonObject().put("status", "UP")));
        // A probe's default timeout is 1 s: a hung database must turn readiness to 503 in about that, not in 30 s.
        // Readiness reads the database health the watchdog keeps (a probe a second, DB_TIMEOUT_S to answer):
        // it answers at once, so neither a hung database nor replays or a storm can make the probe time out.
        router.get("/health/ready").handler(ctx -> {
            boolean database = wiring.database().health().up();
            boolean cluster = wiring.membership().active();
            boolean up = database && cluster && ready.getAsBoolean();
            ctx.response().setStatusCode(up ? 200 : 503);
            ctx.json(new JsonObject()
                    .put("status", up ? "UP" : "DOWN")
                    .put("database", database ? "UP" : "DOWN")
                    .put("cluster", cluster ? "UP" : "DOWN")
                    .put("verticles", ready.getAsBoolean() ? "UP" : "DOWN"));
        });
        // The API's description, the same document the request bodies are checked against.
        // HEAD of the two documents tools probe (a scrape target check, a client generator): 200, headers only.
        router.head("/metrics")
                .handler(ctx -> ctx.response()
                        .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                        .end());
        router.head("/openapi.json")
                .handler(ctx -> ctx.response()
                        .putHeader("Content-Type", "application/json")
                        .end());
        router.get("/openapi.json")
                .handler(ctx -> ctx.response()
                        .putHeader("Content-Type", "application/json")
                        .sendFile("openapi.json"));
        // Chargers per status are counted in the database at each scrape: every instance of a cluster reports
        // the whole service's figures (the last ones read, while the database is away).
        Handler<RoutingContext> scrape =
                PrometheusScrapingHandler.create(wiring.metrics().registry());
        router.get("/metrics")
                .handler(ctx -> vertx.executeBlocking(
                                () -> {
                                    wiring.metrics().readProcess();
                                    return null;
                                },
                                false)
                        .transform(v -> backOffice.chargers().statusSummary(null))
                        .onComplete(ar -> {
                            if (ar.succeeded()) {
                                Map<Status, Integer> counts = new EnumMap<>(Status.class);
                                ar.result()
                                        .forEach(e -> counts.put(
                                                Status.valueOf(e.getKey()), ((Number) e.getValue()).intValue()));
                                wiring.metrics().chargersPerStatus(counts);
                            }
                            scrape.handle(ctx);
                        }));
        RoamingStore roamingStore = new RoamingStore(db);
        ocpiClient = new OcpiClient(vertx, notify.timeoutMs(), notify.allowPrivate());
        Registrations registrations = new Registrations(roamingStore, ocpiClient);
        OcpiApi ocpiApi = new OcpiApi(vertx, roamingStore, registrations, roaming, wiring.clock());
        ocpiApi.mount(router);
        new OpenData(ocpiApi, roamingStore, wiring.clock(), roaming.openDataPerMinute(), roaming.baseUrl())
                .mount(router);
        new RestApi(
                        vertx,
                        backOffice,
                        sse,
                        new ChargerCalls(vertx.eventBus(), new CommandLog(db), wiring.clock(), ocpp.callTimeoutS()),
                        new NotificationApi(
                                vertx,
                                backOffice.accounts(),
                                new IncidentStore(db),
                                new WebhookStore(db),
                                notify.allowPrivate()),
                        new UptimeApi(vertx, backOffice.accounts(), new UptimeStore(db), wiring.clock()),
                        new RoamingApi(roamingStore, registrations, roaming),
                        http.adminToken(),
                        ocpp.passwordIterations())
                .mount(router);
        // The dashboard: static files from the jar, after the API so that API calls never look for a file.
        router.route("/*")
                .method(HttpMethod.GET)
                .method(HttpMethod.HEAD)
                .handler(
                        StaticHandler.create("webroot").setCachingEnabled(false).setIndexPage("index.html"));

        HttpServerOptions options = new HttpServerOptions()
                .setPort(http.port())
                // No cleartext HTTP/2 upgrade (h2c): browsers never use it, and Java's HTTP client tries it on
                // every first request, which hung /metrics now and then in the tests. HTTP/2 stays on for TLS.
                .setHttp2ClearTextEnabled(false);
        if (tls.keyCertOptions() != null) {
            options.setSsl(true).setKeyCertOptions(tls.keyCertOptions());
        }
        server = vertx.createHttpServer(options).requestHandler(router);
        return Future.all(changes.completion(), revoked.completion())
                .compose(v -> sse.start())
                .compose(v -> server.listen());
    }

    /** Browsers never guess a content type, and no page of ours tells another site where it was linked from. */
    private static void securityHeaders(RoutingContext ctx) {
        ctx.response().headers().set("X-Content-Type-Options", "nosniff").set("Referrer-Policy", "no-referrer");
        ctx.next();
    }

    /** Whether the request's Origin is this server itself (the page it served calling back). */
    private static boolean sameOrigin(RoutingContext ctx) {
        String origin = ctx.request().getHeader("Origin");
        HostAndPort authority = ctx.request().authority();
        if (origin == null) {
            return true;
        }
        if (authority == null) {
            return false;
        }
        String self = ctx.request().scheme() + "://" + authority.host()
                + (authority.port() >= 0 ? ":" + authority.port() : "");
        return origin.equalsIgnoreCase(self);
    }

    @Override
    public Future<?> stop() {
        vertx.cancelTimer(pingTimer);
        sse.stop();
        ocpiClient.close();
        return sse.closeAll().compose(v -> server.close());
    }
}
