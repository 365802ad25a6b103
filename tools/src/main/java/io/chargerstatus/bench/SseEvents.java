package io.chargerstatus.bench;

import static io.chargerstatus.bench.Measure.await;
import static io.chargerstatus.bench.Measure.log;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An SSE subscriber of the service that counts events of one charger prefix and records latencies. Like a
 * dashboard, it resumes with Last-Event-ID when its stream ends (a slow client is cut by the service), so
 * that a count is never short; every resume is logged with its cause and counted.
 */
final class SseEvents {
    final AtomicLong count = new AtomicLong();
    final AtomicLong resumes = new AtomicLong();
    private final Vertx vertx = Vertx.vertx();
    private final HttpClient client = vertx.createHttpClient();
    private final String prefix;
    private final int port;
    private volatile List<Double> window;
    private volatile long windowStartNanos;
    private volatile long windowStartCount;
    private volatile boolean closed;
    private volatile long lastSeq = -1;
    private volatile HttpClientResponse response;

    private SseEvents(int port, String prefix) {
        this.port = port;
        this.prefix = prefix;
    }

    static SseEvents open(int port, String prefix) throws Exception {
        SseEvents e = new SseEvents(port, prefix);
        e.response = await(e.connect());
        return e;
    }

    private Future<HttpClientResponse> connect() {
        RequestOptions o = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost("127.0.0.1")
                .setPort(port)
                .setURI("/api/v1/events")
                .putHeader("Authorization", "Bearer " + Bench.TOKEN);
        if (lastSeq >= 0) {
            o.putHeader("Last-Event-ID", String.valueOf(lastSeq));
        }
        return client.request(o).compose(req -> req.send()).map(resp -> {
            StringBuilder pending = new StringBuilder();
            resp.handler(b -> {
                pending.append(b.toString());
                int end;
                while ((end = pending.indexOf("\n\n")) >= 0) {
                    onBlock(pending.substring(0, end));
                    pending.delete(0, end + 2);
                }
            });
            resp.exceptionHandler(err -> resume("error: " + err));
            resp.endHandler(v -> resume("the service ended the stream"));
            return resp;
        });
    }

    private void resume(String cause) {
        if (closed) {
            return;
        }
        resumes.incrementAndGet();
        log("SSE stream on port %d (%s) ended after seq %d: %s; resuming", port, prefix, lastSeq, cause);
        vertx.setTimer(
                500, t -> connect().onSuccess(r -> response = r).onFailure(err -> resume("resume failed: " + err)));
    }

    private void onBlock(String block) {
        int data = block.indexOf("data: ");
        if (data < 0) {
            return;
        }
        long now = System.currentTimeMillis();
        JsonObject event = new JsonObject(block.substring(data + 6));
        lastSeq = event.getLong("seq");
        if (!event.getString("chargerId").startsWith(prefix)) {
            return;
        }
        count.incrementAndGet();
        List<Double> w = window;
        if (w != null && event.getValue("connector") != null) {
            w.add((double) (now - Instant.parse(event.getString("timestamp")).toEpochMilli()));
        }
    }

    void startWindow() {
        window = Collections.synchronizedList(new ArrayList<>());
        windowStartCount = count.get();
        windowStartNanos = System.nanoTime();
    }

    JsonObject endWindow() {
        double secs = (System.nanoTime() - windowStartNanos) / 1e9;
        List<Double> w = window;
        window = null;
        return new JsonObject()
                .put("seconds", secs)
                .put("perSecond", (count.get() - windowStartCount) / secs)
                .put("latencies", new JsonArray(new ArrayList<>(w)));
    }

    void close() {
        closed = true;
        response.request().connection().close();
        vertx.close();
    }
}
