package io.chargerstatus.testkit;

import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A real Server-Sent Events subscriber over HTTP, parsing the stream as a browser's EventSource would. */
public final class SseClient implements AutoCloseable {
    private static final HttpClient HTTP = TestCharger.VERTX.createHttpClient();

    public final BlockingQueue<JsonObject> events = new LinkedBlockingQueue<>();
    public final List<Long> ids = new ArrayList<>();
    public final BlockingQueue<String> comments = new LinkedBlockingQueue<>();
    public final CompletableFuture<Void> ended = new CompletableFuture<>();
    public final int status;
    public final String contentType;
    private final HttpClientResponse response;
    private final StringBuilder pending = new StringBuilder();

    private SseClient(HttpClientResponse response) {
        this.response = response;
        this.status = response.statusCode();
        this.contentType = response.getHeader("Content-Type");
        if (status != 200) {
            // A refusal is a short JSON body that may be read whole before these handlers could be set
            // (setting them then throws): read it as a body, there is no stream.
            try {
                response.body().onComplete(ar -> ended.complete(null));
            } catch (IllegalStateException alreadyRead) {
                ended.complete(null);
            }
            return;
        }
        response.handler(buffer -> parse(buffer.toString()));
        response.endHandler(v -> ended.complete(null));
        response.exceptionHandler(e -> ended.complete(null));
        response.request().connection().closeHandler(v -> ended.complete(null));
    }

    /** Opens {@code /api/v1/events} + query with the given token and optional Last-Event-ID. */
    public static SseClient open(TestService s, String token, String query, Long lastEventId) {
        RequestOptions o = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost("127.0.0.1")
                .setPort(s.httpPort)
                .setURI("/api/v1/events" + (query == null ? "" : query));
        if (token != null) {
            o.putHeader("Authorization", "Bearer " + token);
        }
        if (lastEventId != null) {
            o.putHeader("Last-Event-ID", String.valueOf(lastEventId));
        }
        try {
            // Handlers are set on the event loop as the response arrives, so that no early chunk is lost.
            return HTTP.request(o)
                    .compose(req -> req.send())
                    .map(SseClient::new)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private synchronized void parse(String chunk) {
        pending.append(chunk);
        int end;
        while ((end = pending.indexOf("\n\n")) >= 0) {
            String block = pending.substring(0, end);
            pending.delete(0, end + 2);
            String data = null;
            Long id = null;
            for (String line : block.split("\n")) {
                if (line.startsWith(":")) {
                    comments.add(line.substring(1).trim());
                } else if (line.startsWith("data: ")) {
                    data = line.substring(6);
                } else if (line.startsWith("id: ")) {
                    id = Long.parseLong(line.substring(4));
                }
            }
            if (data != null) {
                JsonObject event = new JsonObject(data);
                if (id == null || id.longValue() != event.getLong("seq")) {
                    throw new AssertionError("SSE id " + id + " differs from seq " + event.getLong("seq"));
                }
                ids.add(id);
                events.add(event);
            }
        }
    }

    /** The ids received so far, in order. */
    public synchronized List<Long> idsSoFar() {
        return new ArrayList<>(ids);
    }

    /** The next event, or null after {@code millis}. */
    public JsonObject next(long millis) throws InterruptedException {
        return events.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** Skips events until one matches; fails after {@code millis}. */
    public JsonObject await(Predicate<JsonObject> match, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline) {
            JsonObject e = events.poll(deadline - System.currentTimeMillis(), TimeUnit.MILLISECONDS);
            if (e != null && match.test(e)) {
                return e;
            }
        }
        throw new AssertionError("no matching SSE event within " + millis + " ms");
    }

    /** The next event of {@code chargerId} with that charger-level status. */
    public JsonObject awaitStatus(String chargerId, String status) throws InterruptedException {
        return await(e -> chargerId.equals(e.getString("chargerId")) && status.equals(e.getString("status")), 30_000);
    }

    @Override
    public void close() {
        response.request().connection().close();
    }
}
