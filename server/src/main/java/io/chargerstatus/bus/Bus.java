package io.chargerstatus.bus;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.chargerstatus.status.Change;
import io.chargerstatus.status.ChargerState;
import io.chargerstatus.status.ConnectorState;
import io.chargerstatus.status.Fact;
import io.chargerstatus.store.DatabaseHealth;
import io.chargerstatus.store.Sql;
import io.chargerstatus.store.StatusEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.DatabindCodec;
import io.vertx.pgclient.PgException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The event-bus contract between the verticles: every address, what travels on it, and the codecs.
 *
 * <p>Sessions and the status engine are reached only through these addresses, so that several
 * instances on a clustered event bus need no other wiring. Locally the codecs pass the record itself
 * (no copy); across a cluster they write it as JSON.
 */
public final class Bus {
    private Bus() {}

    /**
     * Request, to this instance's own status engine ({@link #LOCAL}): a {@link Fact}. Reply (whether it
     * changed a status) once the fact and its changes are committed to PostgreSQL. Also {@link Flush}:
     * answered once every fact sent before it is committed.
     */
    public static final String FACTS = "status.facts";

    /**
     * Publish, to every instance: a {@link Batch} of committed changes, after its commit. Batches of
     * different instances may arrive in any order; their seq ranges put them back in one.
     */
    public static final String CHANGES = "status.changes";

    /**
     * Request, to this instance's own status engine ({@link #LOCAL}): {@link AddCharger} -> {@link
     * ChargerState}; {@link RemoveCharger} and {@link UpdateCharger} -> Boolean (false: no such charger).
     */
    public static final String REGISTRY = "status.registry";

    /** Publish, on this instance only: the node id (String) of a cluster member that left. */
    public static final String MEMBER_LEFT = "cluster.member.left";

    /** Publish: the id (String) of a charger whose registry data (site) changed; its holder reloads it. */
    public static final String CHARGER_UPDATED = "status.charger.updated";

    /**
     * Delivery to this instance's own consumer only: facts go to the engine that holds the session's
     * charger, which is always the engine of the instance holding the session.
     */
    public static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

    /** Publish: {@link SessionOpened}; the instance that held an older session of that charger closes it. */
    public static final String SESSION_OPENED = "ocpp.session.opened";

    /** Publish: the id (String) of a revoked API token; the SSE streams it opened end. */
    public static final String TOKEN_REVOKED = "api.token.revoked";

    /** Publish: the id (String) of a charger removed from the back office; its session is closed. */
    public static final String CHARGER_REMOVED = "ocpp.charger.removed";

    /** Publish: the account (String) whose id tags changed; every OCPP verticle forgets the tags it kept. */
    public static final String ID_TAGS_CHANGED = "ocpp.idtags.changed";

    /** Publish: the account (String) of a site created or changed; the site rules kept are forgotten. */
    public static final String SITES_CHANGED = "ocpp.sites.changed";

    /** Publish, to every instance: incident events were committed (an Integer, how many); deliverers look. */
    public static final String INCIDENT_EVENTS = "incident.events";

    /**
     * Request, to this instance's deliverer ({@link #LOCAL}): the id (String) of a subscription to send a test
     * message to now. Reply: a JsonObject {@code {"delivered","httpStatus","error"}}.
     */
    public static final String WEBHOOK_TEST = "notify.webhook.test";

    /**
     * Request to the instance holding a charger's session: an {@link OcppCall}; reply: the CALLRESULT
     * payload, or a failure coded by {@link Failure} (OFFLINE, TIMEOUT, CALL_ERROR with the CALLERROR code
     * as its message).
     */
    public static String chargerCalls(String chargerId) {
        return "ocpp.charger." + chargerId;
    }

    /**
     * Why a request on the bus failed: the failure code of its {@link ReplyException}. Codes are the
     * bus's own, never HTTP numbers; the API and the OCPP side each map them at their edge.
     */
    public enum Failure {
        /** The charger has no open session. */
        OFFLINE(1000),
        /** The charger did not answer in time. */
        TIMEOUT(1001),
        /** The charger answered with a CALLERROR. */
        CALL_ERROR(1002),
        /** The id exists already. */
        CONFLICT(1003),
        /** A referenced account or site does not exist. */
        UNKNOWN_REFERENCE(1004),
        /** The database is unavailable; the request may be retried. */
        UNAVAILABLE(1005),
        /** Anything else. */
        INTERNAL(1006),
        /** The call does not fit the charger's OCPP version (refused before it was sent). */
        INVALID(1007);

        /**
         * The failure code on the bus, written out: instances of a rolling deploy exchange these, so a new
         * constant gets a new number and no number is ever reused (they were the ordinals, which a reordering
         * would have changed between two versions).
         */
        private final int code;

        Failure(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }

        /** The failure a request ended with: its code, or what Vert.x itself reports (no handler, timeout). */
        public static Failure of(Throwable failure) {
            if (failure instanceof ReplyException r) {
                if (r.failureType() == ReplyFailure.NO_HANDLERS) {
                    return OFFLINE;
                }
                if (r.failureType() == ReplyFailure.TIMEOUT) {
                    return TIMEOUT;
                }
                for (Failure f : values()) {
                    if (f.code == r.failureCode()) {
                        return f;
                    }
                }
            }
            return INTERNAL;
        }

        /**
         * What a failed database statement means to the one who asked: the one mapping of PostgreSQL's SQLSTATEs
         * (23505 a duplicate, 23503 a missing account or site) and of an outage, for the bus and the REST API.
         */
        public static Failure ofStore(Throwable cause) {
            if (cause instanceof PgException pg && Sql.UNIQUE_VIOLATION.equals(pg.getSqlState())) {
                return CONFLICT;
            }
            if (cause instanceof PgException pg && Sql.FOREIGN_KEY_VIOLATION.equals(pg.getSqlState())) {
                return UNKNOWN_REFERENCE;
            }
            return DatabaseHealth.unavailable(cause) ? UNAVAILABLE : INTERNAL;
        }
    }

    /** Answered by the status engine once every fact sent before it is committed (the shutdown drain). */
    public record Flush() {}

    /** A change of a charger or connector status, with the sequence number the database gave it. */
    public record Committed(long seq, Change change) {
        /** The event as the contract shows it (the SSE stream's and the status.changed messages' data). */
        public JsonObject event() {
            ConnectorState k = change.connector();
            return new StatusEvent(
                            seq,
                            change.chargerId(),
                            change.accountId(),
                            change.siteId(),
                            change.status().name(),
                            change.previousStatus() == null
                                    ? null
                                    : change.previousStatus().name(),
                            change.faultCode(),
                            k == null
                                    ? null
                                    : StatusEvent.connector(
                                            k.connectorId(),
                                            k.status().name(),
                                            k.ocppStatus(),
                                            k.errorCode(),
                                            k.vendorErrorCode()),
                            change.timestamp().toString(),
                            change.receivedAt().toString())
                    .json();
        }
    }

    /**
     * What one engine batch committed: every seq from {@code firstSeq} to {@code lastSeq} belongs to it,
     * {@code changes} are those of them that are streamed (a late report takes a seq but is not shown).
     */
    public record Batch(long firstSeq, long lastSeq, List<Committed> changes) {}

    /** A charger added by the back office (status Unknown); {@code passwordHash} null: no password. */
    public record AddCharger(
            String id, String accountId, String siteId, String name, boolean secured, String passwordHash) {}

    /**
     * Decommissions a charger: it leaves the chargers table, its history stays for the uptime reports; with
     * {@code purge} its history (and any earlier decommissioning of that id) is erased as well.
     */
    public record RemoveCharger(String chargerId, boolean purge) {}

    /**
     * A change of a charger's name, site, secured flag or password: a field changes only when its
     * {@code ...Set} flag (or, for {@code secured}, a non-null value) says so; {@code passwordHash} null
     * keeps the password, "" clears it.
     */
    public record UpdateCharger(
            String chargerId,
            boolean nameSet,
            String name,
            boolean siteSet,
            String siteId,
            Boolean secured,
            String passwordHash) {}

    public record SessionOpened(String chargerId, String sessionId) {}

    public record OcppCall(String action, JsonObject payload) {}

    private static final List<Class<?>> MESSAGES = List.of(
            Fact.Connected.class,
            Fact.Disconnected.class,
            Fact.Booted.class,
            Fact.StatusReported.class,
            Fact.FirmwareReported.class,
            Fact.TransactionChanged.class,
            Fact.TransactionStarted.class,
            Fact.TransactionStopped.class,
            Fact.Seen.class,
            Fact.EvseReported.class,
            Fact.TransactionEvent.class,
            Fact.ProblemReported.class,
            Committed.class,
            Batch.class,
            Flush.class,
            AddCharger.class,
            RemoveCharger.class,
            UpdateCharger.class,
            SessionOpened.class,
            OcppCall.class,
            ChargerState.class);

    /** Registers a codec for every message type above; call once per Vert.x instance. */
    public static void registerCodecs(EventBus bus) {
        for (Class<?> type : MESSAGES) {
            register(bus, type);
        }
    }

    private static <T> void register(EventBus bus, Class<T> type) {
        bus.registerDefaultCodec(type, new RecordCodec<>(type));
    }

    private static final ObjectMapper WIRE = DatabindCodec.mapper()
            .copy()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** The codec of a message type (for tests of the wire form). */
    static <T> MessageCodec<T, T> codec(Class<T> type) {
        return new RecordCodec<>(type);
    }

    /** Same object locally; JSON across a cluster. */
    static final class RecordCodec<T> implements MessageCodec<T, T> {
        private final Class<T> type;

        RecordCodec(Class<T> type) {
            this.type = type;
        }

        @Override
        public void encodeToWire(Buffer buffer, T message) {
            try {
                byte[] bytes = WIRE.writeValueAsBytes(message);
                buffer.appendInt(bytes.length).appendBytes(bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public T decodeFromWire(int pos, Buffer buffer) {
            int length = buffer.getInt(pos);
            try {
                return WIRE.readValue(buffer.getBytes(pos + 4, pos + 4 + length), type);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public T transform(T message) {
            return message;
        }

        @Override
        public String name() {
            return "charger-status." + type.getName();
        }

        @Override
        public byte systemCodecID() {
            return -1;
        }
    }
}
