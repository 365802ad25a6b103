package io.chargerstatus.api;

import io.chargerstatus.bus.Bus;
import io.chargerstatus.bus.ChargerCalls;
import io.chargerstatus.status.ChargerState;
import io.chargerstatus.status.Status;
import io.chargerstatus.store.DatabaseHealth;
import io.chargerstatus.infra.Passwords;
import io.chargerstatus.store.Sql;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.pgclient.PgException;

import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.UUID;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The back-office REST API under {@code /api/v1} and the SSE route. Every handler resolves the caller's
 * {@link Principal} first; failures travel as failed futures and are mapped to JSON errors in
 * {@link #failure} only.
 */
public final class RestApi {
  private static final Logger LOG = Logger.getLogger(RestApi.class.getName());
  private static final String PRINCIPAL = "principal";
  private static final int MAX_BODY_BYTES = 64 * 1024;

  private final Vertx vertx;
  private final BackOfficeStore store;
  private final SseHub sse;
  private final ChargerCalls commands;
  private final byte[] adminToken;
  private final int passwordIterations;

  public RestApi(Vertx vertx, BackOfficeStore store, SseHub sse, ChargerCalls commands, String adminToken, int passwordIterations) {
    this.passwordIterations = passwordIterations;
    this.vertx = vertx;
    this.store = store;
    this.sse = sse;
    this.commands = commands;
    this.adminToken = adminToken.getBytes(StandardCharsets.UTF_8);
  }

  public void mount(Router router) {
    Router api = Router.router(vertx);
    // Who is calling comes first: nothing of an unauthenticated request's body is read, let alone stored.
    api.route().handler(this::authenticate);
    api.route().handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES)); // false: no file uploads, ever
    api.post("/accounts").handler(json(201, this::createAccount));
    api.get("/accounts").handler(json(200, ctx -> store.accounts(principal(ctx).scope(null))));
    api.post("/accounts/:id/tokens").handler(json(201, this::issueToken));
    api.get("/accounts/:id/tokens").handler(json(200, ctx -> {
      principal(ctx).requireAdmin();
      return store.tokens(pathId(ctx, "id")).map(a -> (Object) a);
    }));
    api.delete("/tokens/:id").handler(json(204, this::revokeToken));
    api.post("/sites").handler(json(201, this::upsertSite));
    api.get("/sites").handler(json(200, ctx -> store.sites(principal(ctx).scope(queryId(ctx, "accountId")))));
    api.post("/chargers").handler(json(201, this::addCharger));
    api.get("/chargers").handler(json(200, this::listChargers));
    api.get("/chargers/:id").handler(json(200, ctx -> visibleCharger(ctx)));
    api.delete("/chargers/:id").handler(json(204, this::removeCharger));
    api.patch("/chargers/:id").handler(json(200, this::updateCharger));
    api.get("/chargers/:id/history").handler(json(200, this::history));
    api.post("/chargers/:id/commands/:name").handler(json(200, this::command));
    api.get("/chargers/:id/commands").handler(json(200, ctx -> listOf(ctx, store::commands)));
    api.get("/chargers/:id/transactions").handler(json(200, ctx -> listOf(ctx, store::transactions)));
    api.get("/status-summary").handler(json(200, this::statusSummary));
    api.post("/id-tags").handler(json(201, this::upsertIdTag));
    api.get("/id-tags").handler(json(200, ctx -> store.idTags(principal(ctx).scope(queryId(ctx, "accountId")))));
    api.delete("/id-tags/:idTag").handler(json(204, this::deleteIdTag));
    api.get("/events").handler(this::events);
    api.get("/statuses").handler(json(200, ctx -> Future.succeededFuture(statuses())));
    api.route().handler(ctx -> ctx.fail(ApiError.notFound("no such route: " + ctx.request().method() + " " + ctx.request().path())));
    api.route().failureHandler(RestApi::failure);
    router.route("/api/v1/*").subRouter(api);
  }

  // ---- authentication ------------------------------------------------------------------------

  private void authenticate(RoutingContext ctx) {
    String token = bearer(ctx);
    if (token == null) {
      ctx.fail(ApiError.unauthorized());
      return;
    }
    if (MessageDigest.isEqual(adminToken, token.getBytes(StandardCharsets.UTF_8))) {
      ctx.put(PRINCIPAL, Principal.ADMIN);
      ctx.next();
      return;
    }
    // The body must wait while the token is looked up, or it would be gone when the body handler runs.
    ctx.request().pause();
    store.token(Passwords.tokenHash(token)).onComplete(ar -> {
      if (ar.succeeded() && ar.result() != null) {
        ctx.put(PRINCIPAL, new Principal(ar.result().accountId(), ar.result().id()));
        ctx.request().resume();
        ctx.next();
      } else {
        ctx.request().resume(); // the body of a refused request is read and dropped, never kept
        ctx.fail(ar.failed() ? ar.cause() : ApiError.unauthorized());
      }
    });
  }

  /** The bearer token; the SSE route also takes {@code ?access_token=} because EventSource cannot set headers. */
  private static String bearer(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return header.substring(7).trim();
    }
    if (ctx.request().path().endsWith("/events")) {
      return ctx.queryParams().get("access_token");
    }
    return null;
  }

  private static Principal principal(RoutingContext ctx) {
    return ctx.get(PRINCIPAL);
  }

  // ---- handlers ------------------------------------------------------------------------------

  private Future<JsonObject> createAccount(RoutingContext ctx) {
    principal(ctx).requireAdmin();
    JsonObject body = BodySchemas.ACCOUNT.read(ctx);
    return store.createAccount(body.getString("id"), body.getString("name"));
  }

  private Future<JsonObject> issueToken(RoutingContext ctx) {
    principal(ctx).requireAdmin();
    String accountId = pathId(ctx, "id");
    String token = Passwords.newToken();
    String id = UUID.randomUUID().toString();
    return store.accountExists(accountId).compose(exists -> {
      if (!exists) {
        throw ApiError.notFound("no account " + accountId);
      }
      return store.insertToken(id, accountId, Passwords.tokenHash(token));
    }).map(v -> new JsonObject().put("id", id).put("accountId", accountId).put("token", token));
  }

  private Future<Object> revokeToken(RoutingContext ctx) {
    principal(ctx).requireAdmin();
    String id = pathId(ctx, "id");
    return store.deleteToken(id).map(deleted -> {
      if (!deleted) {
        throw ApiError.notFound("no token " + id);
      }
      vertx.eventBus().publish(Bus.TOKEN_REVOKED, id); // its open SSE streams end, on every instance
      return null;
    });
  }

  /** {@code PATCH /chargers/{id}}: name, site, secured, password (null clears it). */
  private Future<JsonObject> updateCharger(RoutingContext ctx) {
    JsonObject patch = BodySchemas.CHARGER_PATCH.read(ctx);
    return visibleCharger(ctx).compose(row -> {
      String siteId = patch.getString("siteId");
      Future<Void> siteOk = siteId == null ? Future.succeededFuture() : store.siteExists(siteId, row.getString("accountId")).map(exists -> {
        if (!exists) {
          throw ApiError.notFound("no site " + siteId + " in account " + row.getString("accountId"));
        }
        return null;
      });
      Future<String> hash = !patch.containsKey("password") ? Future.succeededFuture(null)
          : patch.getString("password") == null ? Future.succeededFuture("")
          : vertx.executeBlocking(() -> Passwords.hash(patch.getString("password"), passwordIterations), false);
      return siteOk.compose(v -> hash)
          .compose(h -> vertx.eventBus().request(Bus.REGISTRY, new Bus.UpdateCharger(row.getString("id"), patch.containsKey("name"),
              patch.getString("name"), patch.containsKey("siteId"), patch.getString("siteId"), patch.getBoolean("secured"), h)))
          .compose(v -> store.charger(row.getString("id"), null));
    });
  }

  private Future<JsonObject> upsertSite(RoutingContext ctx) {
    JsonObject body = BodySchemas.SITE.read(ctx);
    principal(ctx).scope(body.getString("accountId"));
    try {
      ZoneId.of(body.getString("timezone"));
    } catch (DateTimeException e) {
      throw ApiError.badRequest("timezone: not an IANA time zone: " + body.getString("timezone"));
    }
    return store.upsertSite(body);
  }

  private Future<JsonObject> addCharger(RoutingContext ctx) {
    JsonObject body = BodySchemas.CHARGER.read(ctx);
    String accountId = principal(ctx).scope(body.getString("accountId"));
    String siteId = body.getString("siteId");
    Future<Void> siteOk = siteId == null ? Future.succeededFuture() : store.siteExists(siteId, accountId).map(exists -> {
      if (!exists) {
        throw ApiError.notFound("no site " + siteId + " in account " + accountId);
      }
      return null;
    });
    String password = body.getString("password");
    return siteOk
        .compose(v -> password == null ? Future.<String>succeededFuture(null)
            : vertx.executeBlocking(() -> Passwords.hash(password, passwordIterations), false))
        .compose(hash -> vertx.eventBus().<ChargerState>request(Bus.REGISTRY, new Bus.AddCharger(body.getString("id"), body.getString("accountId"),
            body.getString("siteId"), body.getString("name"), body.getBoolean("secured", true), hash)))
        .compose(reply -> store.charger(body.getString("id"), null));
  }

  private Future<Object> listChargers(RoutingContext ctx) {
    String accountId = principal(ctx).scope(queryId(ctx, "accountId"));
    String status = ctx.queryParams().get("status");
    if (status != null && Status.parse(status) == null) {
      throw ApiError.badRequest("status must be one of " + java.util.Arrays.toString(Status.values()));
    }
    return store.chargers(accountId, queryId(ctx, "siteId"), status).map(a -> a);
  }

  private static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("^[A-Za-z0-9._:-]{1,64}$");

  /** A path parameter that must be an id: 400 for anything else (before any query runs). */
  private static String pathId(RoutingContext ctx, String name) {
    String value = ctx.pathParam(name);
    if (value == null || !ID.matcher(value).matches()) {
      throw ApiError.badRequest(name + " must be 1 to 64 letters, digits or . _ : -");
    }
    return value;
  }

  /** An optional query parameter that must be an id when present. */
  private static String queryId(RoutingContext ctx, String name) {
    String value = ctx.queryParams().get(name);
    if (value != null && !ID.matcher(value).matches()) {
      throw ApiError.badRequest(name + " must be 1 to 64 letters, digits or . _ : -");
    }
    return value;
  }

  private Future<JsonObject> visibleCharger(RoutingContext ctx) {
    String id = pathId(ctx, "id");
    return store.charger(id, principal(ctx).accountId()).map(row -> {
      if (row == null) {
        throw ApiError.notFound("no charger " + id);
      }
      return row;
    });
  }

  private Future<Object> removeCharger(RoutingContext ctx) {
    return visibleCharger(ctx)
        .compose(row -> vertx.eventBus().request(Bus.REGISTRY, new Bus.RemoveCharger(row.getString("id"))))
        .map(reply -> null);
  }

  private Future<Object> history(RoutingContext ctx) {
    int limit = intParam(ctx, "limit", 100, 1, 1000);
    return visibleCharger(ctx).compose(row -> store.history(row.getString("id"), limit)).map(a -> a);
  }

  private Future<Object> listOf(RoutingContext ctx, java.util.function.BiFunction<String, Integer, Future<JsonArray>> query) {
    int limit = intParam(ctx, "limit", 100, 1, 1000);
    return visibleCharger(ctx).compose(row -> query.apply(row.getString("id"), limit)).map(a -> a);
  }

  /** {@code POST /chargers/{id}/commands/{name}}: the body checked, the OCPP call built, the charger's answer returned. */
  private Future<JsonObject> command(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    CommandCatalog.Command command = CommandCatalog.find(name);
    if (command == null) {
      throw ApiError.notFound("no command " + name + "; commands are " + CommandCatalog.names());
    }
    JsonObject body = command.schema().read(ctx);
    Principal who = principal(ctx);
    String requestedBy = who.admin() ? "admin" : "account:" + who.accountId();
    return visibleCharger(ctx)
        .compose(row -> commands.send(row.getString("id"), name, command.action(), body, command.payload(body),
            requestedBy))
        .map(result -> switch (result.outcome()) {
          case ANSWERED -> result.json(name);
          case OFFLINE -> throw new ApiError(409, "offline", "charger " + ctx.pathParam("id")
              + " has no open session");
          case TIMEOUT -> throw new ApiError(504, "timeout", "charger " + ctx.pathParam("id") + " did not answer in time");
          case CALL_ERROR -> throw new ApiError(502, "call_error", "charger " + ctx.pathParam("id")
              + " answered with a CALLERROR: " + result.response().getString("error"));
        });
  }

  private Future<JsonObject> upsertIdTag(RoutingContext ctx) {
    JsonObject body = BodySchemas.ID_TAG.read(ctx);
    principal(ctx).scope(body.getString("accountId"));
    return store.upsertIdTag(body);
  }

  private Future<Object> deleteIdTag(RoutingContext ctx) {
    String idTag = ctx.pathParam("idTag");
    if (idTag == null || idTag.isEmpty() || idTag.length() > 20 || idTag.chars().anyMatch(Character::isISOControl)) {
      throw ApiError.badRequest("idTag must be 1 to 20 printable characters");
    }
    return store.deleteIdTag(idTag, principal(ctx).accountId()).map(deleted -> {
      if (!deleted) {
        throw ApiError.notFound("no id tag " + idTag);
      }
      return null;
    });
  }

  private void events(RoutingContext ctx) {
    String accountId = principal(ctx).scope(queryId(ctx, "accountId"));
    String last = ctx.request().getHeader("Last-Event-ID");
    if (last == null) {
      last = ctx.queryParams().get("lastEventId");
    }
    Long lastEventId;
    try {
      lastEventId = last == null || last.isBlank() ? null : Long.parseLong(last.trim());
    } catch (NumberFormatException e) {
      throw ApiError.badRequest("Last-Event-ID must be an event id (an integer)");
    }
    Future<Boolean> accountKnown = accountId == null ? Future.succeededFuture(true) : store.accountExists(accountId);
    accountKnown.onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else if (!ar.result()) {
        ctx.fail(ApiError.notFound("no account " + accountId));
      } else {
        sse.attach(ctx, accountId, principal(ctx).tokenId(), lastEventId);
      }
    });
  }

  /** Counts per status of one account (404 for an account the caller cannot see or that does not exist) or of all. */
  private Future<JsonObject> statusSummary(RoutingContext ctx) {
    String accountId = principal(ctx).scope(queryId(ctx, "accountId"));
    Future<Boolean> known = accountId == null ? Future.succeededFuture(true) : store.accountExists(accountId);
    return known.compose(exists -> {
      if (!exists) {
        throw ApiError.notFound("no account " + accountId);
      }
      return store.statusSummary(accountId);
    });
  }

  /** The ten statuses with the help article's wording, for tooltips and legends. */
  private static JsonArray statuses() {
    JsonArray out = new JsonArray();
    for (Status s : Status.values()) {
      out.add(new JsonObject().put("status", s.name()).put("description", s.description()));
    }
    return out;
  }

  // ---- plumbing ------------------------------------------------------------------------------

  private static <T> io.vertx.core.Handler<RoutingContext> json(int status, Function<RoutingContext, Future<T>> handler) {
    return ctx -> {
      Future<T> result;
      try {
        result = handler.apply(ctx);
      } catch (RuntimeException e) {
        ctx.fail(e);
        return;
      }
      result.onComplete(ar -> {
        if (ar.failed()) {
          ctx.fail(ar.cause());
        } else if (status == 204 || ar.result() == null) {
          ctx.response().setStatusCode(204).end();
        } else {
          ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
              .end(io.vertx.core.json.Json.encode(ar.result()));
        }
      });
    };
  }

  private static int intParam(RoutingContext ctx, String name, int fallback, int min, int max) {
    String raw = ctx.queryParams().get(name);
    if (raw == null) {
      return fallback;
    }
    try {
      int value = Integer.parseInt(raw);
      if (value < min || value > max) {
        throw ApiError.badRequest(name + " must be between " + min + " and " + max);
      }
      return value;
    } catch (NumberFormatException e) {
      throw ApiError.badRequest(name + " must be an integer");
    }
  }

  /** The one place where failures become HTTP responses. */
  public static void failure(RoutingContext ctx) {
    Throwable cause = ctx.failure();
    ApiError error;
    if (cause instanceof ApiError e) {
      error = e;
    } else if (cause instanceof ReplyException r && Bus.Failure.of(r) == Bus.Failure.CONFLICT) {
      error = ApiError.conflict(r.getMessage());
    } else if (cause instanceof ReplyException r && Bus.Failure.of(r) == Bus.Failure.UNKNOWN_REFERENCE) {
      error = ApiError.notFound(r.getMessage());
    } else if (DatabaseHealth.unavailable(cause) || cause instanceof ReplyException r && Bus.Failure.of(r) == Bus.Failure.UNAVAILABLE) {
      // Logged once per outage by the database health; the client may retry.
      error = new ApiError(503, "unavailable", "the database is unavailable, try again shortly");
    } else if (cause instanceof PgException pg && Sql.UNIQUE_VIOLATION.equals(pg.getSqlState())) {
      error = ApiError.conflict("already exists");
    } else if (cause instanceof PgException pg && Sql.FOREIGN_KEY_VIOLATION.equals(pg.getSqlState())) {
      error = ApiError.notFound("unknown account or site");
    } else if (cause == null && ctx.statusCode() == 413) {
      error = new ApiError(413, "payload_too_large", "the body is larger than " + MAX_BODY_BYTES + " bytes");
    } else if (ctx.statusCode() == 403 && ctx.request().getHeader("Origin") != null) {
      LOG.info(() -> "refused " + ctx.request().method() + " " + ctx.request().path() + " from origin "
          + ctx.request().getHeader("Origin") + ": not in CORS_ORIGINS");
      error = ApiError.forbidden("origin not allowed");
    } else if (ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
      // A Vert.x handler's own refusal (CORS, body handler): its status, not a 500.
      error = new ApiError(ctx.statusCode(), ctx.statusCode() == 403 ? "forbidden" : "bad_request", "the request was refused");
    } else {
      LOG.warning("request " + ctx.request().method() + " " + ctx.request().path() + " failed: " + cause);
      error = new ApiError(500, "internal", "the request could not be completed");
    }
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    ctx.response().setStatusCode(error.status()).putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("error", error.error()).put("message", error.getMessage()).encode());
  }
}
