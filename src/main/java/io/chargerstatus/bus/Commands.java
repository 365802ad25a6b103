package io.chargerstatus.bus;

import io.chargerstatus.infra.Config;
import io.chargerstatus.api.ApiError;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;

import java.time.Clock;
import java.util.logging.Logger;

/**
 * Sends a CALL to a charger wherever its session is held (over {@link Bus#chargerCalls}) and keeps the
 * command and its outcome: who asked, when, what, and what the charger answered. Used by the command
 * API and by the service's own rules (plug &amp; charge, delayed charging).
 *
 * <p>Outcomes: the {@code status} of the charger's reply (Accepted, Rejected ...; "Accepted" for a reply
 * without one), or {@code Offline} (409), {@code Timeout} (504), {@code CallError} (502).
 */
public final class Commands {
  private static final Logger LOG = Logger.getLogger(Commands.class.getName());

  /** What the charger answered. */
  public record Result(long commandId, String outcome, JsonObject response) {
    public JsonObject json(String name) {
      return new JsonObject().put("commandId", commandId).put("command", name).put("status", outcome).put("response", response);
    }
  }

  private final EventBus bus;
  private final CommandLog log;
  private final Clock clock;
  private final DeliveryOptions delivery;

  public Commands(EventBus bus, CommandLog log, Clock clock, Config config) {
    this.bus = bus;
    this.log = log;
    this.clock = clock;
    // A little longer than the session's own timeout, so that the session reports it first.
    this.delivery = new DeliveryOptions().setSendTimeout(config.callTimeoutS() * 1000L + 2000);
  }

  public Future<Result> send(String chargerId, String name, String action, JsonObject request, JsonObject payload,
                             String requestedBy) {
    return log.insertCommand(chargerId, name, action, request, payload, requestedBy, clock.instant())
        .compose(id -> {
          LOG.info(() -> "command " + id + " " + name + " (" + action + ") to charger " + chargerId + " by " + requestedBy);
          return bus.<JsonObject>request(Bus.chargerCalls(chargerId), new Bus.OcppCall(action, payload), delivery)
              .transform(ar -> finish(id, chargerId, ar.succeeded() ? ar.result() : null, ar.cause()));
        });
  }

  private Future<Result> finish(long id, String chargerId, Message<JsonObject> reply, Throwable failure) {
    String outcome;
    JsonObject response = null;
    ApiError error = null;
    if (reply != null) {
      response = reply.body();
      outcome = response.getString("status", "Accepted");
    } else if (failure instanceof ReplyException r && r.failureType() == ReplyFailure.NO_HANDLERS
        || failure instanceof ReplyException o && o.failureCode() == Bus.OFFLINE) {
      outcome = "Offline";
      error = new ApiError(409, "offline", "charger " + chargerId + " has no open session");
    } else if (failure instanceof ReplyException t
        && (t.failureType() == ReplyFailure.TIMEOUT || t.failureCode() == Bus.TIMEOUT)) {
      outcome = "Timeout";
      error = new ApiError(504, "timeout", "charger " + chargerId + " did not answer in time");
    } else {
      outcome = "CallError";
      String message = failure == null ? "unknown" : failure.getMessage();
      response = new JsonObject().put("error", message);
      error = new ApiError(502, "call_error", "charger " + chargerId + " answered with a CALLERROR: " + message);
    }
    String logged = outcome;
    LOG.info(() -> "command " + id + " to charger " + chargerId + " answered: " + logged);
    ApiError failed = error;
    return log.finishCommand(id, outcome, response, clock.instant())
        .compose(v -> failed == null ? Future.succeededFuture(new Result(id, logged, reply.body())) : Future.failedFuture(failed));
  }
}
