package io.chargerstatus.resilience;

import static io.chargerstatus.testkit.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chargerstatus.testkit.Api;
import io.chargerstatus.testkit.SseClient;
import io.chargerstatus.testkit.TestCharger;
import io.chargerstatus.testkit.TestDatabase;
import io.chargerstatus.testkit.TestService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A restart of the service on the same database")
class RestartIT {

    @Test
    @DisplayName("ends sessions and streams cleanly, keeps statuses, history and the SSE sequence")
    void restartKeepsEverything() throws Exception {
        String db = TestDatabase.fresh();
        long lastSeq;
        int historyBefore;
        TestCharger cp;
        SseClient watcher;
        try (TestService first = TestService.start(db, Map.of())) {
            Api api = first.api();
            api.charger("acme", "CP-R1");
            watcher = SseClient.open(first, TestService.ADMIN, null, null);
            cp = TestCharger.connect(first, "CP-R1");
            cp.boot();
            cp.status(1, "Charging");
            cp.status(2, "Faulted", "GroundFailure", "E-7", Instant.now());
            JsonArray history =
                    expect(200, api.get("/api/v1/chargers/CP-R1/history")).array();
            historyBefore = history.size();
            lastSeq = history.getJsonObject(0).getLong("seq");
        }
        assertEquals((short) 1001, cp.closed.get(5, TimeUnit.SECONDS), "chargers are told to go away and come back");
        watcher.ended.get(5, TimeUnit.SECONDS);
        assertEquals(
                4,
                watcher.ids.size(),
                "the SSE client got every change, including the Offline of the stop, then the end");
        assertEquals("Offline", new ArrayList<>(watcher.events).get(3).getString("status"));
        try (TestService second = TestService.start(db, Map.of())) {
            Api api = second.api();
            JsonObject row = api.chargerRow("CP-R1");
            assertEquals("Offline", row.getString("status"), "the stop closed the session");
            assertFalse(row.getBoolean("online"));
            assertEquals(2, row.getJsonArray("connectors").size());
            assertEquals(
                    "Faulted", row.getJsonArray("connectors").getJsonObject(1).getString("status"));
            JsonArray history =
                    expect(200, api.get("/api/v1/chargers/CP-R1/history")).array();
            assertTrue(history.size() >= historyBefore + 1, "history kept, plus the Offline of the stop");

            try (SseClient sse = SseClient.open(second, TestService.ADMIN, null, lastSeq)) {
                JsonObject offline = sse.next(30_000);
                assertNotNull(offline, "the Offline recorded at the stop is replayed");
                assertEquals("Offline", offline.getString("status"));
                TestCharger again = TestCharger.connect(second, "CP-R1");
                JsonObject back = sse.next(30_000);
                assertNotNull(back);
                assertEquals("Faulted", back.getString("status"), "back to the last connector statuses");
                assertEquals("GroundFailure/E-7", back.getString("faultCode"));
                assertTrue(
                        back.getLong("seq") > offline.getLong("seq") && offline.getLong("seq") > lastSeq,
                        "the sequence continues across the restart");
                again.close();
            }
        }
    }
}
