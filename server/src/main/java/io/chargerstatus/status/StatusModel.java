package io.chargerstatus.status;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The status rules of docs/status-model.md as pure functions: from a charger's state and one fact to its
 * next state and the changes to record. No I/O and no clock: the caller passes the arrival time.
 *
 * <p>Invariants kept here:
 * <ul>
 *   <li><b>Order</b>: a StatusNotification whose effective time is older than the connector's newest
 *       applied one is recorded as not applied and changes nothing; equal times fall back to arrival
 *       order; a timestamp in the future counts as the arrival time.</li>
 *   <li><b>Idempotence</b>: a fact that changes no status, OCPP status or error code yields no change.</li>
 *   <li>The charger-level status is derived, never stored independently of its inputs.</li>
 * </ul>
 */
public final class StatusModel {

    private static final Map<String, Status> OCPP16 = Map.of(
            "Available", Status.Available,
            "Preparing", Status.Preparing,
            "Charging", Status.Charging,
            "SuspendedEV", Status.Completed,
            "SuspendedEVSE", Status.Paused,
            "Finishing", Status.Finishing,
            "Reserved", Status.Unavailable,
            "Unavailable", Status.Unavailable,
            "Faulted", Status.Faulted);

    /** FirmwareStatusNotification values during which the charger cannot be used. */
    private static final Set<String> FIRMWARE_BUSY = Set.of(
            "Downloading",
            "Downloaded",
            "Installing",
            "DownloadScheduled",
            "DownloadPaused",
            "SignatureVerified",
            "InstallRebooting",
            "InstallScheduled");

    private StatusModel() {}

    /** The back-office status of an OCPP 1.6 {@code ChargePointStatus}, or null for an unknown value. */
    public static Status fromOcpp16(String chargePointStatus) {
        return OCPP16.get(chargePointStatus);
    }

    /** The charger's next state and what to record after {@code fact}. */
    public record Outcome(ChargerState state, List<Change> changes, Set<Integer> connectorsTouched) {
        static Outcome unchanged(ChargerState state) {
            return new Outcome(state, List.of(), Set.of());
        }
    }

    /**
     * The time a StatusNotification counts at: the charger's timestamp, unless it is missing or in the
     * future (a wrong clock must not freeze the connector), in which case the arrival time.
     */
    public static Instant effectiveTime(Instant chargerTimestamp, Instant receivedAt) {
        return chargerTimestamp == null || chargerTimestamp.isAfter(receivedAt) ? receivedAt : chargerTimestamp;
    }

    /** Applies one fact; the state passed in is not modified. */
    public static Outcome apply(ChargerState state, Fact fact) {
        Instant at = fact.receivedAt();
        if (fact instanceof Fact.Connected c) {
            return settle(
                    state,
                    state.with(true, c.sessionId(), at, state.bootedAt(), state.firmwareUpdating(), state.connectors()),
                    at,
                    at,
                    null,
                    Set.of());
        }
        if (fact instanceof Fact.Disconnected d) {
            if (!state.online() || !d.sessionId().equals(state.sessionId())) {
                return Outcome.unchanged(state); // a session another one already replaced
            }
            return settle(
                    state,
                    state.with(
                            false,
                            null,
                            state.lastSeenAt(),
                            state.bootedAt(),
                            state.firmwareUpdating(),
                            state.connectors()),
                    at,
                    at,
                    null,
                    Set.of());
        }
        if (fact instanceof Fact.Booted) {
            return settle(
                    state,
                    state.with(true, state.sessionId(), at, at, false, state.connectors()),
                    at,
                    at,
                    null,
                    Set.of());
        }
        if (fact instanceof Fact.FirmwareReported f) {
            boolean updating = FIRMWARE_BUSY.contains(f.firmwareStatus());
            return settle(
                    state,
                    state.with(state.online(), state.sessionId(), at, state.bootedAt(), updating, state.connectors()),
                    at,
                    at,
                    null,
                    Set.of());
        }
        if (fact instanceof Fact.StatusReported s) {
            return applyStatus(state, s);
        }
        if (fact instanceof Fact.EvseReported e) {
            return applyEvse(
                    state,
                    e.evseId(),
                    e.timestamp(),
                    e.receivedAt(),
                    true,
                    c -> withEvse(
                            c,
                            e.connectorStatus(),
                            c.chargingState(),
                            c.transactionRef(),
                            c.transactionEnded() && !"Available".equals(e.connectorStatus())));
        }
        if (fact instanceof Fact.TransactionEvent t) {
            boolean ended = "Ended".equals(t.eventType());
            return applyEvse(
                    state,
                    t.evseId(),
                    t.timestamp(),
                    t.receivedAt(),
                    true,
                    c -> withEvse(
                            c,
                            c.ocppStatus() == null || c.ocppStatus().isEmpty() ? "Occupied" : c.ocppStatus(),
                            ended ? null : t.chargingState() != null ? t.chargingState() : c.chargingState(),
                            ended ? null : t.transactionId(),
                            ended));
        }
        if (fact instanceof Fact.ProblemReported p) {
            // A problem is no status report: it neither counts as stale nor moves the EVSE's report time.
            return applyEvse(state, p.evseId(), p.timestamp(), p.receivedAt(), false, c -> {
                if (!p.active() && !Objects.equals(c.errorCode(), p.component())) {
                    return c; // a problem of another component cleared: this one's stands
                }
                if (p.active() && "NoError".equalsIgnoreCase(p.code())) {
                    return c; // "a problem: no error" (re-sent by some stations when asked) says nothing new
                }
                return new ConnectorState(
                        c.connectorId(),
                        c.status(),
                        c.ocppStatus(),
                        p.active() ? p.component() : null,
                        p.active() ? p.code() : null,
                        p.active() ? p.info() : null,
                        c.since(),
                        c.reportedAt(),
                        c.transactionId(),
                        c.chargingState(),
                        c.transactionRef(),
                        c.transactionEnded());
            });
        }
        if (fact instanceof Fact.TransactionStopped t) {
            for (ConnectorState c : state.connectors().values()) {
                if (Integer.valueOf(t.transactionId()).equals(c.transactionId())) {
                    return apply(state, new Fact.TransactionChanged(t.chargerId(), c.connectorId(), null, at));
                }
            }
            return Outcome.unchanged(state.seen(at)); // no connector runs it (any more): only the record closes
        }
        if (fact instanceof Fact.TransactionChanged t) {
            ConnectorState c = state.connectors().get(t.connectorId());
            if (c == null) {
                c = new ConnectorState(
                        t.connectorId(), Status.Available, "Available", "NoError", null, null, at, Instant.EPOCH, null);
            }
            return new Outcome(
                    state.seen(at).withConnector(c.withTransaction(t.transactionId())),
                    List.of(),
                    Set.of(t.connectorId()));
        }
        return Outcome.unchanged(state.seen(at));
    }

    private static Outcome applyStatus(ChargerState state, Fact.StatusReported s) {
        Instant received = s.receivedAt();
        Instant at = effectiveTime(s.timestamp(), received);
        Status mapped = fromOcpp16(s.ocppStatus());
        ConnectorState current = state.connectors().get(s.connectorId());
        ChargerState seen = state.seen(received);
        ConnectorState reported = new ConnectorState(
                s.connectorId(),
                mapped,
                s.ocppStatus(),
                s.errorCode(),
                emptyToNull(s.vendorErrorCode()),
                emptyToNull(s.info()),
                at,
                at,
                current == null ? null : current.transactionId());

        if (current != null && at.isBefore(current.reportedAt())) {
            return late(state, seen, reported, at, received);
        }
        if (current != null && sameReport(current, reported)) {
            return new Outcome(
                    seen.withConnector(current.withReportedAt(at, reported.info())),
                    List.of(),
                    Set.of(s.connectorId()));
        }
        ConnectorState next = current != null
                        && current.status() == mapped
                        && current.ocppStatus().equals(s.ocppStatus())
                ? new ConnectorState(
                        reported.connectorId(),
                        mapped,
                        reported.ocppStatus(),
                        reported.errorCode(),
                        reported.vendorErrorCode(),
                        reported.info(),
                        current.since(),
                        at,
                        reported.transactionId())
                : reported;
        return settle(state, seen.withConnector(next), at, received, next, Set.of(s.connectorId()));
    }

    /**
     * The back-office status of an OCPP 2.0.1 EVSE: its {@code connectorStatus} combined with the transaction
     * on it — Occupied is Preparing before a transaction starts, then follows the charging state, and is
     * Finishing once the transaction ended while the cable is still in. Null for an unknown status.
     */
    public static Status fromOcpp201(String connectorStatus, String chargingState, boolean running, boolean ended) {
        return switch (connectorStatus) {
            case "Available" -> Status.Available;
            case "Reserved", "Unavailable" -> Status.Unavailable;
            case "Faulted" -> Status.Faulted;
            case "Occupied" -> {
                if (running) {
                    yield switch (chargingState == null ? "" : chargingState) {
                        case "Charging" -> Status.Charging;
                        case "SuspendedEV" -> Status.Completed;
                        case "SuspendedEVSE" -> Status.Paused;
                        default -> Status.Preparing; // EVConnected, Idle: not drawing power yet
                    };
                }
                yield ended ? Status.Finishing : Status.Preparing;
            }
            default -> null;
        };
    }

    /** The EVSE with new 2.0.1 inputs and the status they give. */
    private static ConnectorState withEvse(
            ConnectorState c, String connectorStatus, String chargingState, String transactionRef, boolean ended) {
        Status status = fromOcpp201(connectorStatus, chargingState, transactionRef != null, ended);
        return new ConnectorState(
                c.connectorId(),
                status == null ? c.status() : status,
                connectorStatus,
                c.errorCode(),
                c.vendorErrorCode(),
                c.info(),
                c.since(),
                c.reportedAt(),
                c.transactionId(),
                chargingState,
                transactionRef,
                ended);
    }

    /**
     * Applies an OCPP 2.0.1 report to one EVSE with the same rules as a 1.6 StatusNotification: a report older
     * than the EVSE's newest is recorded as not applied; one that changes nothing visible yields no change.
     */
    private static Outcome applyEvse(
            ChargerState state,
            int evseId,
            Instant timestamp,
            Instant received,
            boolean report,
            UnaryOperator<ConnectorState> update) {
        Instant at = effectiveTime(timestamp, received);
        ConnectorState current = state.connectors().get(evseId);
        ChargerState seen = state.seen(received);
        ConnectorState base = current != null
                ? current
                : new ConnectorState(
                        evseId, Status.Available, "", null, null, null, at, Instant.EPOCH, null, null, null, false);
        if (report && at.isBefore(base.reportedAt())) {
            return late(state, seen, update.apply(base), at, received);
        }
        ConnectorState updated = update.apply(base);
        boolean visible = current == null
                || updated.status() != current.status()
                || !updated.ocppStatus().equals(current.ocppStatus())
                || (updated.status() == Status.Faulted && !Objects.equals(updated.faultCode(), current.faultCode()));
        ConnectorState next = new ConnectorState(
                updated.connectorId(),
                updated.status(),
                updated.ocppStatus(),
                updated.errorCode(),
                updated.vendorErrorCode(),
                updated.info(),
                current != null && updated.status() == current.status() ? current.since() : at,
                report ? at : base.reportedAt(),
                updated.transactionId(),
                updated.chargingState(),
                updated.transactionRef(),
                updated.transactionEnded());
        if (!visible || next.ocppStatus().isEmpty()) {
            // Inputs kept (a charging state, a problem waiting for a Faulted status), nothing to show.
            return settle(state, seen.withConnector(next), at, received, null, Set.of(evseId));
        }
        return settle(state, seen.withConnector(next), at, received, next, Set.of(evseId));
    }

    /** A report older than the connector's newest: kept in the history as not applied, nothing else changes. */
    private static Outcome late(
            ChargerState state, ChargerState seen, ConnectorState reported, Instant at, Instant received) {
        Change stale = new Change(
                state.id(),
                state.accountId(),
                state.siteId(),
                state.status(),
                state.status(),
                state.faultCode(),
                reported,
                at,
                received,
                false);
        return new Outcome(seen, List.of(stale), Set.of());
    }

    /** Recomputes the charger-level status and records one change if anything visible changed. */
    private static Outcome settle(
            ChargerState before,
            ChargerState after,
            Instant at,
            Instant received,
            ConnectorState connector,
            Set<Integer> touched) {
        Status status = aggregate(after);
        String faultCode = status == Status.Faulted ? faultCode(after) : null;
        boolean statusChanged = status != before.status();
        ChargerState next = statusChanged || !Objects.equals(faultCode, before.faultCode())
                ? after.withStatus(status, statusChanged ? at : before.statusSince(), faultCode)
                : after;
        if (!statusChanged && connector == null && Objects.equals(faultCode, before.faultCode())) {
            return new Outcome(next, List.of(), touched);
        }
        Change change = new Change(
                next.id(),
                next.accountId(),
                next.siteId(),
                status,
                before.status(),
                faultCode,
                connector,
                at,
                received,
                true);
        return new Outcome(next, List.of(change), touched);
    }

    /** The charger-level status: session and firmware facts first, then the most significant connector. */
    public static Status aggregate(ChargerState s) {
        // Rule 1 gives Unknown to a charger that never booted only while it has no session: one that talks
        // without booting (the no-boot tolerance) shows what its connectors say as soon as it has said any.
        if (!s.booted() && (!s.online() || s.connectors().isEmpty())) {
            return Status.Unknown;
        }
        if (!s.online()) {
            return Status.Offline;
        }
        if (s.firmwareUpdating()) {
            return Status.Unavailable;
        }
        ConnectorState whole = s.connectors().get(0);
        if (whole != null && (whole.status() == Status.Faulted || whole.status() == Status.Unavailable)) {
            return whole.status();
        }
        Status best = null;
        for (ConnectorState c : s.connectors().values()) {
            if (c.connectorId() > 0 && (best == null || c.status().rank() > best.rank())) {
                best = c.status();
            }
        }
        if (best != null) {
            return best;
        }
        return whole != null ? whole.status() : Status.Available;
    }

    /**
     * The code shown in the "Fault code" column: the first faulted connector's that has one; else, for an
     * OCPP 2.0.1 station whose problem was reported on the station itself (connector 0), that problem's.
     */
    public static String faultCode(ChargerState s) {
        for (ConnectorState c : s.connectors().values()) {
            if (c.status() == Status.Faulted && c.faultCode() != null) {
                return c.faultCode();
            }
        }
        ConnectorState whole = s.connectors().get(0);
        if (whole != null && whole.errorCode() != null && !"NoError".equals(whole.errorCode())) {
            return whole.faultCode();
        }
        return null;
    }

    private static boolean sameReport(ConnectorState a, ConnectorState b) {
        return a.status() == b.status()
                && a.ocppStatus().equals(b.ocppStatus())
                && Objects.equals(a.errorCode(), b.errorCode())
                && Objects.equals(a.vendorErrorCode(), b.vendorErrorCode());
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
