package io.chargerstatus.status;

import java.time.Instant;

/**
 * One status event before the database gives it a sequence number.
 *
 * <p>{@code status} is always the charger-level status after the change. {@code connector} is null for
 * charger-level changes (Offline, firmware, boot). {@code applied} is false for a StatusNotification
 * older than the connector's current status: it is kept in the history but is not a change, so it is
 * neither streamed nor replayed.
 */
public record Change(
        String chargerId,
        String accountId,
        String siteId,
        Status status,
        Status previousStatus,
        String faultCode,
        ConnectorState connector,
        Instant timestamp,
        Instant receivedAt,
        boolean applied) {}
