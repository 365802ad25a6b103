package io.chargerstatus.api;

import io.chargerstatus.bus.Bus;
import io.chargerstatus.store.DatabaseHealth;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.pgclient.PgException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Handler results as JSON responses, and the one place where failures become HTTP statuses. */
public final class Responses {
    private static final Logger LOG = LoggerFactory.getLogger(Responses.class);
    /** Largest request body. */
    static final int MAX_BODY_BYTES = 64 * 1024;

    private Responses() {}

    /** A route handler answering {@code status} with the handler's result as JSON (204 when it is null). */
    static <T> Handler<RoutingContext> json(int status, Function<RoutingContext, Future<T>> handler) {
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
                    ctx.response()
                            .setStatusCode(status)
                            .putHeader("Content-Type", "application/json")
                            .end(Json.encode(ar.result()));
                }
            });
        };
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
        } else if (DatabaseHealth.unavailable(cause)
                || cause instanceof ReplyException r && Bus.Failure.of(r) == Bus.Failure.UNAVAILABLE) {
            // Logged once per outage by the database health; the client may retry.
            error = new ApiError(503, "unavailable", "the database is unavailable, try again shortly");
        } else if (cause instanceof PgException && Bus.Failure.ofStore(cause) == Bus.Failure.CONFLICT) {
            error = ApiError.conflict("already exists");
        } else if (cause instanceof PgException && Bus.Failure.ofStore(cause) == Bus.Failure.UNKNOWN_REFERENCE) {
            error = ApiError.notFound("unknown account or site");
        } else if (cause == null && ctx.statusCode() == 413) {
            error = new ApiError(413, "payload_too_large", "the body is larger than " + MAX_BODY_BYTES + " bytes");
        } else if (ctx.statusCode() == 403 && ctx.request().getHeader("Origin") != null) {
            LOG.atInfo().log(() ->
                    "refused " + ctx.request().method() + " " + ctx.request().path() + " from origin "
                            + ctx.request().getHeader("Origin") + ": not in CORS_ORIGINS");
            error = ApiError.forbidden("origin not allowed");
        } else if (ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
            // A Vert.x handler's own refusal (CORS, body handler): its status, not a 500.
            error = new ApiError(
                    ctx.statusCode(), ctx.statusCode() == 403 ? "forbidden" : "bad_request", "the request was refused");
        } else {
            LOG.warn("request " + ctx.request().method() + " " + ctx.request().path() + " failed: " + cause);
            error = new ApiError(500, "internal", "the request could not be completed");
        }
        if (ctx.response().headWritten()) {
            ctx.response().reset();
            return;
        }
        ctx.response()
                .setStatusCode(error.status())
                .putHeader("Content-Type", "application/json")
                .end(new JsonObject()
                        .put("error", error.error())
                        .put("message", error.getMessage())
                        .encode());
    }
}
