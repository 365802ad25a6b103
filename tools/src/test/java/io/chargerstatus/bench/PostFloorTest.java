package io.chargerstatus.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The bench's webhook receiver and the floor of one POST")
class PostFloorTest {

    @Test
    @DisplayName("every floor POST reaches the receiver as a status.changed message of seq 0; a reset forgets "
            + "what it counted, so a later wait for a seq is not passed by the floor's")
    void floorAgainstReceiver() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            WebhookReceiver receiver = new WebhookReceiver(vertx, 0);
            JsonObject floor = PostFloor.measure(receiver.url());
            assertEquals(50_000, floor.getInteger("posts"));
            assertTrue(floor.getDouble("clientCpuUsPerPost") > 0, floor.encode());
            assertTrue(floor.getDouble("postsPerSecond") > 0, floor.encode());
            assertEquals(70_000, receiver.statusCount.get(), "warm-up and measured POSTs, each counted once");
            assertEquals(0, receiver.lastSeq.get());
            assertEquals(70_000, receiver.lag().getLong("delivered"));
            receiver.reset();
            assertEquals(0, receiver.statusCount.get());
            assertEquals(0, receiver.lag().getLong("delivered"));
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }
}
