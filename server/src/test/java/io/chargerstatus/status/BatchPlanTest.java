package io.chargerstatus.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A batch's plan: states, rows, transactions and answers from facts, without a database")
class BatchPlanTest {
    private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");

    private static ChargerState online(String id) {
        ChargerState s = ChargerState.added(id, "acme", null, T0);
        s = StatusModel.apply(s, new Fact.Connected(id, "s-" + id, "1.6", T0)).state();
        return StatusModel.apply(s, new Fact.Booted(id, "ACME", "AC22", "1.0", T0))
                .state();
    }

    private static Fact status(String id, int connector, String ocpp, int second) {
        return new Fact.StatusReported(
                id, connector, ocpp, "NoError", null, null, T0.plusSeconds(second), T0.plusSeconds(second));
    }

    @Test
    @DisplayName("two chargers' facts: each charger's last state, each touched connector once, changes in order")
    void statesAndRows() {
        Map<String, ChargerState> held = Map.of("A", online("A"), "B", online("B"));
        List<Fact> facts = List.of(
                status("A", 1, "Preparing", 1),
                status("B", 1, "Available", 2),
                status("A", 1, "Charging", 3),
                status("A", 1, "Charging", 4)); // the same again: no change
        BatchPlan plan = BatchPlan.of(held::get, facts, List.of());
        assertEquals(List.of("A", "B"), List.copyOf(plan.next().keySet()), "in the order first touched");
        assertEquals(Status.Charging, plan.next().get("A").status());
        assertEquals(2, plan.connectors().size(), "A/1 once, at its last state, and B/1");
        assertEquals("Charging", plan.connectors().get(0).connector().ocppStatus());
        assertEquals(List.of(true, true, true, false), List.of(plan.answers()), "whether each changed a status");
        assertEquals(
                List.of("A:Preparing", "B:Available", "A:Charging"),
                plan.changes().stream()
                        .map(c -> c.chargerId() + ":" + c.status())
                        .toList(),
                "the changes in the order they happened");
    }

    @Test
    @DisplayName(
            "StartTransaction takes the next number and is a transaction change; a stop in the same batch is one row")
    void transactions() {
        Map<String, ChargerState> held = Map.of("A", online("A"));
        List<Fact> facts = List.of(
                status("A", 1, "Preparing", 1),
                new Fact.TransactionStarted("A", 1, "TAG", 100, T0, T0),
                new Fact.TransactionStarted("A", 2, "TAG2", 200, T0, T0),
                new Fact.TransactionStopped("A", 41, 180, T0.plusSeconds(9), "Local", T0.plusSeconds(9)),
                new Fact.TransactionStopped("A", 7, 90, T0.plusSeconds(9), "Remote", T0.plusSeconds(9)));
        assertEquals(2, BatchPlan.transactionsStarted(held::get, facts));
        BatchPlan plan = BatchPlan.of(held::get, facts, List.of(41, 42));
        assertEquals(41, plan.answers()[1], "the number the charger is told");
        assertEquals(42, plan.answers()[2]);
        assertEquals(42, plan.next().get("A").connectors().get(2).transactionId(), "on its connector");
        assertNull(plan.next().get("A").connectors().get(1).transactionId(), "41 stopped in the same batch");
        assertEquals(2, plan.started().size());
        BatchPlan.TransactionRow closed = plan.started().get(0);
        assertEquals(41, closed.id());
        assertEquals(180, closed.meterStop(), "started and stopped in one batch: one insert with its stop");
        assertNull(plan.started().get(1).meterStop());
        assertEquals(1, plan.stopped().size(), "a transaction of an earlier batch is updated");
        assertEquals(7, plan.stopped().get(0).id());
        assertEquals("Remote", plan.stopped().get(0).stopReason());
    }

    @Test
    @DisplayName("a charger no longer held is skipped; boots and session versions are kept for the rows")
    void skippedBootsVersions() {
        Map<String, ChargerState> held = Map.of("A", ChargerState.added("A", "acme", null, T0));
        List<Fact> facts = List.of(
                new Fact.Connected("A", "s1", "2.0.1", T0),
                new Fact.Booted("A", "ACME", "AC22", "2.0", T0),
                status("GONE", 1, "Charging", 1),
                new Fact.TransactionStarted("GONE", 1, "TAG", 0, T0, T0));
        assertEquals(0, BatchPlan.transactionsStarted(held::get, facts), "no number for a charger not held");
        BatchPlan plan = BatchPlan.of(held::get, facts, List.of());
        assertEquals(List.of("A"), List.copyOf(plan.next().keySet()));
        assertEquals("2.0.1", plan.versions().get("A"));
        assertEquals("2.0", plan.boots().get("A").firmwareVersion());
        assertNull(plan.answers()[2], "a skipped fact has no answer");
        assertTrue(plan.started().isEmpty());
        assertEquals(Status.Available, plan.next().get("A").status());
    }
}
