package io.chargerstatus.ocpp.v16;

import io.chargerstatus.infra.Config;
import io.chargerstatus.infra.Metrics;
import io.chargerstatus.ocpp.CentralSystem;
import io.chargerstatus.ocpp.ChargerStore;
import io.chargerstatus.ocpp.OcppError;
import io.chargerstatus.ocpp.OcppMessages;
import io.chargerstatus.ocpp.OcppSession;
import io.chargerstatus.rules.ChargerRules;
import io.chargerstatus.status.Fact;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The central-system side of OCPP 1.6J. */
public final class CentralSystem16 extends CentralSystem {
    private static final Logger LOG = LoggerFactory.getLogger(CentralSystem16.class);

    public CentralSystem16(Vertx vertx, ChargerStore store, ChargerRules rules, Config.Ocpp config, Metrics metrics) {
        super(vertx, store, rules, config, metrics);
    }

    /** 1.6 is the service's own language: a call goes out as it is, if it is a 1.6 message at all. */
    @Override
    public Outbound outbound(String action, JsonObject payload, OcppSession session) {
        if (!OcppMessages.V16.described(action)) {
            throw new OcppError(
                    "NotSupported",
                    action + " is not an OCPP 1.6 message: use get-configuration / change-configuration");
        }
        return new Outbound(action, payload);
    }

    @Override
    public Future<JsonObject> handle(OcppSession session, String action, JsonObject p, Instant at) {
        String charger = session.chargerId();
        return switch (action) {
            case "BootNotification" ->
                commit(new Fact.Booted(
                                charger,
                                p.getString("chargePointVendor"),
                                p.getString("chargePointModel"),
                                p.getString("firmwareVersion"),
                                at))
                        .map(v -> {
                            session.cancelTrigger();
                            LOG.atInfo()
                                    .addKeyValue("chargerId", charger)
                                    .addKeyValue("event", "booted")
                                    .log(() -> "charger " + charger + " booted: " + p.getString("chargePointVendor")
                                            + " " + p.getString("chargePointModel") + " firmware "
                                            + p.getString("firmwareVersion"));
                            return new JsonObject()
                                    .put("status", "Accepted")
                                    .put("currentTime", now(at))
                                    .put("interval", config.heartbeatIntervalS());
                        });
            case "Heartbeat" -> {
                notice(new Fact.Seen(charger, at));
                yield Future.succeededFuture(new JsonObject().put("currentTime", now(at)));
            }
            case "StatusNotification" -> {
                session.cancelTrigger();
                int connectorId = connectorId(p, 0);
                yield commit(new Fact.StatusReported(
                                charger,
                                connectorId,
                                p.getString("status"),
                                p.getString("errorCode"),
                                p.getString("vendorErrorCode"),
                                p.getString("info"),
                                timestamp(p.getString("timestamp")),
                                at))
                        .map(changed -> {
                            if (changed
                                    && connectorId > 0
                                    && "Preparing".equals(p.getString("status"))
                                    && !session.secured()) {
                                afterReply(() -> rules.vehiclePlugged(session.chargerId(), connectorId));
                            }
                            return new JsonObject();
                        });
            }
            // The security extension's signed update reports the 2.0.1 firmware statuses: the same status rule.
            case "FirmwareStatusNotification", "SignedFirmwareStatusNotification" ->
                commit(new Fact.FirmwareReported(charger, p.getString("status"), at))
                        .map(v -> new JsonObject());
            case "SecurityEventNotification" -> securityEvent(session, p, at);
            case "LogStatusNotification" -> {
                notice(new Fact.Seen(charger, at));
                logRequest(
                        session,
                        "log upload " + p.getString("status") + " (request " + p.getInteger("requestId") + ")");
                yield Future.succeededFuture(new JsonObject());
            }
            // 1.6's SignCertificate.conf has no room for a reason: it is logged.
            case "SignCertificate" -> {
                notice(new Fact.Seen(charger, at));
                logRequest(session, "asked for a certificate (SignCertificate): Rejected, " + NO_CA);
                yield Future.succeededFuture(new JsonObject().put("status", "Rejected"));
            }
            case "Authorize" ->
                idTagInfo(session, p.getString("idTag"), at).map(info -> new JsonObject().put("idTagInfo", info));
            case "StartTransaction" -> startTransaction(session, p, at);
            case "StopTransaction" -> stopTransaction(session, p, at);
            case "MeterValues", "DiagnosticsStatusNotification" -> {
                notice(new Fact.Seen(charger, at));
                yield Future.succeededFuture(new JsonObject());
            }
            // No vendor extension is known to this central system: the answer OCPP 1.6 gives for that.
            case "DataTransfer" -> Future.succeededFuture(new JsonObject().put("status", "UnknownVendorId"));
            default -> Future.failedFuture(new OcppError("NotImplemented", "no handler for " + action));
        };
    }

    private Future<JsonObject> startTransaction(OcppSession session, JsonObject p, Instant at) {
        int connectorId = connectorId(p, 1);
        String idTag = p.getString("idTag");
        return idTagInfo(session, idTag, at)
                .compose(info -> commit(new Fact.TransactionStarted(
                                session.chargerId(),
                                connectorId,
                                idTag,
                                p.getInteger("meterStart"),
                                timestampOr(p.getString("timestamp"), at),
                                at))
                        .map(txId -> {
                            if ("Accepted".equals(info.getString("status"))) {
                                afterReply(() -> rules.transactionStarted(session.chargerId(), connectorId, txId, at));
                            }
                            return new JsonObject().put("transactionId", txId).put("idTagInfo", info);
                        }));
    }

    private Future<JsonObject> stopTransaction(OcppSession session, JsonObject p, Instant at) {
        int txId = p.getInteger("transactionId");
        Future<JsonObject> info = p.getString("idTag") == null
                ? Future.succeededFuture(null)
                : idTagInfo(session, p.getString("idTag"), at);
        return info.compose(i -> commit(new Fact.TransactionStopped(
                        session.chargerId(),
                        txId,
                        p.getInteger("meterStop"),
                        timestampOr(p.getString("timestamp"), at),
                        p.getString("reason", "Local"),
                        at))
                .map(v -> i == null ? new JsonObject() : new JsonObject().put("idTagInfo", i)));
    }

    /** Authorize's answer (idTagInfo) from the account's id-tag store. */
    private Future<JsonObject> idTagInfo(OcppSession session, String idTag, Instant at) {
        return idTag(session, idTag, at).map(tag -> {
            JsonObject info = new JsonObject().put("status", tag.status());
            if (tag.expiry() != null) {
                info.put("expiryDate", tag.expiry().toString());
            }
            return info;
        });
    }

    /** A 1.6 message's connectorId, from {@code min} up. */
    static int connectorId(JsonObject p, int min) {
        return connectorId(p, "connectorId", min);
    }
}
