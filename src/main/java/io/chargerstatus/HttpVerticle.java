package io.chargerstatus;

import io.chargerstatus.api.RestApi;
import io.chargerstatus.api.SseHub;
import io.chargerstatus.store.Store;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;

import java.util.Arrays;
import java.util.Set;
import java.util.function.BooleanSupplier;

/** The back-office HTTP side: REST API, SSE stream, health, wiring.metrics(). */
public final class HttpVerticle extends VerticleBase {
  private final Wiring wiring;
  private final BooleanSupplier ready;
  private HttpServer server;
  private SseHub sse;
  private Store store;
  private long pingTimer;

  /** {@code ready} tells whether every verticle is deployed and the service is not draining. */
  public HttpVerticle(Wiring wiring, BooleanSupplier ready) {
    this.wiring = wiring;
    this.ready = ready;
  }

  @Override
  public Future<?> start() {
    store = new Store(wiring.pool(vertx));
    sse = new SseHub(vertx, store, wiring.metrics(), wiring.clock(), wiring.config().sseMaxQueueBytes(), wiring.config().sseReplayBufferMax());
    MessageConsumer<Bus.Committed> changes = vertx.eventBus().consumer(Bus.CHANGES, m -> sse.publish(m.body()));
    pingTimer = vertx.setPeriodic(wiring.config().ssePingS() * 1000L, t -> sse.ping());

    Router router = Router.router(vertx);
    if (wiring.config().corsOrigins() != null) {
      // Dashboards served from other origins; EventSource needs Last-Event-ID, the API Authorization.
      router.route().handler(CorsHandler.create()
          .addOrigins(Arrays.stream(wiring.config().corsOrigins().split(",")).map(String::trim).filter(o -> !o.isEmpty()).toList())
          .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PATCH, HttpMethod.DELETE))
          .allowedHeaders(Set.of("Authorization", "Content-Type", "Last-Event-ID")));
    }
    router.get("/health/live").handler(ctx -> ctx.json(new JsonObject().put("status", "UP")));
    router.get("/health/ready").handler(ctx -> store.ping().onComplete(ar -> {
      boolean up = ar.succeeded() && ready.getAsBoolean();
      ctx.response().setStatusCode(up ? 200 : 503);
      ctx.json(new JsonObject().put("status", up ? "UP" : "DOWN")
          .put("database", ar.succeeded() ? "UP" : "DOWN")
          .put("verticles", ready.getAsBoolean() ? "UP" : "DOWN"));
    }));
    router.get("/metrics").handler(PrometheusScrapingHandler.create(wiring.metrics().registry()));
    new RestApi(vertx, store, sse, new Commands(vertx.eventBus(), store, wiring.clock(), wiring.config()), wiring.config().adminToken()).mount(router);
    // The dashboard: static files from the jar, after the API so that API calls never look for a file.
    router.get("/*").handler(StaticHandler.create("webroot").setCachingEnabled(false).setIndexPage("index.html"));

    HttpServerOptions options = new HttpServerOptions().setPort(wiring.config().httpPort());
    if (wiring.config().tls() != null) {
      options.setSsl(true).setKeyCertOptions(wiring.config().tls());
    }
    server = vertx.createHttpServer(options).requestHandler(router);
    return changes.completion().compose(v -> server.listen());
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(pingTimer);
    return sse.closeAll().compose(v -> server.close());
  }
}
