package io.chargerstatus.infra;

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
            "charger_status_build_info{java=\""
        }) {
            assertTrue(scrape.contains(sample), "missing from a fresh scrape: " + sample);
        }
    }
}
