package io.chargerstatus.status;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What each port of one charger shows at a point of its history, built by applying its events in seq order:
 * the charger-level status, the whole charge point's (connector 0) and each port's own. One rule for every
 * reader of the history that needs a port's effective status (uptime, OCPI): a charger Offline, Unknown or
 * Unavailable by a charger-level fact, or a connector 0 Faulted or Unavailable, holds for every port.
 * Mutable, not thread-safe: one per charger and reader.
 */
public final class ChargerPorts {

    /** A port's effective status, its raw OCPP status when it is its own, and the fault code. */
    public record Port(String status, String ocppStatus, String faultCode) {}

    private String charger = "Unknown";
    private String whole;
    private String wholeFault;
    private final Map<Integer, Port> connectors = new TreeMap<>();

    /** One applied event: the charger's status after it, and the connector it reported (null: none, 0: whole). */
    public void apply(String chargerStatus, Integer connectorId, String status, String ocppStatus, String fault) {
        charger = chargerStatus;
        if (connectorId == null) {
            return;
        }
        if (connectorId == 0) {
            whole = status;
            wholeFault = fault;
        } else {
            connectors.put(connectorId, new Port(status, ocppStatus, fault));
        }
    }

    /** A copy in plain values, to be kept and restored ({@link #restore}): charger, whole, wholeFault, ports. */
    public java.util.List<Object> snapshot() {
        java.util.List<Object> ports = new java.util.ArrayList<>();
        connectors.forEach((n, p) -> ports.add(java.util.Arrays.asList(n, p.status(), p.ocppStatus(), p.faultCode())));
        return java.util.Arrays.asList(charger, whole, wholeFault, ports);
    }

    /** The state a {@link #snapshot} was taken of. */
    public static ChargerPorts restore(java.util.List<?> snapshot) {
        ChargerPorts c = new ChargerPorts();
        c.charger = (String) snapshot.get(0);
        c.whole = (String) snapshot.get(1);
        c.wholeFault = (String) snapshot.get(2);
        for (Object o : (java.util.List<?>) snapshot.get(3)) {
            java.util.List<?> p = (java.util.List<?>) o;
            c.connectors.put(
                    ((Number) p.get(0)).intValue(), new Port((String) p.get(1), (String) p.get(2), (String) p.get(3)));
        }
        return c;
    }

    /** The charger-level status last applied ("Unknown" before any event: never had a session). */
    public String charger() {
        return charger;
    }

    /** The ports (connectors or EVSEs >= 1) seen so far. */
    public Iterable<Integer> ports() {
        return connectors.keySet();
    }

    /** What port {@code p} shows now. */
    public Port port(int p) {
        if (charger.equals("Offline") || charger.equals("Unknown")) {
            return new Port(charger, null, null);
        }
        if ("Faulted".equals(whole) || "Unavailable".equals(whole)) {
            return new Port(whole, null, "Faulted".equals(whole) ? wholeFault : null);
        }
        if (charger.equals("Unavailable") && !allUnavailable()) {
            // Unavailable while a connector is usable: a charger-level fact (a firmware update).
            return new Port("Unavailable", null, null);
        }
        Port own = connectors.get(p);
        return own == null ? new Port("Unknown", null, null) : own; // commissioned, not reported yet
    }

    /** Whether port {@code p} is down as the contract's uptime counts it: {status, faultCode}, or null when up. */
    public String[] downReason(int p) {
        Port port = port(p);
        return switch (port.status()) {
            case "Faulted" -> new String[] {"Faulted", port.faultCode()};
            case "Unavailable" -> "Reserved".equals(port.ocppStatus()) ? null : new String[] {"Unavailable", null};
            case "Unknown", "Offline" -> new String[] {port.status(), null};
            default -> null;
        };
    }

    private boolean allUnavailable() {
        for (Port c : connectors.values()) {
            if (!"Unavailable".equals(c.status())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return charger + " " + Objects.toString(whole) + " " + connectors;
    }
}
