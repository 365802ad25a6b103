package io.chargerstatus.bench;

import io.chargerstatus.notify.Signature;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The floor of a webhook delivery on this machine, for {@code bench --phases notify}. */
final class PostFloor {
    private static final int FLOOR_WARM = 20_000;
    private static final int FLOOR_POSTS = 50_000;

    private PostFloor() {}

    /**
     * The least one webhook message can cost its sender here: {@value #FLOOR_POSTS} POSTs of a status.changed
     * body, signed, one at a time (as a subscription's order has them), from a Vert.x HTTP client with the
     * service's options to the same receiver, with nothing else to do: the CPU time of the client's event-loop
     * thread (user and system) per POST. Its garbage collection and the receiver are not counted, so the
     * service cannot deliver for less than this.
     */
    static JsonObject measure(String url) throws Exception {
        Vertx own = Vertx.vertx();
        try {
            HttpClient client = own.createHttpClient(
                    new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(4));
            byte[] key = new byte[32];
            Signature.Signer signer = new Signature.Signer(key);
            String body = "{\"type\":\"status.changed\",\"timestamp\":\"2026-12-07T05:00:00.123456Z\",\"data\":"
                    + "{\"seq\":0,\"chargerId\":\"C-1234\",\"accountId\":\"bench\",\"siteId\":null,"
                    + "\"status\":\"Charging\",\"previousStatus\":\"Preparing\",\"faultCode\":null,\"connector\":"
                    + "{\"connectorId\":1,\"status\":\"Charging\",\"ocppStatus\":\"Charging\",\"errorCode\":\"NoError\","
                    + "\"vendorErrorCode\":null},\"timestamp\":\"2026-12-07T05:00:00.123Z\","
                    + "\"receivedAt\":\"2026-12-07T05:00:00.123456Z\"}}";
            CompletableFuture<long[]> done = new CompletableFuture<>();
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            own.runOnContext(v -> {
                long thread = Thread.currentThread().getId();
                long[] at = new long[2];
                Runnable[] next = new Runnable[1];
                int[] sent = {0};
                next[0] = () -> {
                    if (sent[0] == FLOOR_WARM) {
                        at[0] = threads.getThreadCpuTime(thread);
                        at[1] = System.nanoTime();
                    }
                    if (sent[0] == FLOOR_WARM + FLOOR_POSTS) {
                        done.complete(new long[] {threads.getThreadCpuTime(thread) - at[0], System.nanoTime() - at[1]});
                        return;
                    }
                    String id = "msg_status_" + sent[0]++;
                    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                    long ts = Instant.now().getEpochSecond();
                    client.request(new RequestOptions()
                                    .setMethod(HttpMethod.POST)
                                    .setAbsoluteURI(url)
                                    .setFollowRedirects(false)
                                    .putHeader("content-type", "application/json")
                                    .putHeader("user-agent", "charger-status-webhooks")
                                    .putHeader("webhook-id", id)
                                    .putHeader("webhook-timestamp", String.valueOf(ts))
                                    .putHeader("webhook-signature", signer.sign(id, ts, bytes)))
                            .compose(req -> req.send(Buffer.buffer(bytes)))
                            .compose(response -> response.end())
                            .onSuccess(x -> next[0].run())
                            .onFailure(done::completeExceptionally);
                };
                next[0].run();
            });
            long[] took = done.get(300, TimeUnit.SECONDS);
            return new JsonObject()
                    .put("posts", FLOOR_POSTS)
                    .put("clientCpuUsPerPost", Measure.round(took[0] / 1e3 / FLOOR_POSTS))
                    .put("postsPerSecond", Measure.round(FLOOR_POSTS / (took[1] / 1e9)));
        } finally {
            own.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }
}
