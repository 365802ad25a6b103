package io.chargerstatus.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The service's own meters")
class MetricsTest {

    @Test
    @DisplayName(
            "every counter is exported from the start at zero, and the build is described by charger_status_build_info")
    void countersFromZero() {
        String scrape = new Metrics().registry().scrape();
        for (String sample : new String[] {
            "charger_status_ocpp_callerrors_total{code=\"FormationViolation\"} 0.0",
            "charger_status_ocpp_callerrors_total{code=\"InternalError\"} 0.0",
            "charger_status_ocpp_upgrades_refused_total{reason=\"auth_backoff\"} 0.0",
            "charger_status_ocpp_messages_too_big_total 0.0",
            "charger_status_ocpp_auth_lockouts_total 0.0",
            "charger_status_reports_refused_total 0.0",
            "charger_status_ocpp_throttled_total 0.0",
            "charger_status_build_info{java=\"",
            "charger_status_ocpp_tolerated_total{rule=\"no-boot\"} 0.0",
            "charger_status_ocpp_tolerated_total{rule=\"number-as-string\"} 0.0",
            "charger_status_ocpp_security_events_total{critical=\"true\"} 0.0",
            "charger_status_transitions_total{from=\"Charging\",to=\"Offline\"} 0.0",
            "charger_status_transitions_total{from=\"Unknown\",to=\"Available\"} 0.0",
        }) {
            assertTrue(scrape.contains(sample), "missing from a fresh scrape: " + sample);
        }
        // Every pair of two different statuses, so that increase() sees a mass outage's first jump.
        assertEquals(
                90,
                scrape.lines()
                        .filter(l -> l.startsWith("charger_status_transitions_total{"))
                        .count());
    }
}
