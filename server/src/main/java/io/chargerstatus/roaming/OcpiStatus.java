package io.chargerstatus.roaming;

import io.chargerstatus.status.ChargerPorts;

/**
 * The contract's mapping of a port's status to an OCPI 2.2.1 EVSE status (docs/roaming.md says why each).
 * BLOCKED is never sent: OCPI reserves it for a parking spot physically obstructed, which a charger cannot
 * know; a vehicle plugged in but not yet charging is CHARGING ("in use"), as OCPI defines it.
 */
public final class OcpiStatus {
    public static final String REMOVED = "REMOVED";

    private OcpiStatus() {}

    /** The EVSE status of port {@code p} of a charger in this state. */
    public static String of(ChargerPorts charger, int p) {
        if (charger.charger().equals("Unknown")) {
            return "PLANNED"; // never had a session: installed, not yet in operation
        }
        ChargerPorts.Port port = charger.port(p);
        return of(port.status(), port.ocppStatus());
    }

    /** The EVSE status of a port's effective status and raw OCPP status. */
    public static String of(String status, String ocppStatus) {
        return switch (status) {
            case "Available" -> "AVAILABLE";
            case "Preparing", "Charging", "Finishing", "Completed", "Paused" -> "CHARGING";
            case "Faulted" -> "OUTOFORDER";
            case "Unavailable" -> "Reserved".equals(ocppStatus) ? "RESERVED" : "INOPERATIVE";
            case "Offline", "Unknown" -> "UNKNOWN";
            default -> throw new IllegalArgumentException("not a status: " + status);
        };
    }
}
