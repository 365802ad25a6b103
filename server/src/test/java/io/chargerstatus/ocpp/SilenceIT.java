package io.chargerstatus.ocpp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.chargerstatus.testkit.Api;
import io.chargerstatus.testkit.Await;
import io.chargerstatus.testkit.TestCharger;
import io.chargerstatus.testkit.TestService;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
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
            // A charger connected after CP-S2 that never answers pings (a raw socket that stops reading
            // after its boot) going Offline proves OFFLINE_AFTER_S has passed for CP-S2 too: no sleep.
            api.charger("quiet", "CP-S3");
            try (Socket mute = muteCharger(service, "CP-S3")) {
                Await.eventually(
                        () -> assertEquals("Offline", api.chargerRow("CP-S3").getString("status")), 60);
                assertEquals("Available", api.chargerRow("CP-S2").getString("status"));
            }
            cp.close();
        }
    }

    /** A charger on a raw socket: upgrades, boots, then never reads or answers anything again. */
    private static Socket muteCharger(TestService service, String id) throws Exception {
        Socket socket = new Socket("127.0.0.1", service.ocppPort);
        OutputStream out = socket.getOutputStream();
        out.write(("GET /ocpp/" + id + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                        + "Sec-WebSocket-Protocol: ocpp1.6\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        byte[] boot = "[2,\"b\",\"BootNotification\",{\"chargePointVendor\":\"ACME\",\"chargePointModel\":\"M\"}]"
                .getBytes(StandardCharsets.UTF_8);
        byte[] mask = {1, 2, 3, 4};
        out.write(new byte[] {(byte) 0x81, (byte) (0x80 | boot.length)});
        out.write(mask);
        for (int i = 0; i < boot.length; i++) {
            out.write(boot[i] ^ mask[i % 4]);
        }
        out.flush();
        return socket;
    }
}
