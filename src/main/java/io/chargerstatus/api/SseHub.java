package io.chargerstatus.api;

import io.chargerstatus.bus.Bus;
import io.chargerstatus.infra.Metrics;
import io.chargerstatus.status.Change;
import io.chargerstatus.status.ConnectorState;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The Server-Sent Events stream of status changes, written by hand (Vert.x has no server-side SSE).
 *
 * <p><b>No gap, no duplicate on resume</b>: a client resuming after id N is registered first and buffers
 * live events while the history after N is replayed; then the buffer is flushed, skipping what the
 * replay already sent (every write moves the client's last sequence; anything at or below it is
 * skipped). Changes are published only after their commit, so the replay query sees every change that
 * the subscription missed.
 *
 * <p><b>Replays cannot starve the API</b>: the history is read through a store of its own (a small pool
 * that REST and health never wait behind), a page at a time, each page only once the client has taken
 * the previous one.
 *
 * <p><b>Bounded memory</b>: a live client whose write queue is full, or whose replay buffer grows past
 * its cap, is disconnected; it resumes with {@code Last-Event-ID}.
 */
public final class SseHub {
    private static final int REPLAY_PAGE = 500;

    private final Vertx vertx;
    private final BackOfficeStore store;
    private final Metrics metrics;
    private final Clock clock;
    private final int maxQueueBytes;
    private final int maxReplayBuffer;
    private final Set<Client> clients = new LinkedHashSet<>();

    private static final class Client {
        final HttpServerResponse response;
        final String accountId;
        final String tokenId;
        long lastSeq;
        boolean live;
        final ArrayDeque<Frame> pending = new ArrayDeque<>();

        Client(HttpServerResponse response, String accountId, String tokenId, long lastSeq, boolean live) {
            this.response = response;
            this.accountId = accountId;
            this.tokenId = tokenId;
            this.lastSeq = lastSeq;
            this.live = live;
        }
    }

    /** One serialised event, shared by every client it goes to. */
    private record Frame(long seq, String accountId, String text) {}

    public SseHub(
            Vertx vertx, BackOfficeStore store, Metrics metrics, Clock clock, int maxQueueBytes, int maxReplayBuffer) {
        this.vertx = vertx;
        this.store = store;
        this.metrics = metrics;
        this.clock = clock;
        this.maxQueueBytes = maxQueueBytes;
        this.maxReplayBuffer = maxReplayBuffer;
    }

    /**
     * Serves {@code GET /api/v1/events} for a principal already scoped to {@code accountId} (null: all),
     * authenticated by the API token {@code tokenId} (null: the admin token).
     */
    public void attach(RoutingContext ctx, String accountId, String tokenId, Long lastEventId) {
        HttpServerResponse response = ctx.response();
        response.setChunked(true)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-cache")
                .putHeader("Connection", "keep-alive")
                .putHeader("X-Accel-Buffering", "no")
                .setWriteQueueMaxSize(maxQueueBytes);
        Client client =
                new Client(response, accountId, tokenId, lastEventId == null ? 0 : lastEventId, lastEventId == null);
        clients.add(client);
        metrics.sseClientAttached();
        response.closeHandler(v -> detach(client));
        response.write("retry: 2000\n: connected\n\n");
        if (lastEventId != null) {
            replay(client).onComplete(ar -> {
                if (ar.failed()) {
                    disconnect(client);
                    return;
                }
                client.live = true;
                while (!client.pending.isEmpty() && clients.contains(client)) {
                    offer(client, client.pending.poll());
                }
            });
        }
    }

    private Future<Void> replay(Client client) {
        return store.eventsAfter(client.lastSeq, client.accountId, REPLAY_PAGE).compose(events -> {
            for (JsonObject e : events) {
                write(client, e.getLong("seq"), e.encode());
            }
            if (events.size() < REPLAY_PAGE || !clients.contains(client)) {
                return Future.succeededFuture();
            }
            return drained(client).compose(v -> replay(client));
        });
    }

    /** Completes when the client's write queue has room again (replay waits; live events do not). */
    private Future<Void> drained(Client client) {
        if (!client.response.writeQueueFull()) {
            return Future.succeededFuture();
        }
        Promise<Void> promise = Promise.promise();
        client.response.drainHandler(v -> promise.tryComplete());
        return promise.future();
    }

    /** A committed change from the status engine. */
    public void publish(Bus.Committed committed) {
        if (clients.isEmpty()) {
            return;
        }
        Change c = committed.change();
        Frame frame = new Frame(committed.seq(), c.accountId(), json(committed).encode());
        List<Client> snapshot = new ArrayList<>(clients);
        for (Client client : snapshot) {
            if (client.accountId == null || client.accountId.equals(frame.accountId())) {
                if (client.live) {
                    offer(client, frame);
                } else if (client.pending.size() >= maxReplayBuffer) {
                    disconnect(client);
                } else {
                    client.pending.add(frame);
                }
            }
        }
        metrics.eventLatency(Duration.between(c.receivedAt(), clock.instant()));
    }

    private void offer(Client client, Frame frame) {
        if (frame.seq() <= client.lastSeq) {
            return;
        }
        if (client.response.writeQueueFull()) {
            disconnect(client); // too slow: it resumes with Last-Event-ID instead of growing our heap
            return;
        }
        write(client, frame.seq(), frame.text());
    }

    private void write(Client client, long seq, String json) {
        client.lastSeq = seq;
        client.response.write("id: " + seq + "\nevent: status\ndata: " + json + "\n\n");
    }

    /** The keep-alive comment; also finds clients that stopped reading. */
    public void ping() {
        for (Client client : new ArrayList<>(clients)) {
            if (client.response.writeQueueFull()) {
                disconnect(client);
            } else {
                client.response.write(": ping\n\n");
            }
        }
    }

    /** Ends every stream cleanly (shutdown); clients resume elsewhere with Last-Event-ID. */
    public Future<?> closeAll() {
        List<Future<Void>> ends = new ArrayList<>();
        for (Client client : new ArrayList<>(clients)) {
            ends.add(client.response.end());
        }
        return Future.join(ends);
    }

    /** Ends the streams opened with a token that was just revoked: access ends with the token, not at the next reconnect. */
    public void revoked(String tokenId) {
        for (Client client : new ArrayList<>(clients)) {
            if (tokenId.equals(client.tokenId)) {
                detach(client);
                client.response.end();
            }
        }
    }

    private void disconnect(Client client) {
        detach(client);
        metrics.sseClientCut();
        client.response.reset();
    }

    private void detach(Client client) {
        if (clients.remove(client)) {
            metrics.sseClientDetached();
        }
    }

    /** The event as the contract shows it. */
    static JsonObject json(Bus.Committed committed) {
        Change c = committed.change();
        ConnectorState k = c.connector();
        JsonObject connector = k == null
                ? null
                : new JsonObject()
                        .put("connectorId", k.connectorId())
                        .put("status", k.status().name())
                        .put("ocppStatus", k.ocppStatus())
                        .put("errorCode", k.errorCode())
                        .put("vendorErrorCode", k.vendorErrorCode());
        return Events.json(
                committed.seq(),
                c.chargerId(),
                c.accountId(),
                c.siteId(),
                c.status().name(),
                c.previousStatus() == null ? null : c.previousStatus().name(),
                c.faultCode(),
                connector,
                c.timestamp().toString(),
                c.receivedAt().toString());
    }
}
