package io.chargerstatus.ocpp.v201;

import io.chargerstatus.infra.Config;
import io.chargerstatus.infra.Metrics;
import io.chargerstatus.ocpp.CentralSystem;
import io.chargerstatus.ocpp.ChargerStore;
import io.chargerstatus.ocpp.OcppError;
import io.chargerstatus.ocpp.OcppSession;
import io.chargerstatus.rules.ChargerRules;
import io.chargerstatus.status.Fact;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The central-system side of OCPP 2.0.1. Its messages become the same kind of facts as 1.6's (one status
 * model, one engine): a StatusNotification is the status of an EVSE, a TransactionEvent its transaction and
 * charging state, a NotifyEvent on a Problem or Fault variable its fault code. The EVSEs are the charger
 * row's connectors ({@code connectorId} = evseId).
 */
public final class CentralSystem201 extends CentralSystem {
    private static final Logger LOG = LoggerFactory.getLogger(CentralSystem201.class);

    public CentralSystem201(Vertx vertx, ChargerStore store, ChargerRules rules, Config.Ocpp config, Metrics metrics) {
        super(vertx, store, rules, config, metrics);
    }

    /** The 2.0.1 counterpart of the service's 1.6 call (Ocpp201Commands), with this session's request ids. */
    /** What this session's charger has told of its EVSEs and transactions. */
    private static Ocpp201Session state(OcppSession session) {
        return session.protocolState(Ocpp201Session.class, Ocpp201Session::new);
    }

    @Override
    public Outbound outbound(String action, JsonObject payload, OcppSession session) {
        return Ocpp201Commands.of(action, payload, state(session));
    }

    @Override
    public Future<JsonObject> handle(OcppSession session, String action, JsonObject p, Instant at) {
        String charger = session.chargerId();
        return switch (action) {
            case "BootNotification" -> {
                JsonObject station = p.getJsonObject("chargingStation");
                yield commit(new Fact.Booted(
                                charger,
                                station.getString("vendorName"),
                                station.getString("model"),
                                station.getString("firmwareVersion"),
                                at))
                        .map(v -> {
                            session.cancelTrigger();
                            LOG.atInfo()
                                    .addKeyValue("chargerId", charger)
                                    .addKeyValue("event", "booted")
                                    .log(() -> "charger " + charger + " booted (OCPP 2.0.1, " + p.getString("reason")
                                            + "): " + station.getString("vendorName") + " " + station.getString("model")
                                            + " firmware " + station.getString("firmwareVersion"));
                            return new JsonObject()
                                    .put("currentTime", now(at))
                                    .put("interval", config.heartbeatIntervalS())
                                    .put("status", "Accepted");
                        });
            }
            case "Heartbeat" -> {
                notice(new Fact.Seen(charger, at));
                yield Future.succeededFuture(new JsonObject().put("currentTime", now(at)));
            }
            case "StatusNotification" -> statusNotification(session, p, at);
            case "TransactionEvent" -> transactionEvent(session, p, at);
            case "Authorize" ->
                idToken(session, p.getJsonObject("idToken"), at).map(info -> new JsonObject().put("idTokenInfo", info));
            case "NotifyEvent" -> notifyEvent(session, p, at);
            case "FirmwareStatusNotification" ->
                commit(new Fact.FirmwareReported(charger, p.getString("status"), at))
                        .map(v -> new JsonObject());
            case "SecurityEventNotification" -> securityEvent(session, p, at);
            case "SignCertificate" -> {
                notice(new Fact.Seen(charger, at));
                logRequest(session, "asked for a certificate (SignCertificate): Rejected, " + NO_CA);
                yield Future.succeededFuture(new JsonObject()
                        .put("status", "Rejected")
                        .put(
                                "statusInfo",
                                new JsonObject()
                                        .put("reasonCode", "NotSupported")
                                        .put("additionalInfo", NO_CA)));
            }
            case "MeterValues", "LogStatusNotification", "NotifyReport" -> {
                notice(new Fact.Seen(charger, at));
                yield Future.succeededFuture(new JsonObject());
            }
            // No vendor extension is known to this central system: the answer OCPP gives for that.
            case "DataTransfer" -> Future.succeededFuture(new JsonObject().put("status", "UnknownVendorId"));
            default -> Future.failedFuture(new OcppError("NotImplemented", "no handler for " + action));
        };
    }

    /** An EVSE's status: the most significant of its connectors'. Occupied on a plug & charge charger starts a transaction. */
    private Future<JsonObject> statusNotification(OcppSession session, JsonObject p, Instant at) {
        session.cancelTrigger();
        int evse = connectorId(p, "evseId", 0);
        int connector = connectorId(p, "connectorId", 0);
        String status = state(session).report(evse, connector, p.getString("connectorStatus"));
        return commit(new Fact.EvseReported(session.chargerId(), evse, status, timestamp(p.getString("timestamp")), at))
                .map(changed -> {
                    if (changed
                            && evse > 0
                            && "Occupied".equals(status)
                            && !session.secured()
                            && !state(session).transactionOn(evse)) {
                        afterReply(() -> rules.vehiclePlugged(session.chargerId(), evse));
                    }
                    return new JsonObject();
                });
    }

    /**
     * A transaction started, changed its charging state, or ended. Its id token is checked against the id-tag
     * store; a start is recorded under the service's own number, which the delayed-charging rule uses.
     */
    private Future<JsonObject> transactionEvent(OcppSession session, JsonObject p, Instant at) {
        String charger = session.chargerId();
        String type = p.getString("eventType");
        JsonObject info = p.getJsonObject("transactionInfo");
        String ref = info.getString("transactionId");
        Instant when = timestamp(p.getString("timestamp"));
        JsonObject token = p.getJsonObject("idToken");
        Future<Integer> evse = evseOf(session, p, ref);
        Future<JsonObject> tokenInfo = token == null ? Future.succeededFuture(null) : idToken(session, token, at);
        return Future.all(evse, tokenInfo).compose(v -> {
            int evseId = evse.result();
            Future<Integer> recorded = switch (type) {
                case "Started" ->
                    store.startTransaction201(
                                    charger,
                                    evseId,
                                    token == null ? "" : token.getString("idToken"),
                                    ref,
                                    timestampOr(p.getString("timestamp"), at))
                            .onSuccess(id -> state(session).started(ref, evseId, id));
                case "Ended" ->
                    store.stopTransaction201(
                                    charger,
                                    ref,
                                    timestampOr(p.getString("timestamp"), at),
                                    info.getString("stoppedReason", "Local"))
                            .map(x -> {
                                state(session).ended(ref);
                                return (Integer) null;
                            });
                default -> Future.succeededFuture(null);
            };
            return recorded.compose(transactionId -> commit(new Fact.TransactionEvent(
                            charger, evseId, type, ref, info.getString("chargingState"), when, at))
                    .map(changed -> {
                        boolean accepted = tokenInfo.result() == null
                                || "Accepted".equals(tokenInfo.result().getString("status"));
                        if (transactionId != null && accepted) {
                            afterReply(() -> rules.transactionStarted(charger, evseId, transactionId, at));
                        }
                        return tokenInfo.result() == null
                                ? new JsonObject()
                                : new JsonObject().put("idTokenInfo", tokenInfo.result());
                    }));
        });
    }

    /** The EVSE of a TransactionEvent: given in the message, else where the session or the database saw it start. */
    private Future<Integer> evseOf(OcppSession session, JsonObject p, String ref) {
        JsonObject evse = p.getJsonObject("evse");
        if (evse != null) {
            return Future.succeededFuture(connectorId(evse, "id", 1));
        }
        Integer known = state(session).evseOf(ref);
        if (known != null) {
            return Future.succeededFuture(known);
        }
        return store.evseOfTransaction(session.chargerId(), ref)
                .compose(id -> id != null
                        ? Future.succeededFuture(id)
                        : Future.failedFuture(new OcppError(
                                "OccurrenceConstraintViolation",
                                "evse is required: transaction " + ref + " is unknown here")));
    }

    /**
     * The fault codes of a NotifyEvent: an event on a component's Problem or Fault variable sets
     * {@code component/techCode} (or {@code component/variable}) while its actualValue is true, and clears it
     * when false. Other events are signs of life.
     */
    private Future<JsonObject> notifyEvent(OcppSession session, JsonObject p, Instant at) {
        List<Fact> facts = new ArrayList<>();
        JsonArray events = p.getJsonArray("eventData");
        for (int i = 0; i < events.size(); i++) {
            JsonObject e = events.getJsonObject(i);
            String variable = e.getJsonObject("variable").getString("name");
            if (!"Problem".equals(variable) && !"Fault".equals(variable)) {
                continue;
            }
            JsonObject component = e.getJsonObject("component");
            JsonObject evse = component.getJsonObject("evse");
            facts.add(new Fact.ProblemReported(
                    session.chargerId(),
                    evse == null ? 0 : connectorId(evse, "id", 0),
                    component.getString("name"),
                    e.getString("techCode", variable),
                    e.getString("techInfo"),
                    "true".equalsIgnoreCase(e.getString("actualValue")),
                    timestamp(e.getString("timestamp")),
                    at));
        }
        if (facts.isEmpty()) {
            notice(new Fact.Seen(session.chargerId(), at));
        }
        Future<?> chain = Future.succeededFuture();
        for (Fact f : facts) {
            chain = chain.compose(v -> commit(f));
        }
        return chain.map(v -> new JsonObject());
    }

    /** An idTokenInfo from the account's id-tag store; a plug & charge charger's NoAuthorization start is accepted. */
    private Future<JsonObject> idToken(OcppSession session, JsonObject token, Instant at) {
        if ("NoAuthorization".equals(token.getString("type")) && !session.secured()) {
            return Future.succeededFuture(new JsonObject().put("status", "Accepted"));
        }
        return idTag(session, token.getString("idToken"), at).map(tag -> {
            JsonObject info = new JsonObject().put("status", tag.status());
            if (tag.expiry() != null) {
                info.put("cacheExpiryDateTime", tag.expiry().toString());
            }
            return info;
        });
    }
}
