package io.chargerstatus.resilience;

import static io.chargerstatus.testkit.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chargerstatus.testkit.Api;
import io.chargerstatus.testkit.Reporter;
import io.chargerstatus.testkit.ServiceProcess;
import io.chargerstatus.testkit.TestCharger;
import io.chargerstatus.testkit.TestDatabase;
import io.chargerstatus.testkit.TestService;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The service process is SIGKILLed in the middle of a status stream and started again on the same database. */
@Tag("fault")
@DisplayName("The service killed with SIGKILL under load and restarted")
class ServiceKillIT {

    @Test
    @DisplayName(
            "every status acknowledged before the kill is in the history after the restart, and the dead sessions are Offline")
    void killedAndRestarted() throws Exception {
        String pgUrl = TestDatabase.fresh();
        ServiceProcess first = new ServiceProcess(pgUrl, "kill-first", Map.of());
        TestService view = first.view();
        Api api = view.api();
        List<Reporter> reporters = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            TestCharger cp =
                    TestCharger.connect(view, api.charger("killed", "K-" + i).getString("id"));
            cp.boot();
            reporters.add(new Reporter(cp));
        }
        reporters.forEach(Thread::start);
        eventually(() -> assertTrue(reporters.stream().allMatch(r -> r.acknowledged.size() >= 5)), 60);

        first.kill();
        reporters.forEach(r -> r.running.set(false));
        for (Reporter r : reporters) {
            r.join(30_000);
        }

        ServiceProcess second = new ServiceProcess(pgUrl, "kill-second", Map.of());
        try {
            Api after = second.view().api();
            for (Reporter r : reporters) {
                r.assertKept(after);
                JsonObject row = after.chargerRow(r.charger.id);
                assertEquals("Offline", row.getString("status"), r.charger.id + "'s session died with the process");
                assertEquals(false, row.getBoolean("online"));
            }
        } finally {
            second.process.destroy();
            second.process.waitFor();
        }
    }
}
