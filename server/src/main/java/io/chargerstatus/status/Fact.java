package io.chargerstatus.status;

import java.time.Instant;

/**
 * Something a charger's session observed, sent to the status engine. Every fact names its charger and
 * the moment the service received it; facts of one session reach the engine in the order they happened.
 */
public sealed interface Fact {
    String chargerId();

    Instant receivedAt();

    /** A session opened (the charger connected, possibly without booting). */
    record Connected(String chargerId, String sessionId, String ocppVersion, Instant receivedAt) implements Fact {}

    /** A session ended: socket closed, replaced, or silent past the offline timeout. */
    record Disconnected(String chargerId, String sessionId, String reason, Instant receivedAt) implements Fact {}

    /** BootNotification: the charger is configured for this platform. */
    record Booted(String chargerId, String vendor, String model, String firmwareVersion, Instant receivedAt)
            implements Fact {}

    /** StatusNotification of one connector; {@code timestamp} is the charger's own and may be null. */
    record StatusReported(
            String chargerId,
            int connectorId,
            String ocppStatus,
            String errorCode,
            String vendorErrorCode,
            String info,
            Instant timestamp,
            Instant receivedAt)
            implements Fact {}

    /** FirmwareStatusNotification. */
    record FirmwareReported(String chargerId, String firmwareStatus, Instant receivedAt) implements Fact {}

    /** A transaction started ({@code transactionId} set) or stopped (null) on a connector. */
    record TransactionChanged(String chargerId, int connectorId, Integer transactionId, Instant receivedAt)
            implements Fact {}

    /**
     * OCPP 1.6 StartTransaction: the status engine numbers the transaction, records it in the same commit as
     * the batch it belongs to, and answers with its id; for the model it is a {@link TransactionChanged}.
     */
    record TransactionStarted(
            String chargerId, int connectorId, String idTag, int meterStart, Instant startedAt, Instant receivedAt)
            implements Fact {}

    /**
     * OCPP 1.6 StopTransaction: the transaction is closed in the engine's commit; the connector running it (if
     * any still does) has no transaction any more.
     */
    record TransactionStopped(
            String chargerId, int transactionId, int meterStop, Instant stoppedAt, String reason, Instant receivedAt)
            implements Fact {}

    /** Any other sign of life (Heartbeat, MeterValues ...): only moves {@code lastSeenAt}. */
    record Seen(String chargerId, Instant receivedAt) implements Fact {}

    /**
     * OCPP 2.0.1 StatusNotification of one EVSE: {@code connectorStatus} is the most significant status of its
     * connectors (Available, Occupied, Reserved, Unavailable, Faulted).
     */
    record EvseReported(String chargerId, int evseId, String connectorStatus, Instant timestamp, Instant receivedAt)
            implements Fact {}

    /**
     * OCPP 2.0.1 TransactionEvent on an EVSE: {@code eventType} Started, Updated or Ended; {@code chargingState}
     * null when the message has none (the last one stands).
     */
    record TransactionEvent(
            String chargerId,
            int evseId,
            String eventType,
            String transactionId,
            String chargingState,
            Instant timestamp,
            Instant receivedAt)
            implements Fact {}

    /**
     * OCPP 2.0.1 NotifyEvent on a component's Problem or Fault variable ({@code evseId} 0: the station):
     * {@code active} sets the fault code {@code component/code}, inactive clears it.
     */
    record ProblemReported(
            String chargerId,
            int evseId,
            String component,
            String code,
            String info,
            boolean active,
            Instant timestamp,
            Instant receivedAt)
            implements Fact {}
}
