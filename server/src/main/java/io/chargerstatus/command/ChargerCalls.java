package io.chargerstatus.command;

import io.chargerstatus.bus.Bus;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The charger-call client: sends a CALL to a charger wherever its session is held (over
 * {@link Bus#chargerCalls}) and keeps the command and its outcome in the {@link CommandLog}: who asked,
 * when, what, and what the charger answered. Used by the command API and by the service's own rules
 * (plug &amp; charge, delayed charging). The result is a value with an {@link Outcome}; what an outcome
 * means to an HTTP client is the API's business.
 */
public final class ChargerCalls {
    private static final Logger LOG = LoggerFactory.getLogger(ChargerCalls.class);

    /** How a call to a charger ended. */
    public enum Outcome {
        /** The charger answered with a CALLRESULT (whose {@code status} may still be Rejected). */
        ANSWERED("Accepted"),
        /** No session holds the charger. */
        OFFLINE("Offline"),
        /** The charger did not answer within CALL_TIMEOUT_S. */
        TIMEOUT("Timeout"),
        /** The charger answered with a CALLERROR. */
        CALL_ERROR("CallError"),
        /** The call does not fit the charger's OCPP version: refused before it was sent. */
        INVALID("Invalid");

        private final String logged;

        Outcome(String logged) {
            this.logged = logged;
        }
    }

    /**
     * What came of a call: the outcome, the command log's id, the {@code status} the command log keeps
     * (the charger's own status for an answer, else the outcome's name) and the charger's payload (or the
     * CALLERROR for {@link Outcome#CALL_ERROR}).
     */
    public record Result(long commandId, Outcome outcome, String status, JsonObject response) {
        public JsonObject json(String name) {
            return new JsonObject()
                    .put("commandId", commandId)
                    .put("command", name)
                    .put("status", status)
                    .put("response", response);
        }
    }

    private final EventBus bus;
    private final CommandLog log;
    private final Clock clock;
    private final DeliveryOptions delivery;

    /** {@code callTimeoutS}: how long a session waits for a charger's answer (CALL_TIMEOUT_S). */
    public ChargerCalls(EventBus bus, CommandLog log, Clock clock, int callTimeoutS) {
        this.bus = bus;
        this.log = log;
        this.clock = clock;
        // A little longer than the session's own timeout, so that the session reports it first.
        this.delivery = new DeliveryOptions().setSendTimeout(callTimeoutS * 1000L + 2000);
    }

    /** Sends {@code action} with {@code payload}, logged as command {@code name} asked by {@code requestedBy}. */
    public Future<Result> send(
            String chargerId, String name, String action, JsonObject request, JsonObject payload, String requestedBy) {
        return log.insertCommand(chargerId, name, action, request, payload, requestedBy, clock.instant())
                .compose(id -> {
                    LOG.atInfo().log(() -> "command " + id + " " + name + " (" + action + ") to charger " + chargerId
                            + " by " + requestedBy);
                    return bus.<JsonObject>request(
                                    Bus.chargerCalls(chargerId), new Bus.OcppCall(action, payload), delivery)
                            .transform(ar -> finish(id, chargerId, ar.succeeded() ? ar.result() : null, ar.cause()));
                });
    }

    private Future<Result> finish(long id, String chargerId, Message<JsonObject> reply, Throwable failure) {
        Result result;
        if (reply != null) {
            result = new Result(id, Outcome.ANSWERED, reply.body().getString("status", "Accepted"), reply.body());
        } else {
            Outcome outcome = switch (Bus.Failure.of(failure)) {
                case OFFLINE -> Outcome.OFFLINE;
                case TIMEOUT -> Outcome.TIMEOUT;
                case INVALID -> Outcome.INVALID;
                default -> Outcome.CALL_ERROR;
            };
            JsonObject response = outcome == Outcome.CALL_ERROR || outcome == Outcome.INVALID
                    ? new JsonObject().put("error", failure == null ? "unknown" : failure.getMessage())
                    : null;
            result = new Result(id, outcome, outcome.logged, response);
        }
        LOG.atInfo().log(() -> "command " + id + " to charger " + chargerId + " answered: " + result.status());
        return log.finishCommand(id, result.status(), result.response(), clock.instant())
                .map(result);
    }

    /** Whether the newest remote start for this connector, within the last ten minutes, asked for boost. */
    public Future<Boolean> boostRequested(String chargerId, int connectorId, Instant now) {
        return log.boostRequested(chargerId, connectorId, now);
    }

    /** The commands sent to a charger, newest first. */
    public Future<JsonArray> history(String chargerId, int limit) {
        return log.history(chargerId, limit);
    }
}
