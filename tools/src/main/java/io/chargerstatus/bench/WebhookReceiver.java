package io.chargerstatus.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A webhook receiver on loopback, answering at once or after {@code delayMs}. It shares this JVM with the SSE
 * subscriber whose latencies are the p99: it reads a status.changed message's seq and receivedAt without
 * parsing the whole body and keeps lags in a preallocated array, so that its garbage does not pause the
 * subscriber (an incident message, rare, is parsed whole).
 */
final class WebhookReceiver {
    private static final String STATUS = "{\"type\":\"status.changed\"";
    final AtomicLong statusCount = new AtomicLong();
    final AtomicLong lastSeq = new AtomicLong();
    private final long[] lagsMs = new long[4_000_000];
    private final AtomicInteger lagCount = new AtomicInteger();
    final List<JsonObject> incidents = Collections.synchronizedList(new ArrayList<>());
    final HttpServer server;

    WebhookReceiver(Vertx vertx, long delayMs) throws Exception {
        server = vertx.createHttpServer()
                .requestHandler(req -> req.body().onSuccess(buffer -> {
                    String body = buffer.toString();
                    if (body.startsWith(STATUS)) {
                        statusCount.incrementAndGet();
                        lastSeq.accumulateAndGet(number(body, "\"seq\":"), Math::max);
                        int at = body.indexOf("\"receivedAt\":\"") + 14;
                        long lag = System.currentTimeMillis()
                                - Instant.parse(body.substring(at, body.indexOf('"', at)))
                                        .toEpochMilli();
                        int i = lagCount.getAndIncrement();
                        if (i < lagsMs.length) {
                            lagsMs[i] = lag;
                        }
                    } else {
                        JsonObject m = new JsonObject(body);
                        if ("incident.opened".equals(m.getString("type"))) {
                            incidents.add(m.getJsonObject("data")
                                    .copy()
                                    .put("arrivedAt", Instant.now().toString()));
                        }
                    }
                    if (delayMs > 0) {
                        vertx.setTimer(delayMs, t -> req.response().end());
                    } else {
                        req.response().end();
                    }
                }))
                .listen(0, "127.0.0.1")
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    private static long number(String body, String key) {
        int from = body.indexOf(key) + key.length();
        int to = from;
        while (to < body.length() && Character.isDigit(body.charAt(to))) {
            to++;
        }
        return Long.parseLong(body, from, to, 10);
    }

    String url() {
        return "http://127.0.0.1:" + server.actualPort() + "/hook";
    }

    void reset() {
        statusCount.set(0);
        lastSeq.set(0);
        lagCount.set(0);
        incidents.clear();
    }

    JsonObject lag() {
        int n = Math.min(lagCount.get(), lagsMs.length);
        List<Double> lags = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            lags.add((double) lagsMs[i]);
        }
        return Measure.lags(lags, "delivered", statusCount.get());
    }
}
