package io.chargerstatus.testkit;

import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP server receiving webhooks on loopback, as a subscriber's would: it records every request
 * (headers and raw body) and answers as the test sets it: {@code answer} (a status code), or not at all
 * while {@code hang} is set.
 */
public final class Receiver implements AutoCloseable {
    /** One request as received. */
    public record Request(String id, String timestamp, String signature, String body) {
        public JsonObject json() {
            return new JsonObject(body);
        }

        public String type() {
            return json().getString("type");
        }

        /** The shape verify.mjs reads. */
        public JsonObject forVerifier() {
            return new JsonObject()
                    .put(
                            "headers",
                            new JsonObject()
                                    .put("webhook-id", id)
                                    .put("webhook-timestamp", timestamp)
                                    .put("webhook-signature", signature))
                    .put("body", body);
        }
    }

    public final List<Request> requests = new CopyOnWriteArrayList<>();
    /** Requests answered 2xx, in the order they were answered. */
    public final List<Request> delivered = new CopyOnWriteArrayList<>();

    public volatile int answer = 200;
    public volatile boolean hang;
    private final HttpServer server;

    public Receiver() {
        try {
            server = TestCharger.VERTX
                    .createHttpServer()
                    .requestHandler(req -> req.body().onSuccess(body -> {
                        Request r = new Request(
                                req.getHeader("webhook-id"),
                                req.getHeader("webhook-timestamp"),
                                req.getHeader("webhook-signature"),
                                body.toString());
                        requests.add(r);
                        if (hang) {
                            return; // never answers: the service's deadline must end the attempt
                        }
                        int code = answer;
                        if (code >= 200 && code < 300) {
                            delivered.add(r);
                        }
                        req.response().setStatusCode(code).end();
                    }))
                    .listen(0, "127.0.0.1")
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("receiver did not start", e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.actualPort() + "/hooks";
    }

    public List<Request> delivered(String type) {
        return delivered.stream().filter(r -> type.equals(r.type())).toList();
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
