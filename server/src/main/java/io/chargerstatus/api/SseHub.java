package io.chargerstatus.api;

import io.chargerstatus.bus.Bus;
import io.chargerstatus.infra.Metrics;
import io.chargerstatus.status.Change;
import io.chargerstatus.store.EventHistory;
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
import java.util.TreeMap;

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
 * <p><b>One order on every instance</b>: engines of several instances publish their batches, each with
 * the seq range it took, and the bus delivers batches of different senders in no common order. The hub
 * releases ranges strictly in seq order: a batch that arrives ahead of a missing range waits; a range
 * still missing after {@link #GAP_WAIT_MS} (its publisher died between commit and publish, or the bus
 * lost it) is read from the history, which holds it because seqs commit in order. A publication lost when
 * nothing follows it is found by comparing the hub's position with the counter every few seconds.
 *
 * <p><b>Bounded memory</b>: a live client whose write queue is full, or whose replay buffer grows past
 * its cap, is disconnected; it resumes with {@code Last-Event-ID}.
 */
public final class SseHub {
    private static final int REPLAY_PAGE = 500;
    /** How long a batch waits for the range before it to arrive on the bus before the hub reads it. */
    static final long GAP_WAIT_MS = 500;
    /** How often the hub checks the counter for publications that never came. */
    private static final long COUNTER_CHECK_MS = 2000;

    private static final int GAP_PAGE = 2000;

    private final Vertx vertx;
    private final EventHistory store;
    private final Metrics metrics;
    private final Clock clock;
    private final int maxQueueBytes;
    private final int maxReplayBuffer;
    private final Set<Client> clients = new LinkedHashSet<>();

    /** The last seq released to clients; -1 until {@link #start} read the counter. */
    private long released = -1;
    /** Batches that arrived ahead of a missing range, by first seq. */
    private final TreeMap<Long, Bus.Batch> waiting = new TreeMap<>();

    private long gapSince;
    private boolean fetching;
    private long lastCounterCheck;
    /** The counter as read at the previous check: anything up to it not released by now was lost on the bus. */
    private long suspect = -1;

    private long timer;

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
            Vertx vertx, EventHistory store, Metrics metrics, Clock clock, int maxQueueBytes, int maxReplayBuffer) {
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

    /**
     * Starts releasing: reads the counter (batches up to it are in the history already, for replays) and
     * checks for missing ranges a few times a second. Batches that arrive before are kept.
     */
    public Future<Void> start() {
        timer = vertx.setPeriodic(100, t -> checkGaps());
        return store.lastSeq().map(last -> {
            released = last;
            waiting.headMap(last + 1).clear();
            releaseInOrder();
            return null;
        });
    }

    public void stop() {
        vertx.cancelTimer(timer);
    }

    /** A batch committed by the status engine of any instance. */
    public void accept(Bus.Batch batch) {
        if (released >= 0 && batch.lastSeq() <= released) {
            return; // read from the history already
        }
        waiting.put(batch.firstSeq(), batch);
        if (released >= 0) {
            releaseInOrder();
        }
    }

    private void releaseInOrder() {
        while (!waiting.isEmpty() && waiting.firstKey() <= released + 1) {
            Bus.Batch batch = waiting.pollFirstEntry().getValue();
            if (batch.lastSeq() <= released) {
                continue;
            }
            released = batch.lastSeq();
            for (Bus.Committed committed : batch.changes()) {
                Change c = committed.change();
                deliver(new Frame(
                        committed.seq(), c.accountId(), committed.event().encode()));
                metrics.eventLatency(Duration.between(c.receivedAt(), clock.instant()));
            }
        }
        gapSince = waiting.isEmpty() ? 0 : gapSince == 0 ? System.nanoTime() : gapSince;
    }

    /** Reads from the history a range that did not arrive on the bus in time, or was never published. */
    private void checkGaps() {
        if (released < 0 || fetching) {
            return;
        }
        long now = System.nanoTime();
        if (!waiting.isEmpty() && now - gapSince > GAP_WAIT_MS * 1_000_000) {
            fill(waiting.firstKey());
        } else if (waiting.isEmpty() && now - lastCounterCheck > COUNTER_CHECK_MS * 1_000_000) {
            lastCounterCheck = now;
            long lost = suspect;
            suspect = -1;
            if (lost > released) {
                fill(lost + 1);
                return;
            }
            fetching = true;
            store.lastSeq().onComplete(ar -> {
                fetching = false;
                suspect = ar.succeeded() ? ar.result() : -1;
            });
        }
    }

    /** Releases from the history every event after {@code released} and before {@code before}. */
    private void fill(long before) {
        fetching = true;
        long from = released;
        store.eventsBetween(from, before, GAP_PAGE).onComplete(ar -> {
            fetching = false;
            if (ar.failed() || released != from) {
                return; // tried again at the next check
            }
            List<JsonObject> events = ar.result();
            metrics.sseGapFilled();
            for (JsonObject e : events) {
                deliver(new Frame(e.getLong("seq"), e.getString("accountId"), e.encode()));
            }
            released = events.size() == GAP_PAGE ? events.get(events.size() - 1).getLong("seq") : before - 1;
            gapSince = 0;
            releaseInOrder();
        });
    }

    /** For tests: one change alone, as a batch of its own seq. */
    void publish(Bus.Committed committed) {
        accept(new Bus.Batch(committed.seq(), committed.seq(), List.of(committed)));
    }

    private void deliver(Frame frame) {
        if (clients.isEmpty()) {
            return;
        }
        for (Client client : new ArrayList<>(clients)) {
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
}
