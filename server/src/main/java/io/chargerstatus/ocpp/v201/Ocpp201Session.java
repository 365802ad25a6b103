package io.chargerstatus.ocpp.v201;

import java.util.HashMap;
import java.util.Map;

/**
 * What an OCPP 2.0.1 session remembers between messages: the status of each connector of each EVSE (an
 * EVSE shows its most significant one), which EVSE each transaction runs on, and the service's own id of
 * each transaction (what the rules and the command log know it by). Lost with the session: a charger that
 * reconnects reports again, and a transaction's EVSE is then read from the database.
 */
final class Ocpp201Session {
    private final Map<Integer, Map<Integer, String>> connectors = new HashMap<>();
    private final Map<String, Integer> evseOfTransaction = new HashMap<>();
    private final Map<Integer, String> refOfTransaction = new HashMap<>();
    private int nextRequestId;

    /** Records a connector's status and returns its EVSE's: the most significant of its connectors. */
    String report(int evseId, int connectorId, String connectorStatus) {
        Map<Integer, String> evse = connectors.computeIfAbsent(evseId, k -> new HashMap<>());
        evse.put(connectorId, connectorStatus);
        String shown = connectorStatus;
        for (String s : evse.values()) {
            if (significance(s) > significance(shown)) {
                shown = s;
            }
        }
        return shown;
    }

    /** Faulted shows over Occupied, over Reserved, over Available, over Unavailable. */
    private static int significance(String connectorStatus) {
        return switch (connectorStatus) {
            case "Faulted" -> 4;
            case "Occupied" -> 3;
            case "Reserved" -> 2;
            case "Available" -> 1;
            default -> 0;
        };
    }

    void started(String transactionRef, int evseId, int transactionId) {
        evseOfTransaction.put(transactionRef, evseId);
        refOfTransaction.put(transactionId, transactionRef);
    }

    void ended(String transactionRef) {
        evseOfTransaction.remove(transactionRef);
        refOfTransaction.values().remove(transactionRef);
    }

    /** The EVSE a transaction of this session runs on, or null when this session did not see it start. */
    Integer evseOf(String transactionRef) {
        return evseOfTransaction.get(transactionRef);
    }

    /** Whether a transaction runs on this EVSE. */
    boolean transactionOn(int evseId) {
        return evseOfTransaction.containsValue(evseId);
    }

    /** The charger's id of the transaction the service knows as {@code transactionId}, or null. */
    String refOf(int transactionId) {
        return refOfTransaction.get(transactionId);
    }

    /** A request id for the calls that need one (remote starts, firmware updates). */
    int nextRequestId() {
        return ++nextRequestId;
    }
}
