package io.chargerstatus.status;

import java.time.Instant;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Everything the status engine knows of one charger; immutable, replaced on every change.
 *
 * <p>{@code connectors} includes connector 0 (the whole charge point) when it reported; the REST rows
 * list only 1..n. {@code sessionId} names the open OCPP session, so that the close of a session that
 * another one already replaced is recognised and ignored.
 */
public record ChargerState(
        String id,
        String accountId,
        String siteId,
        Status status,
        Instant statusSince,
        String faultCode,
        boolean online,
        String sessionId,
        Instant lastSeenAt,
        Instant bootedAt,
        boolean firmwareUpdating,
        SortedMap<Integer, ConnectorState> connectors) {

    public ChargerState {
        connectors = Collections.unmodifiableSortedMap(new TreeMap<>(connectors));
    }

    /** A charger just added to the back office: never booted, no session. */
    public static ChargerState added(String id, String accountId, String siteId, Instant at) {
        return new ChargerState(
                id, accountId, siteId, Status.Unknown, at, null, false, null, null, null, false, new TreeMap<>());
    }

    public boolean booted() {
        return bootedAt != null;
    }

    ChargerState with(
            boolean online,
            String sessionId,
            Instant lastSeenAt,
            Instant bootedAt,
            boolean firmwareUpdating,
            SortedMap<Integer, ConnectorState> connectors) {
        return new ChargerState(
                id,
                accountId,
                siteId,
                status,
                statusSince,
                faultCode,
                online,
                sessionId,
                lastSeenAt,
                bootedAt,
                firmwareUpdating,
                connectors);
    }

    ChargerState withStatus(Status newStatus, Instant since, String newFaultCode) {
        return new ChargerState(
                id,
                accountId,
                siteId,
                newStatus,
                since,
                newFaultCode,
                online,
                sessionId,
                lastSeenAt,
                bootedAt,
                firmwareUpdating,
                connectors);
    }

    /** The same charger moved to another site (or none). */
    public ChargerState withSite(String newSiteId) {
        return new ChargerState(
                id,
                accountId,
                newSiteId,
                status,
                statusSince,
                faultCode,
                online,
                sessionId,
                lastSeenAt,
                bootedAt,
                firmwareUpdating,
                connectors);
    }

    /**
     * The same charger, its state held for the session {@code session}: what an engine that (re)claims a
     * charger knows of the session it serves, so that the session's close is recognised.
     */
    public ChargerState withSession(String session) {
        return with(online, session, lastSeenAt, bootedAt, firmwareUpdating, connectors);
    }

    ChargerState seen(Instant at) {
        return with(online, sessionId, at, bootedAt, firmwareUpdating, connectors);
    }

    ChargerState withConnector(ConnectorState c) {
        TreeMap<Integer, ConnectorState> copy = new TreeMap<>(connectors);
        copy.put(c.connectorId(), c);
        return with(online, sessionId, lastSeenAt, bootedAt, firmwareUpdating, copy);
    }
}
