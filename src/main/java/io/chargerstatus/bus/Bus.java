package io.chargerstatus.bus;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.chargerstatus.status.Change;
import io.chargerstatus.status.ChargerState;
import io.chargerstatus.status.Fact;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;

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
  private Bus() {
  }

  /** Request: a {@link Fact}. Reply (empty) once the fact and its changes are committed to PostgreSQL. */
  public static final String FACTS = "status.facts";

  /** Publish: a {@link Committed} change, after its commit, in sequence order. */
  public static final String CHANGES = "status.changes";

  /**
   * Request: {@link AddCharger} -> {@link ChargerState}; {@link RemoveCharger} and {@link UpdateCharger}
   * -> Boolean (false: no such charger). Serialised with the facts.
   */
  public static final String REGISTRY = "status.registry";

  /** Publish: {@link SessionOpened}; the instance that held an older session of that charger closes it. */
  public static final String SESSION_OPENED = "ocpp.session.opened";

  /** Publish: the id (String) of a revoked API token; the SSE streams it opened end. */
  public static final String TOKEN_REVOKED = "api.token.revoked";

  /** Publish: the id (String) of a charger removed from the back office; its session is closed. */
  public static final String CHARGER_REMOVED = "ocpp.charger.removed";

  /**
   * Request to the instance holding a charger's session: an {@link OcppCall}; reply: the CALLRESULT
   * payload, or a failure whose message is the CALLERROR code (or {@link #OFFLINE} / {@link #TIMEOUT}).
   */
  public static String chargerCalls(String chargerId) {
    return "ocpp.charger." + chargerId;
  }

  /** Failure code of a call to a charger that has no session. */
  public static final int OFFLINE = 409;
  /** Failure code of a call the charger did not answer in time. */
  public static final int TIMEOUT = 504;
  /** Failure code of a call the charger answered with a CALLERROR. */
  public static final int CALL_ERROR = 502;

  /** A change of a charger or connector status, with the sequence number the database gave it. */
  public record Committed(long seq, Change change) { }

  public record AddCharger(JsonObject body, String passwordHash) { }

  public record RemoveCharger(String chargerId) { }

  /** New name, site, secured flag or password of a charger; {@code passwordHash} "" clears the password. */
  public record UpdateCharger(String chargerId, JsonObject patch, String passwordHash) { }

  public record SessionOpened(String chargerId, String sessionId) { }

  public record OcppCall(String action, JsonObject payload) { }

  private static final List<Class<?>> MESSAGES = List.of(
      Fact.Connected.class, Fact.Disconnected.class, Fact.Booted.class, Fact.StatusReported.class,
      Fact.FirmwareReported.class, Fact.TransactionChanged.class, Fact.Seen.class,
      Committed.class, AddCharger.class, RemoveCharger.class, UpdateCharger.class, SessionOpened.class, OcppCall.class, ChargerState.class);

  /** Registers a codec for every message type above; call once per Vert.x instance. */
  public static void registerCodecs(EventBus bus) {
    for (Class<?> type : MESSAGES) {
      register(bus, type);
    }
  }

  private static <T> void register(EventBus bus, Class<T> type) {
    bus.registerDefaultCodec(type, new RecordCodec<>(type));
  }

  private static final ObjectMapper WIRE = io.vertx.core.json.jackson.DatabindCodec.mapper().copy()
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
