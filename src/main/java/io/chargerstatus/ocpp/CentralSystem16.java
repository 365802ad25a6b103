package io.chargerstatus.ocpp;

import io.chargerstatus.bus.Bus;
import io.chargerstatus.infra.Config;
import io.chargerstatus.rules.ChargerRules;
import io.chargerstatus.status.Fact;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The central-system side of OCPP 1.6J: one handler per message a charger initiates. Payloads reach
 * these handlers already checked against their schema. Whatever changes a status is sent to the status
 * engine as a {@link Fact} and answered only once the engine has committed it.
 */
public final class CentralSystem16 {
    private static final Logger LOG = LoggerFactory.getLogger(CentralSystem16.class);

    private final Vertx vertx;
    private final EventBus bus;
    private final ChargerStore store;
    private final ChargerRules rules;
    private final Config.Ocpp config;
    private final DeliveryOptions factDelivery;

    public CentralSystem16(Vertx vertx, ChargerStore store, ChargerRules rules, Config.Ocpp config) {
        this.vertx = vertx;
        this.bus = vertx.eventBus();
        this.store = store;
        this.rules = rules;
        this.config = config;
        this.factDelivery = new DeliveryOptions().setLocalOnly(true).setSendTimeout(config.callTimeoutS() * 1000L);
    }

    /** Handles a validated CALL; completes with the CALLRESULT payload or fails with an {@link OcppError}. */
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
            case "FirmwareStatusNotification" ->
                commit(new Fact.FirmwareReported(charger, p.getString("status"), at))
                        .map(v -> new JsonObject());
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
                .compose(info -> store.startTransaction(
                                session.chargerId(),
                                connectorId,
                                idTag,
                                p.getInteger("meterStart"),
                                timestampOr(p.getString("timestamp"), at))
                        .compose(txId -> commit(new Fact.TransactionChanged(session.chargerId(), connectorId, txId, at))
                                .map(v -> {
                                    if ("Accepted".equals(info.getString("status"))) {
                                        afterReply(() ->
                                                rules.transactionStarted(session.chargerId(), connectorId, txId, at));
                                    }
                                    return new JsonObject()
                                            .put("transactionId", txId)
                                            .put("idTagInfo", info);
                                })));
    }

    /** Runs {@code action} once the current reply has been written: our CALL follows the charger's CALLRESULT. */
    private void afterReply(Runnable action) {
        vertx.getOrCreateContext().runOnContext(v -> action.run());
    }

    private Future<JsonObject> stopTransaction(OcppSession session, JsonObject p, Instant at) {
        int txId = p.getInteger("transactionId");
        Future<JsonObject> info = p.getString("idTag") == null
                ? Future.succeededFuture(null)
                : idTagInfo(session, p.getString("idTag"), at);
        return info.compose(i -> store.stopTransaction(
                        session.chargerId(),
                        txId,
                        p.getInteger("meterStop"),
                        timestampOr(p.getString("timestamp"), at),
                        p.getString("reason", "Local"))
                .compose(connectorId -> connectorId == null
                        ? Future.succeededFuture()
                        : commit(new Fact.TransactionChanged(session.chargerId(), connectorId, null, at)))
                .map(v -> i == null ? new JsonObject() : new JsonObject().put("idTagInfo", i)));
    }

    /** Authorize's answer from the account's id-tag store: unknown tags are Invalid, never a blanket Accepted. */
    private Future<JsonObject> idTagInfo(OcppSession session, String idTag, Instant at) {
        if (!session.secured() && idTag.equals(config.autoStartIdTag())) {
            return Future.succeededFuture(new JsonObject().put("status", "Accepted")); // our own plug & charge start
        }
        return store.idTag(session.accountId(), idTag).map(tag -> {
            if (tag == null) {
                return new JsonObject().put("status", "Invalid");
            }
            if (tag.expiryDate() != null && !tag.expiryDate().isAfter(at)) {
                return new JsonObject()
                        .put("status", "Expired")
                        .put("expiryDate", tag.expiryDate().toString());
            }
            JsonObject info = new JsonObject().put("status", tag.status());
            if (tag.expiryDate() != null) {
                info.put("expiryDate", tag.expiryDate().toString());
            }
            return info;
        });
    }

    /** Sends a fact and completes once it is committed, with whether it changed a status. */
    private Future<Boolean> commit(Fact fact) {
        return bus.<Boolean>request(Bus.FACTS, fact, factDelivery)
                .map(m -> Boolean.TRUE.equals(m.body()))
                .recover(e -> Future.failedFuture(new OcppError("InternalError", "not stored, please retry")));
    }

    private void notice(Fact fact) {
        bus.send(Bus.FACTS, fact, Bus.LOCAL);
    }

    /**
     * The connector a message is about: an integer from {@code min} to {@link #MAX_CONNECTOR_ID}. The schema
     * only says "integer", which lets -1, 99999 (a connector row each) and 1e12 (an int overflow) through.
     */
    static int connectorId(JsonObject p, int min) {
        Object value = p.getValue("connectorId");
        if (!(value instanceof Number n)
                || n.doubleValue() != Math.rint(n.doubleValue())
                || n.doubleValue() < min
                || n.doubleValue() > MAX_CONNECTOR_ID) {
            throw new OcppError(
                    "PropertyConstraintViolation",
                    "connectorId must be an integer from " + min + " to " + MAX_CONNECTOR_ID + ", got " + value);
        }
        return n.intValue();
    }

    /** The highest connector id accepted: far above any real charger, low enough to bound the rows one can create. */
    public static final int MAX_CONNECTOR_ID = 100;

    private static String now(Instant at) {
        return at.truncatedTo(ChronoUnit.MILLIS).toString();
    }

    private static Instant timestampOr(String value, Instant fallback) {
        Instant t = timestamp(value);
        return t == null ? fallback : t;
    }

    /** A charger's timestamp; null when absent. Offsets other than Z are accepted. */
    static Instant timestamp(String value) {
        if (value == null) {
            return null;
        }
        try {
            // Straight to an Instant: OffsetDateTime.parse built zone rules per call and showed in profiles.
            return DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(value, Instant::from);
        } catch (DateTimeParseException e) {
            throw new OcppError("PropertyConstraintViolation", "timestamp is not an RFC 3339 date-time: " + value);
        }
    }
}
