package io.chargerstatus.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.chargerstatus.bus.Bus;
import io.chargerstatus.status.Fact;
import io.chargerstatus.testkit.Api;
import io.chargerstatus.testkit.TestCharger;
import io.chargerstatus.testkit.TestDatabase;
import io.chargerstatus.testkit.TestService;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The status engine in the running service: what a batch does with a fact the database refuses. */
@Tag("fault")
@DisplayName("The status engine's batches")
class EngineBatchIT {

    @Test
    @DisplayName("a fact PostgreSQL refuses fails alone: the other facts of its batch are committed")
    void poisonFactIsolated() throws Exception {
        // Sent straight to the engine, past the edge's NUL check, as a value the edge might one day miss would be.
        TestService service = TestService.start(TestDatabase.fresh(), Map.of());
        Api api = service.api();
        for (String id : List.of("ok-1", "ok-2", "ok-3")) {
            api.charger("engine", id);
        }
        List<TestCharger> chargers = new ArrayList<>();
        for (String id : List.of("ok-1", "ok-2", "ok-3")) {
            chargers.add(TestCharger.connect(service, id));
            chargers.get(chargers.size() - 1).boot();
        }
        List<Future<?>> replies = new ArrayList<>();
        Instant now = Instant.now();
        for (int i = 0; i < 20; i++) {
            String charger = "ok-" + (1 + i % 3);
            String info = i == 1 ? "poison\u0000" : null;
            replies.add(service.service
                    .vertx()
                    .eventBus()
                    .request(
                            Bus.FACTS,
                            new Fact.StatusReported(
                                    charger,
                                    1,
                                    i % 2 == 0 ? "Charging" : "SuspendedEV",
                                    "NoError",
                                    null,
                                    info,
                                    now.plusMillis(i),
                                    now.plusMillis(i))));
        }
        Future.join(replies)
                .toCompletionStage()
                .toCompletableFuture()
                .handle((v, e) -> null)
                .get(30, TimeUnit.SECONDS);
        for (int i = 0; i < replies.size(); i++) {
            assertEquals(
                    i != 1, replies.get(i).succeeded(), "fact " + i + (i == 1 ? " (the poison)" : "") + " outcome");
        }
        assertEquals("Charging", api.chargerRow("ok-1").getString("status"));
        chargers.forEach(TestCharger::close);
        service.close();
    }
}
