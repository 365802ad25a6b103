package io.chargerstatus.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("The status model of docs/status-model.md, as pure functions")
class StatusModelTest {
    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    private static ChargerState online() {
        ChargerState s = ChargerState.added("CP", "acme", null, T0);
        s = StatusModel.apply(s, new Fact.Connected("CP", "s1", "1.6", T0)).state();
        return StatusModel.apply(s, new Fact.Booted("CP", "ACME", "AC22", "1.0", T0))
                .state();
    }

    private static StatusModel.Outcome report(
            ChargerState s, int connector, String ocpp, String error, String vendor, Instant ts) {
        return StatusModel.apply(s, new Fact.StatusReported("CP", connector, ocpp, error, vendor, null, ts, ts));
    }

    private static ChargerState with(ChargerState s, int connector, String ocpp) {
        return report(s, connector, ocpp, ocpp.equals("Faulted") ? "GroundFailure" : "NoError", null, Instant.now())
                .state();
    }

    @ParameterizedTest(name = "OCPP 1.6 {0} -> {1}")
    @CsvSource({
        "Available,Available",
        "Preparing,Preparing",
        "Charging,Charging",
        "SuspendedEV,Completed",
        "SuspendedEVSE,Paused",
        "Finishing,Finishing",
        "Reserved,Unavailable",
        "Unavailable,Unavailable",
        "Faulted,Faulted"
    })
    @DisplayName("every ChargePointStatus maps to its back-office status")
    void mapping(String ocpp, Status expected) {
        assertEquals(expected, StatusModel.fromOcpp16(ocpp));
        ChargerState s = with(online(), 1, ocpp);
        assertEquals(expected, s.status());
        assertEquals(ocpp, s.connectors().get(1).ocppStatus());
    }

    @ParameterizedTest(name = "{0} + {1} -> {2}")
    @CsvSource({
        "Faulted,Charging,Faulted",
        "Charging,SuspendedEVSE,Charging",
        "SuspendedEVSE,SuspendedEV,Paused",
        "SuspendedEV,Finishing,Completed",
        "Finishing,Preparing,Finishing",
        "Preparing,Available,Preparing",
        "Available,Unavailable,Available",
        "Unavailable,Reserved,Unavailable"
    })
    @DisplayName("the most significant connector status is the charger's")
    void aggregation(String first, String second, Status expected) {
        assertEquals(expected, with(with(online(), 1, first), 2, second).status());
        assertEquals(expected, with(with(online(), 1, second), 2, first).status());
    }

    @Test
    @DisplayName("connector 0 Faulted or Unavailable overrides the connectors; Available does not")
    void connectorZero() {
        ChargerState charging = with(online(), 1, "Charging");
        assertEquals(Status.Unavailable, with(charging, 0, "Unavailable").status());
        assertEquals(Status.Faulted, with(charging, 0, "Faulted").status());
        assertEquals(Status.Charging, with(charging, 0, "Available").status());
    }

    @Test
    @DisplayName("Unknown until the first boot, Offline after it when the session closes")
    void unknownAndOffline() {
        ChargerState added = ChargerState.added("CP", "acme", null, T0);
        assertEquals(Status.Unknown, added.status());
        ChargerState connected = StatusModel.apply(added, new Fact.Connected("CP", "s1", "1.6", T0))
                .state();
        assertEquals(Status.Unknown, connected.status(), "connected but never booted");
        ChargerState gone = StatusModel.apply(connected, new Fact.Disconnected("CP", "s1", "closed", T0))
                .state();
        assertEquals(Status.Unknown, gone.status());

        ChargerState charging = with(online(), 1, "Charging");
        StatusModel.Outcome offline =
                StatusModel.apply(charging, new Fact.Disconnected("CP", "s1", "closed", T0.plusSeconds(5)));
        assertEquals(Status.Offline, offline.state().status());
        assertNull(offline.changes().get(0).connector(), "a charger-level change has no connector");
        assertEquals(Status.Charging, offline.changes().get(0).previousStatus());
        ChargerState back = StatusModel.apply(offline.state(), new Fact.Connected("CP", "s2", "1.6", T0.plusSeconds(9)))
                .state();
        assertEquals(Status.Charging, back.status(), "a reconnect returns to the last connector statuses");
    }

    @Test
    @DisplayName(
            "a charger that never booted shows its connectors while its session is open (no-boot), Unknown without one")
    void noBoot() {
        ChargerState s = StatusModel.apply(
                        ChargerState.added("CP", "acme", null, T0), new Fact.Connected("CP", "s1", "1.6", T0))
                .state();
        StatusModel.Outcome charging = report(s, 1, "Charging", "NoError", null, T0.plusSeconds(1));
        assertEquals(Status.Charging, charging.state().status());
        assertEquals(Status.Unknown, charging.changes().get(0).previousStatus());
        assertEquals(Status.Charging, charging.changes().get(0).status());
        ChargerState faulted = report(charging.state(), 0, "Faulted", "OtherError", "E1", T0.plusSeconds(2))
                .state();
        assertEquals(Status.Faulted, faulted.status(), "connector 0 still overrides");
        ChargerState gone = StatusModel.apply(faulted, new Fact.Disconnected("CP", "s1", "closed", T0.plusSeconds(3)))
                .state();
        assertEquals(Status.Unknown, gone.status(), "rule 1: no session, never booted");
        ChargerState booted = StatusModel.apply(
                        StatusModel.apply(gone, new Fact.Connected("CP", "s2", "1.6", T0.plusSeconds(4)))
                                .state(),
                        new Fact.Booted("CP", "ACME", "AC22", "1.0", T0.plusSeconds(5)))
                .state();
        assertEquals(Status.Faulted, booted.status(), "the triggered boot changes nothing the connectors said");
    }

    @Test
    @DisplayName("the close of a replaced session does not make the charger Offline")
    void replacedSession() {
        ChargerState s = with(online(), 1, "Available");
        s = StatusModel.apply(s, new Fact.Connected("CP", "s2", "1.6", T0.plusSeconds(1)))
                .state();
        StatusModel.Outcome old =
                StatusModel.apply(s, new Fact.Disconnected("CP", "s1", "replaced", T0.plusSeconds(2)));
        assertEquals(Status.Available, old.state().status());
        assertTrue(old.changes().isEmpty());
    }

    @Test
    @DisplayName("firmware Downloading..Installing is Unavailable until a terminal status or a boot")
    void firmware() {
        ChargerState s = with(online(), 1, "Available");
        for (String busy : List.of("Downloading", "Downloaded", "Installing")) {
            s = StatusModel.apply(s, new Fact.FirmwareReported("CP", busy, T0)).state();
            assertEquals(Status.Unavailable, s.status(), busy);
        }
        assertEquals(
                Status.Available,
                StatusModel.apply(s, new Fact.FirmwareReported("CP", "Installed", T0))
                        .state()
                        .status());
        assertEquals(
                Status.Available,
                StatusModel.apply(s, new Fact.FirmwareReported("CP", "InstallationFailed", T0))
                        .state()
                        .status());
        assertEquals(
                Status.Available,
                StatusModel.apply(s, new Fact.Booted("CP", "ACME", "AC22", "2.0", T0))
                        .state()
                        .status());
    }

    @Test
    @DisplayName(
            "fault code is errorCode/vendorErrorCode while Faulted, null otherwise; warnings stay on the connector")
    void faultCode() {
        ChargerState faulted = report(online(), 1, "Faulted", "GroundFailure", "E-105", T0.plusSeconds(1))
                .state();
        assertEquals(Status.Faulted, faulted.status());
        assertEquals("GroundFailure/E-105", faulted.faultCode());
        ChargerState noVendor = report(online(), 1, "Faulted", "OverCurrentFailure", null, T0.plusSeconds(1))
                .state();
        assertEquals("OverCurrentFailure", noVendor.faultCode());
        ChargerState fixed = report(faulted, 1, "Available", "NoError", null, T0.plusSeconds(2))
                .state();
        assertNull(fixed.faultCode());
        ChargerState warned = report(online(), 1, "Charging", "HighTemperature", null, T0.plusSeconds(1))
                .state();
        assertEquals(Status.Charging, warned.status(), "an error code on a non-faulted status is a warning");
        assertNull(warned.faultCode());
        assertEquals("HighTemperature", warned.connectors().get(1).errorCode());
    }

    @Test
    @DisplayName("a late StatusNotification is recorded, not applied; equal timestamps apply in arrival order")
    void order() {
        ChargerState charging = report(online(), 1, "Charging", "NoError", null, T0.plusSeconds(100))
                .state();
        StatusModel.Outcome late = report(charging, 1, "Faulted", "GroundFailure", null, T0.plusSeconds(50));
        assertEquals(Status.Charging, late.state().status());
        assertEquals(1, late.changes().size());
        assertFalse(late.changes().get(0).applied());
        StatusModel.Outcome same = report(charging, 1, "Finishing", "NoError", null, T0.plusSeconds(100));
        assertEquals(Status.Finishing, same.state().status());
    }

    @Test
    @DisplayName("a timestamp in the future counts as the arrival time and cannot freeze the connector")
    void futureTimestamp() {
        Instant arrival = T0.plusSeconds(10);
        Instant future = T0.plus(Duration.ofDays(365));
        ChargerState s = StatusModel.apply(
                        online(), new Fact.StatusReported("CP", 1, "Charging", "NoError", null, null, future, arrival))
                .state();
        assertEquals(arrival, s.connectors().get(1).reportedAt());
        ChargerState next = StatusModel.apply(
                        s,
                        new Fact.StatusReported(
                                "CP",
                                1,
                                "Finishing",
                                "NoError",
                                null,
                                null,
                                arrival.plusSeconds(1),
                                arrival.plusSeconds(1)))
                .state();
        assertEquals(Status.Finishing, next.status());
    }

    @Test
    @DisplayName("the same status repeated changes nothing and emits no event")
    void idempotence() {
        ChargerState s = report(online(), 1, "Charging", "NoError", null, T0.plusSeconds(1))
                .state();
        StatusModel.Outcome again = report(s, 1, "Charging", "NoError", null, T0.plusSeconds(2));
        assertTrue(again.changes().isEmpty());
        assertEquals(
                s.connectors().get(1).since(), again.state().connectors().get(1).since());
        assertTrue(StatusModel.apply(again.state(), new Fact.Booted("CP", "A", "B", "1", T0.plusSeconds(3)))
                .changes()
                .isEmpty());
    }

    @Test
    @DisplayName("each connector change is one event carrying the charger-level status after it")
    void events() {
        ChargerState s = with(online(), 1, "Charging");
        StatusModel.Outcome o = report(s, 2, "Preparing", "NoError", null, Instant.now());
        assertEquals(1, o.changes().size());
        Change c = o.changes().get(0);
        assertEquals(Status.Charging, c.status());
        assertEquals(Status.Charging, c.previousStatus());
        assertEquals(2, c.connector().connectorId());
        assertEquals(Status.Preparing, c.connector().status());
    }
}
