package io.chargerstatus;

import io.chargerstatus.api.HttpVerticle;
import io.chargerstatus.bus.Bus;
import io.chargerstatus.engine.HistoryMaintenance;
import io.chargerstatus.engine.StatusEngine;
import io.chargerstatus.incident.IncidentEvaluator;
import io.chargerstatus.infra.Config;
import io.chargerstatus.infra.Membership;
import io.chargerstatus.infra.Metrics;
import io.chargerstatus.notify.Deliverer;
import io.chargerstatus.ocpp.ChargerLogins;
import io.chargerstatus.ocpp.OcppVerticle;
import io.chargerstatus.roaming.OcpiChannel;
import io.chargerstatus.store.Database;
import io.chargerstatus.store.Wiring;
import io.chargerstatus.uptime.UptimeRollup;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running instance: the database (migrated before anything else), then the status engine, the OCPP
 * verticles (one per core) and the HTTP verticle, in that order so that nothing accepts traffic before
 * what it depends on is up. {@link #stop} undeploys in the reverse order.
 */
public final class Service {
    private static final Logger LOG = LoggerFactory.getLogger(Service.class);

    private final Config config;
    private final Vertx vertx;
    private final Database database;
    private final Metrics metrics;
    private final AtomicBoolean ready = new AtomicBoolean();
    private String statusDeployment;
    private String ocppDeployment;
    private String httpDeployment;
    private String incidentDeployment;
    private String delivererDeployment;

    private Service(Config config, Vertx vertx, Database database, Metrics metrics) {
        this.config = config;
        this.vertx = vertx;
        this.database = database;
        this.metrics = metrics;
    }

    /** Opens the database (blocking: call from a plain thread) and deploys the verticles. */
    public static Future<Service> start(Config config, Clock clock) {
        portFree("HTTP_PORT", config.http().port());
        portFree("OCPP_PORT", config.ocpp().port());
        Database database = Database.open(
                config.database().pgUrl(),
                config.database().dataDir(),
                config.database().timeoutS());
        Metrics metrics = new Metrics();
        metrics.databaseUp(database.health()::up);
        new ClassLoaderMetrics().bindTo(metrics.registry());
        new JvmMemoryMetrics().bindTo(metrics.registry());
        new JvmGcMetrics().bindTo(metrics.registry());
        new JvmThreadMetrics().bindTo(metrics.registry());
        new ProcessorMetrics().bindTo(metrics.registry());
        new UptimeMetrics().bindTo(metrics.registry());
        MicrometerMetricsOptions metricsOptions = new MicrometerMetricsOptions()
                .setEnabled(true)
                .setJvmMetricsEnabled(false)
                // The service's only HTTP client is the webhooks': their own meters count them, and Vert.x's per
                // request meter look-ups were a measured share of the delivery's CPU (docs/performance.md).
                .addDisabledMetricsCategory(MetricsDomain.HTTP_CLIENT)
                .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true));
        VertxOptions options = new VertxOptions()
                .setMetricsOptions(metricsOptions)
                .setPreferNativeTransport(true)
                .setEventLoopPoolSize(eventLoops(config));
        VertxBuilder builder =
                Vertx.builder().with(options).withMetrics(new MicrometerMetricsFactory(metrics.registry()));
        HazelcastClusterManager manager = null;
        Future<Vertx> created;
        if (config.cluster().enabled()) {
            manager = Membership.manager(config.cluster(), config.ocpp().offlineAfterS());
            if (config.cluster().host() != null) {
                options.getEventBusOptions().setHost(config.cluster().host()); // a free port of its own
            }
            created = builder.withClusterManager(manager).buildClustered();
        } else {
            created = Future.succeededFuture(builder.build());
        }
        HazelcastClusterManager joined = manager;
        return created.recover(e -> {
                    database.close();
                    return Future.failedFuture(new IllegalStateException(
                            "cannot join the cluster " + config.cluster().members() + ": " + e.getMessage(), e));
                })
                .compose(vertx -> deploy(config, clock, database, metrics, vertx, joined));
    }

    /**
     * Event loops enough for every verticle instance to have one of its own. Vert.x gives each deployment (and a
     * few clients created while deploying) the next loop in turn; with its default of two per core the incident
     * evaluator shared the status engine's loop, the deliverer an OCPP verticle's and the uptime roll-up the HTTP
     * verticle's, so a burst of their work queued in front of commits, frames and SSE writes. With twice as many
     * loops as verticle instances each gets its own (EventLoopsIT), and the operating system shares the cores
     * between them instead. An idle loop costs a thread and no CPU.
     */
    static int eventLoops(Config config) {
        // the engine, the OCPP instances, HTTP, the evaluator, the deliverer, history maintenance, the roll-up
        int verticles = ocppInstances(config) + 6;
        return Math.max(VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE, 2 * verticles);
    }

    private static int ocppInstances(Config config) {
        return config.ocpp().instances() > 0
                ? config.ocpp().instances()
                : Runtime.getRuntime().availableProcessors();
    }

    private static Future<Service> deploy(
            Config config,
            Clock clock,
            Database database,
            Metrics metrics,
            Vertx vertx,
            HazelcastClusterManager manager) {
        Membership membership = manager == null ? Membership.alone() : Membership.of(manager);
        metrics.clusterMembers(() -> membership.members().size());
        // Hazelcast's thread tells the engine here; survivors sweep the chargers the member held.
        membership.onLeft(node -> vertx.eventBus().publish(Bus.MEMBER_LEFT, node, Bus.LOCAL));
        Bus.registerCodecs(vertx.eventBus());
        Service service = new Service(config, vertx, database, metrics);
        int ocppInstances = ocppInstances(config);
        // Whole microseconds, as PostgreSQL keeps them: an event streamed or sent live is the same text as the
        // same event read back from the history (a webhook message sent again has the body it had the first time).
        Wiring wiring = new Wiring(database, config, new Microseconds(clock), metrics, membership);
        ChargerLogins logins = new ChargerLogins(config.ocpp().passwordIterations());
        return vertx.deployVerticle(new StatusEngine(
                        wiring, config.engine(), config.database().timeoutS()))
                .compose(id -> {
                    service.statusDeployment = id;
                    return vertx.deployVerticle(
                            () -> new OcppVerticle(wiring, config.ocpp(), config.tls(), logins),
                            new DeploymentOptions().setInstances(ocppInstances));
                })
                .compose(id -> {
                    service.ocppDeployment = id;
                    return vertx.deployVerticle(new HttpVerticle(
                            wiring,
                            config.http(),
                            config.sse(),
                            config.ocpp(),
                            config.tls(),
                            config.notifications(),
                            config.roaming(),
                            service.ready::get));
                })
                .compose(id -> {
                    service.httpDeployment = id;
                    // After the HTTP side: incidents and deliveries take no traffic; their starts only set timers.
                    // NOTIFICATIONS_ENABLED=false: this instance neither evaluates nor delivers (the others of a
                    // cluster do; with none, subscriptions wait at their cursors).
                    return config.incidents().enabled()
                            ? vertx.deployVerticle(new IncidentEvaluator(wiring, config.incidents()))
                            : Future.succeededFuture((String) null);
                })
                .compose(id -> {
                    service.incidentDeployment = id;
                    return config.incidents().enabled()
                            ? vertx.deployVerticle(new Deliverer(
                                    wiring,
                                    config.notifications(),
                                    java.util.List.of(OcpiChannel.factory(
                                            v -> wiring.sql(v, 2),
                                            config.notifications(),
                                            config.roaming().pushWindow(),
                                            wiring.clock()))))
                            : Future.succeededFuture((String) null);
                })
                .compose(id -> {
                    service.delivererDeployment = id;
                    return vertx.deployVerticle(new HistoryMaintenance(wiring, config.history()));
                })
                .compose(id -> vertx.deployVerticle(new UptimeRollup(wiring, config.history())))
                .map(id -> {
                    service.ready.set(true);
                    // DB_POOL_SIZE/2 (at least 2) per verticle instance, plus the SSE replays' own 2: said once, in
                    // full.
                    int perVerticle = Math.max(2, config.database().poolSize() / 2);
                    LOG.info("charger-status ready: HTTP on " + config.http().port() + ", OCPP on "
                            + config.ocpp().port()
                            + " (" + ocppInstances + " OCPP verticles, "
                            + (vertx.isNativeTransportEnabled() ? "epoll" : "NIO") + " transport; "
                            + "up to " + ((ocppInstances + 2) * perVerticle + 2) + " PostgreSQL connections: "
                            + perVerticle
                            + " per verticle instance and 2 for SSE replays)");
                    return service;
                })
                .recover(e -> {
                    // Not from this callback: closing Vert.x waits for the event loop this runs on (it hung
                    // start-up when a port was taken). A plain thread tears down; the caller hears at once.
                    Thread teardown = new Thread(
                            () -> {
                                vertx.close()
                                        .toCompletionStage()
                                        .toCompletableFuture()
                                        .join();
                                database.close();
                            },
                            "failed-start-teardown");
                    teardown.start();
                    return Future.failedFuture(e);
                });
    }

    /**
     * Refuses at once, naming the setting, a port another process listens on: before the database is opened
     * and migrated, not after (a taken port was found only once everything else had started). A port taken
     * between this check and the listen still fails the start, later.
     */
    private static void portFree(String setting, int port) {
        if (port == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true); // a port in TIME_WAIT is free for the server too
            probe.bind(new InetSocketAddress(port));
        } catch (IOException e) {
            throw new IllegalStateException(setting + " " + port + " is in use by another process", null);
        }
    }

    public Config config() {
        return config;
    }

    public Vertx vertx() {
        return vertx;
    }

    public Metrics metrics() {
        return metrics;
    }

    /**
     * Stops taking work, closes charger sessions (close code 1001, so chargers reconnect), lets the status
     * engine commit what the sessions sent, ends the SSE streams, then closes Vert.x and the database.
     * Blocking: call it from a plain thread (shutdown hook, test), never from an event loop, because the
     * event loops it waits for are the ones it closes.
     */
    public void stop(Duration deadline) {
        ready.set(false);
        Future<Void> drained = undeploy(delivererDeployment)
                .compose(v -> undeploy(incidentDeployment))
                .compose(v -> undeploy(ocppDeployment))
                .compose(v -> flushFacts())
                .compose(v -> undeploy(httpDeployment))
                .compose(v -> undeploy(statusDeployment));
        try {
            drained.toCompletionStage().toCompletableFuture().get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warn("shutdown did not drain within " + deadline + ": " + e);
        }
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("Vert.x did not close cleanly: " + e);
        } finally {
            database.close();
        }
    }

    /**
     * Completes once every fact sent before it is committed: the engine answers a {@link Bus.Flush} when it
     * reaches the head of its queue.
     */
    private Future<Void> flushFacts() {
        return vertx.eventBus()
                .request(Bus.FACTS, new Bus.Flush(), Bus.LOCAL)
                .<Void>mapEmpty()
                .recover(e -> Future.succeededFuture());
    }

    private Future<Void> undeploy(String id) {
        return id == null ? Future.succeededFuture() : vertx.undeploy(id).recover(e -> Future.succeededFuture());
    }

    /**
     * A clock in whole microseconds (Clock.tick cannot be used: in Java 17 its millis() divides by zero for a
     * tick under a millisecond).
     */
    private static final class Microseconds extends Clock {
        private final Clock clock;

        Microseconds(Clock clock) {
            this.clock = clock;
        }

        @Override
        public Instant instant() {
            return clock.instant().truncatedTo(ChronoUnit.MICROS);
        }

        @Override
        public long millis() {
            return clock.millis();
        }

        @Override
        public ZoneId getZone() {
            return clock.getZone();
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return new Microseconds(clock.withZone(zone));
        }
    }
}
