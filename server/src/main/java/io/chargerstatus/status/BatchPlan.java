package io.chargerstatus.status;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What one batch of facts does, worked out without a database: the chargers' next states, the connector rows
 * and history rows to write, the OCPP 1.6 transactions started and stopped, and each fact's answer. The status
 * engine commits a plan and only then adopts its states; nothing here has happened until that commit.
 *
 * <p>Pure and deterministic: the same held states, facts and transaction numbers give the same plan.
 *
 * @param next the chargers' states after the batch, in the order the facts first touched them
 * @param connectors the connectors the batch touched, each once, at its last state
 * @param changes every change, in the order it happened (the history's order)
 * @param answers per fact: the number of the transaction it started, or whether it changed a status
 * @param boots the BootNotification of each charger that booted in the batch (its last one)
 * @param versions the OCPP version of each charger whose session opened in the batch
 * @param started transactions started in the batch (stopped too, when that also happened in it)
 * @param stopped transactions of earlier batches stopped in this one
 */
public record BatchPlan(
        Map<String, ChargerState> next,
        List<ConnectorRow> connectors,
        List<Change> changes,
        Object[] answers,
        Map<String, Fact.Booted> boots,
        Map<String, String> versions,
        List<TransactionRow> started,
        List<TransactionRow> stopped) {

    /** A connector of a charger, as the batch writes it. */
    public record ConnectorRow(String chargerId, ConnectorState connector) {}

    /**
     * A transaction as a batch writes it: started (stop fields null unless it also stopped in that batch), or
     * stopped (only id, charger and the stop fields are used).
     */
    public record TransactionRow(
            int id,
            String chargerId,
            int connectorId,
            String idTag,
            int meterStart,
            Instant startedAt,
            Integer meterStop,
            Instant stoppedAt,
            String stopReason) {

        static TransactionRow stop(Fact.TransactionStopped s) {
            return new TransactionRow(
                    s.transactionId(), s.chargerId(), 0, null, 0, null, s.meterStop(), s.stoppedAt(), s.reason());
        }

        TransactionRow stoppedBy(Fact.TransactionStopped s) {
            return new TransactionRow(
                    id, chargerId, connectorId, idTag, meterStart, startedAt, s.meterStop(), s.stoppedAt(), s.reason());
        }
    }

    /** How many transactions {@code facts} start on chargers {@code held}: the numbers {@link #of} needs. */
    public static int transactionsStarted(Function<String, ChargerState> held, List<Fact> facts) {
        return (int) facts.stream()
                .filter(f -> f instanceof Fact.TransactionStarted && held.apply(f.chargerId()) != null)
                .count();
    }

    /**
     * The plan of {@code facts} on the states {@code held} gives (null: a charger no longer held, whose facts are
     * skipped, as for one removed from the back office while its session closed). A 1.6 StartTransaction takes
     * the next of {@code transactionIds} and is, for the model, the transaction changing on its connector; a
     * StopTransaction of a transaction started in the same batch closes that one row rather than a later update.
     */
    public static BatchPlan of(Function<String, ChargerState> held, List<Fact> facts, List<Integer> transactionIds) {
        Map<String, ChargerState> next = new LinkedHashMap<>();
        Map<String, ConnectorRow> connectors = new LinkedHashMap<>();
        List<Change> changes = new ArrayList<>();
        Object[] answers = new Object[facts.size()];
        Map<String, Fact.Booted> boots = new HashMap<>();
        Map<String, String> versions = new HashMap<>();
        Map<Integer, TransactionRow> opened = new LinkedHashMap<>();
        List<TransactionRow> stopped = new ArrayList<>();
        int nextTransaction = 0;
        for (int f = 0; f < facts.size(); f++) {
            Fact fact = facts.get(f);
            ChargerState state =
                    next.containsKey(fact.chargerId()) ? next.get(fact.chargerId()) : held.apply(fact.chargerId());
            if (state == null) {
                continue;
            }
            if (fact instanceof Fact.Booted boot) {
                boots.put(boot.chargerId(), boot);
            }
            if (fact instanceof Fact.Connected connected) {
                versions.put(connected.chargerId(), connected.ocppVersion());
            }
            Fact applied = fact;
            Integer startedId = null;
            if (fact instanceof Fact.TransactionStarted t) {
                int id = transactionIds.get(nextTransaction++);
                startedId = id;
                opened.put(
                        id,
                        new TransactionRow(
                                id,
                                t.chargerId(),
                                t.connectorId(),
                                t.idTag(),
                                t.meterStart(),
                                t.startedAt(),
                                null,
                                null,
                                null));
                applied = new Fact.TransactionChanged(t.chargerId(), t.connectorId(), id, t.receivedAt());
            } else if (fact instanceof Fact.TransactionStopped t) {
                TransactionRow same = opened.get(t.transactionId());
                if (same != null && same.chargerId().equals(t.chargerId())) {
                    opened.put(t.transactionId(), same.stoppedBy(t));
                } else {
                    stopped.add(TransactionRow.stop(t));
                }
            }
            StatusModel.Outcome outcome = StatusModel.apply(state, applied);
            next.put(state.id(), outcome.state());
            changes.addAll(outcome.changes());
            answers[f] = startedId != null
                    ? startedId
                    : (Object) outcome.changes().stream().anyMatch(Change::applied);
            for (int connectorId : outcome.connectorsTouched()) {
                connectors.put(
                        state.id() + "/" + connectorId,
                        new ConnectorRow(
                                state.id(), outcome.state().connectors().get(connectorId)));
            }
        }
        return new BatchPlan(
                next,
                new ArrayList<>(connectors.values()),
                changes,
                answers,
                boots,
                versions,
                new ArrayList<>(opened.values()),
                stopped);
    }
}
