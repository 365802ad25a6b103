package io.chargerstatus.ocpp;

import io.chargerstatus.bus.Bus;
import io.chargerstatus.infra.Config;
import io.chargerstatus.infra.Metrics;
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
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The central-system side of one OCPP version: one handler per message a charger initiates. Payloads
 * reach the handlers already checked against their schema. Whatever changes a status is sent to the
 * status engine as a {@link Fact} and answered only once the engine has committed it; what the versions
 * share (facts, id tags, time stamps) is here.
 */
public abstract class CentralSystem {
    private static final Logger LOG = LoggerFactory.getLogger(CentralSystem.class);
    /** The highest connector (or EVSE) id accepted: far above any real charger, low enough to bound the rows one can create. */
    public static final int MAX_CONNECTOR_ID = 100;

    protected final Vertx vertx;
    protected final ChargerStore store;
    protected final ChargerRules rules;
    protected final Config.Ocpp config;
    protected final Metrics metrics;
    private final EventBus bus;
    private final DeliveryOptions factDelivery;

    protected CentralSystem(Vertx vertx, ChargerStore store, ChargerRules rules, Config.Ocpp config, Metrics metrics) {
        this.vertx = vertx;
        this.metrics = metrics;
        this.bus = vertx.eventBus();
        this.store = store;
        this.rules = rules;
        this.config = config;
        this.factDelivery = new DeliveryOptions().setLocalOnly(true).setSendTimeout(config.callTimeoutS() * 1000L);
    }

    /** Handles a validated CALL; completes with the CALLRESULT payload or fails with an {@link OcppError}. */
    public abstract Future<JsonObject> handle(OcppSession session, String action, JsonObject payload, Instant at);

    /** A call as this version's charger gets it. */
    public record Outbound(String action, JsonObject payload) {}

    /**
     * The service's call (written in OCPP 1.6, as the command API and the rules speak) in this version; throws
     * an {@link OcppError} NotSupported for one this version has no counterpart of.
     */
    public abstract Outbound outbound(String action, JsonObject payload, OcppSession session);

    /** An id tag as the account's id-tag store has it: its status and expiry (null: none). */
    protected record IdTag(String status, Instant expiry) {}

    /** Checks an id tag against the account's store: unknown tags are Invalid, never a blanket Accepted. */
    protected Future<IdTag> idTag(OcppSession session, String idTag, Instant at) {
        if (!session.secured() && idTag.equals(config.autoStartIdTag())) {
            return Future.succeededFuture(new IdTag("Accepted", null)); // our own plug & charge start
        }
        return store.idTag(session.accountId(), idTag).map(tag -> {
            if (tag == null) {
                return new IdTag("Invalid", null);
            }
            if (tag.expiryDate() != null && !tag.expiryDate().isAfter(at)) {
                return new IdTag("Expired", tag.expiryDate());
            }
            return new IdTag(tag.status(), tag.expiryDate());
        });
    }

    /** Sends a fact and completes once it is committed, with whether it changed a status. */
    protected Future<Boolean> commit(Fact fact) {
        return ask(fact).map(Boolean.TRUE::equals);
    }

    /** Sends a StartTransaction to the engine; completes once committed, with the transaction's number. */
    protected Future<Integer> commit(Fact.TransactionStarted fact) {
        return ask(fact)
                .compose(answer -> answer instanceof Integer id
                        ? Future.succeededFuture(id)
                        : Future.failedFuture(new OcppError("InternalError", "the charger is no longer registered")));
    }

    /** The engine's answer to a fact, once committed; a fact not committed is the charger's InternalError. */
    private Future<Object> ask(Fact fact) {
        return bus.request(Bus.FACTS, fact, factDelivery)
                .map(m -> m.body())
                .recover(e -> Future.failedFuture(new OcppError("InternalError", "not stored, please retry")));
    }

    /**
     * The security events that OCPP 2.0.1 (Appendix 1) and the 1.6 security extension mark critical: the ones a
     * charger must report at once rather than only keep in its log.
     */
    protected static final Set<String> CRITICAL_SECURITY_EVENTS = Set.of(
            "FirmwareUpdated",
            "SettingSystemTime",
            "StartupOfTheDevice",
            "ResetOrReboot",
            "SecurityLogWasCleared",
            "MemoryExhaustion",
            "TamperDetectionActivated");

    /** SecurityEventNotification (both versions: the same fields): stored, then answered. */
    protected Future<JsonObject> securityEvent(OcppSession session, JsonObject p, Instant at) {
        String type = p.getString("type");
        boolean critical = CRITICAL_SECURITY_EVENTS.contains(type);
        notice(new Fact.Seen(session.chargerId(), at));
        return store.addSecurityEvent(
                        session.chargerId(),
                        type,
                        timestampOr(p.getString("timestamp"), at),
                        p.getString("techInfo"),
                        critical,
                        at)
                .map(v -> {
                    metrics.securityEvent(critical);
                    LOG.atInfo()
                            .addKeyValue("chargerId", session.chargerId())
                            .addKeyValue("event", "security_event")
                            .log(() -> "charger " + session.chargerId() + " reports security event " + type
                                    + (critical ? " (critical)" : "")
                                    + (p.getString("techInfo") == null ? "" : ": " + p.getString("techInfo")));
                    return new JsonObject();
                });
    }

    /** The reason this central system gives when a charger asks it to sign a certificate (SignCertificate). */
    protected static final String NO_CA =
            "this central system signs no certificates: install the charger's client certificate by hand";

    /** A charger's request that only needs a line in the log (LogStatusNotification, SignCertificate). */
    protected void logRequest(OcppSession session, String what) {
        LOG.atInfo()
                .addKeyValue("chargerId", session.chargerId())
                .log(() -> "charger " + session.chargerId() + " " + what);
    }

    /** Sends a fact nobody waits for (a sign of life). */
    protected void notice(Fact fact) {
        bus.send(Bus.FACTS, fact, Bus.LOCAL);
    }

    /** Runs {@code action} once the current reply has been written: our CALL follows the charger's CALLRESULT. */
    protected void afterReply(Runnable action) {
        vertx.getOrCreateContext().runOnContext(v -> action.run());
    }

    /**
     * A connector (or EVSE) id of a message: an integer from {@code min} to {@link #MAX_CONNECTOR_ID}. The
     * schemas only say "integer", which lets -1, 99999 (a connector row each) and 1e12 (an int overflow) through.
     */
    protected static int connectorId(JsonObject p, String field, int min) {
        Object value = p.getValue(field);
        if (!(value instanceof Number n)
                || n.doubleValue() != Math.rint(n.doubleValue())
                || n.doubleValue() < min
                || n.doubleValue() > MAX_CONNECTOR_ID) {
            throw new OcppError(
                    "PropertyConstraintViolation",
                    field + " must be an integer from " + min + " to " + MAX_CONNECTOR_ID + ", got " + value);
        }
        return n.intValue();
    }

    protected static String now(Instant at) {
        return at.truncatedTo(ChronoUnit.MILLIS).toString();
    }

    protected static Instant timestampOr(String value, Instant fallback) {
        Instant t = timestamp(value);
        return t == null ? fallback : t;
    }

    /** A charger's timestamp; null when absent. Offsets other than Z are accepted. */
    protected static Instant timestamp(String value) {
        if (value == null) {
            return null;
        }
        try {
            // Straight to an Instant: OffsetDateTime.parse built zone rules per call and showed in profiles.
            // Whole microseconds, as the history keeps it: the live event and the one read back are the same.
            return DateTimeFormatter.ISO_OFFSET_DATE_TIME
                    .parse(value, Instant::from)
                    .truncatedTo(ChronoUnit.MICROS);
        } catch (DateTimeParseException e) {
            throw new OcppError("PropertyConstraintViolation", "timestamp is not an RFC 3339 date-time: " + value);
        }
    }
}
