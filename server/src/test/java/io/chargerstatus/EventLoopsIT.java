package io.chargerstatus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chargerstatus.testkit.TestDatabase;
import io.chargerstatus.testkit.TestService;
import io.netty.channel.EventLoop;
import io.vertx.core.Context;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.deployment.DeploymentContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Every verticle instance on an event loop of its own")
class EventLoopsIT {

    @Test
    @DisplayName("the engine, the OCPP instances, HTTP, the evaluator, the deliverer, maintenance and the roll-up"
            + " share no event loop")
    void noSharedLoops() throws Exception {
        try (TestService s = TestService.start(TestDatabase.fresh(), Map.of("OCPP_INSTANCES", "3"))) {
            VertxInternal vertx = (VertxInternal) s.service.vertx();
            Map<EventLoop, String> owners = new HashMap<>();
            int instances = 0;
            for (DeploymentContext d : vertx.deploymentManager().deployments()) {
                for (Context c : d.deployment().contexts()) {
                    instances++;
                    String name = d.deployment().identifier() + " " + d.id();
                    String other = owners.put(((ContextInternal) c).nettyEventLoop(), name);
                    assertEquals(null, other, name + " shares an event loop with " + other);
                }
            }
            // The engine, 3 OCPP, HTTP, the evaluator, the deliverer, history maintenance, the roll-up.
            assertTrue(instances >= 9, "verticle instances found: " + instances + " " + List.copyOf(owners.values()));
        }
    }
}
