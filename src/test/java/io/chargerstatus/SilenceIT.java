package io.chargerstatus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.chargerstatus.testkit.Api;
import io.chargerstatus.testkit.Await;
import io.chargerstatus.testkit.TestCharger;
import io.chargerstatus.testkit.TestService;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A charger silent past OFFLINE_AFTER_S")
class SilenceIT {

    @Test
    @DisplayName("is Offline and its session is closed")
    void silentChargerGoesOffline() throws Exception {
        // No WebSocket pings in this test: a pong would count as a sign of life.
        try (TestService service = TestService.start(Map.of("OFFLINE_AFTER_S", "2", "WS_PING_INTERVAL_S", "3600"))) {
            Api api = service.api();
            api.charger("quiet", "CP-S1");
            TestCharger cp = TestCharger.connect(service, "CP-S1");
            cp.boot();
            cp.status(1, "Available");
            assertEquals("Available", api.chargerRow("CP-S1").getString("status"));
            short code = cp.closed.get(6, TimeUnit.SECONDS);
            assertEquals(1001, code);
            Await.eventually(
                    () -> assertEquals("Offline", api.chargerRow("CP-S1").getString("status")));
        }
    }

    @Test
    @DisplayName("stays Online while it answers the service's WebSocket pings")
    void pongsKeepItOnline() throws Exception {
        try (TestService service = TestService.start(Map.of("OFFLINE_AFTER_S", "2", "WS_PING_INTERVAL_S", "1"))) {
            Api api = service.api();
            api.charger("quiet", "CP-S2");
            TestCharger cp = TestCharger.connect(service, "CP-S2");
            cp.boot();
            Thread.sleep(4000);
            assertEquals("Available", api.chargerRow("CP-S2").getString("status"));
            cp.close();
        }
    }
}
