package io.chargerstatus.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.chargerstatus.status.Change;
import io.chargerstatus.status.ChargerState;
import io.chargerstatus.status.ConnectorState;
import io.chargerstatus.status.Fact;
import io.chargerstatus.status.Status;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Event-bus messages: the same object locally, the same value across a cluster")
class BusCodecTest {
    private static final Instant T = Instant.parse("2026-11-24T10:00:00.123Z");

    @Test
    @DisplayName("every message type survives its wire encoding, and is not copied locally")
    void roundTrip() {
        ConnectorState connector =
                new ConnectorState(1, Status.Faulted, "Faulted", "GroundFailure", "E-105", null, T, T, 42);
        TreeMap<Integer, ConnectorState> connectors = new TreeMap<>();
        connectors.put(1, connector);
        List<Object> messages = List.of(
                new Fact.Connected("CP-1", "s1", "1.6", T),
                new Fact.Disconnected("CP-1", "s1", "closed", T),
                new Fact.Booted("CP-1", "ACME", "AC22", "1.2.3", T),
                new Fact.StatusReported("CP-1", 1, "Faulted", "GroundFailure", "E-105", null, T, T),
                new Fact.FirmwareReported("CP-1", "Downloading", T),
                new Fact.TransactionChanged("CP-1", 1, 42, T),
                new Fact.Seen("CP-1", T),
                new Bus.Committed(
                        7,
                        new Change(
                                "CP-1",
                                "acme",
                                "hq",
                                Status.Faulted,
                                Status.Charging,
                                "GroundFailure/E-105",
                                connector,
                                T,
                                T,
                                true)),
                new Bus.AddCharger("CP-1", "acme", "hq", "Lobby", true, null),
                new Bus.Flush(),
                new Bus.RemoveCharger("CP-1", true),
                new Bus.UpdateCharger("CP-1", true, "Lobby", false, null, null, ""),
                new Bus.SessionOpened("CP-1", "s1"),
                new Bus.OcppCall("Reset", new JsonObject().put("type", "Soft")),
                new ChargerState(
                        "CP-1",
                        "acme",
                        "hq",
                        Status.Faulted,
                        T,
                        "GroundFailure/E-105",
                        true,
                        "s1",
                        T,
                        T,
                        false,
                        connectors));
        for (Bus.Failure failure : Bus.Failure.values()) {
            assertEquals(
                    failure,
                    Bus.Failure.of(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, failure.code(), "x")),
                    "failure codes round-trip");
        }
        // The numbers on the wire between the instances of a rolling deploy: fixed, whatever the enum's order.
        assertEquals(
                java.util.List.of(1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007),
                java.util.List.of(
                        Bus.Failure.OFFLINE.code(),
                        Bus.Failure.TIMEOUT.code(),
                        Bus.Failure.CALL_ERROR.code(),
                        Bus.Failure.CONFLICT.code(),
                        Bus.Failure.UNKNOWN_REFERENCE.code(),
                        Bus.Failure.UNAVAILABLE.code(),
                        Bus.Failure.INTERNAL.code(),
                        Bus.Failure.INVALID.code()));
        for (Object message : messages) {
            assertEquals(message, wire(message), message.getClass().getSimpleName());
            assertSame(message, local(message));
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T wire(T message) {
        MessageCodec<T, T> codec = Bus.codec((Class<T>) message.getClass());
        Buffer buffer = Buffer.buffer();
        codec.encodeToWire(buffer, message);
        return codec.decodeFromWire(0, buffer);
    }

    @SuppressWarnings("unchecked")
    private static <T> T local(T message) {
        return Bus.codec((Class<T>) message.getClass()).transform(message);
    }
}
