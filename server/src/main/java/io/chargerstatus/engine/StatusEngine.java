package io.chargerstatus.engine;

import io.chargerstatus.bus.Bus;
import io.chargerstatus.infra.Config;
import io.chargerstatus.status.BatchPlan;
import io.chargerstatus.status.Fact;
import io.chargerstatus.store.DatabaseHealth;
import io.chargerstatus.store.Wiring;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The status engine of one instance: the writer of the statuses of the chargers whose sessions this
 * instance holds. Every instance runs one; together they write one event sequence.
 *
 * <p><b>Ownership</b>: an engine claims a charger (a new {@code session_epoch} on its row, this node as
 * {@code session_owner}) when one of its sessions connects or reports and it does not hold the charger
 * yet, loading the charger's state fresh from the database. Its batches update a charger only at the
 * epoch it claimed, so an engine that lost a charger to another instance (the charger reconnected there)
 * cannot overwrite it: its batch is refused by the fence, and it lets the charger go. An engine forgets a
 * charger once its session ended, or when another instance opens a session for it.
 *
 * <p><b>One sequence</b>: each batch takes its seq range from one counter row at the end of its
 * transaction, so seqs are gapless and commit in order across instances; the batch is published to every
 * instance with its range, and every SSE hub releases ranges strictly in order.
 *
 * <p><b>Instances that die</b>: at start, and whenever a member leaves the cluster, every engine sweeps:
 * chargers still online whose holder is no live member are claimed and recorded offline. Claims lock
 * rows, so survivors sweeping at once share the work without doing any of it twice.
 *
 * <p>Facts and registry requests are queued and processed in arrival order. Facts are applied in
 * batches: every fact that arrived while the previous batch was committing goes into the next one, so a
 * storm of thousands of chargers costs a few transactions, not one per message.
 *
 * <p><b>Durability</b>: a fact is answered (and so the charger gets its {@code .conf}) only after the
 * batch holding it committed; changes are published only after that commit, in sequence order. If the
 * commit fails, the in-memory state is left as it was.
 *
 * <p><b>Failures</b>: a batch that fails because the database is gone fails the facts a charger is
 * waiting for (it gets InternalError and is asked for its statuses again once the database is back),
 * while session facts (connected, disconnected), which nobody waits for, go back to the head of the
 * queue and are retried with backoff until committed: an online flag is never lost. A batch that fails
 * because of one fact's data is retried fact by fact, so only that fact fails. While a commit hangs
 * (a database that stopped answering), whatever queues behind it is refused after {@code DB_TIMEOUT_S}
 * instead of waiting without bound.
 */
public final class StatusEngine extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(StatusEngine.class);

    private final Wiring wiring;
    /** The chargers this engine holds (claims, epochs, sessions, the sweep). */
    private ChargerOwnership owned;
    /** Chargers added, changed and removed, serialised with the batches. */
    private ChargerRegistry registry;
    /** Facts already put back once after the fence refused them (a charger claimed away meanwhile). */
    private final Set<Message<Object>> fencedOnce = Collections.newSetFromMap(new IdentityHashMap<>());

    private final ArrayDeque<Message<Object>> queue = new ArrayDeque<>();
    private final Set<String> refused = new LinkedHashSet<>();
    private EngineStore store;
    private boolean busy;
    private boolean waitingToRetry;
    private int consecutiveFailures;
    private long commitStartedMillis;
    private List<Message<Object>> inFlight = List.of();
    /** Requests of the batch in flight that were already refused because its commit hung. */
    private final Set<Message<Object>> answeredEarly = Collections.newSetFromMap(new IdentityHashMap<>());

    private long watchdog;
    private boolean probing;
    /** A small batch waiting for more facts (STATUS_BATCH_LINGER_MS), and when the last piece of work ended. */
    private boolean lingering;

    private long lingerTimer;
    private long lastWorkEndedNanos = Long.MIN_VALUE / 2;
    /** Facts enough for a batch that does not wait: PostgreSQL's fixed cost per batch is well shared by then. */
    private static final int LINGER_UNTIL = 200;

    private final Config.Engine settings;
    private final int databaseTimeoutS;

    /** Its settings given here, read nowhere else: the batch bounds and DB_TIMEOUT_S (the commit watchdog's). */
    public StatusEngine(Wiring wiring, Config.Engine settings, int databaseTimeoutS) {
        this.wiring = wiring;
        this.settings = settings;
        this.databaseTimeoutS = databaseTimeoutS;
    }

    @Override
    public Future<?> start() {
        store = new EngineStore(wiring.engineSql(vertx));
        owned = new ChargerOwnership(store, wiring.membership());
        registry = new ChargerRegistry(vertx.eventBus(), store, owned, wiring.clock());
        watchdog = vertx.setPeriodic(1000, t -> watch());
        MessageConsumer<Object> facts = vertx.eventBus().localConsumer(Bus.FACTS, this::enqueue);
        MessageConsumer<Object> registryMessages = vertx.eventBus().localConsumer(Bus.REGISTRY, this::enqueue);
        MessageConsumer<String> left = vertx.eventBus().localConsumer(Bus.MEMBER_LEFT, m -> sweep());
        MessageConsumer<String> removed = vertx.eventBus().consumer(Bus.CHARGER_REMOVED, m -> owned.forget(m.body()));
        MessageConsumer<String> updated = vertx.eventBus().consumer(Bus.CHARGER_UPDATED, m -> owned.forget(m.body()));
        MessageConsumer<Bus.SessionOpened> opened = vertx.eventBus().consumer(Bus.SESSION_OPENED, m -> {
            String session = owned.session(m.body().chargerId());
            if (session != null && !session.equals(m.body().sessionId())) {
                owned.forget(m.body().chargerId()); // its new session is elsewhere; the engine there claims it
            }
        });
        return Future.all(List.of(
                        facts.completion(),
                        registryMessages.completion(),
                        left.completion(),
                        removed.completion(),
                        updated.completion(),
                        opened.completion()))
                .compose(v -> sweep());
    }

    /** The chargers of instances that are gone, recorded Offline through the queue (see ChargerOwnership). */
    private Future<?> sweep() {
        return owned.sweep(wiring.clock().instant(), fact -> vertx.eventBus().send(Bus.FACTS, fact, Bus.LOCAL));
    }

    @Override
    public Future<?> stop() {
        vertx.cancelTimer(watchdog);
        return Future.succeededFuture();
    }

    private void enqueue(Message<Object> message) {
        if (hung() && message.replyAddress() != null) {
            refuse(message);
            return;
        }
        queue.add(message);
        drain();
    }

    /** Whether the commit in flight has been waiting for the database longer than DB_TIMEOUT_S. */
    private boolean hung() {
        return busy
                && !waitingToRetry
                && System.nanoTime() / 1_000_000 - commitStartedMillis > databaseTimeoutS * 1000L;
    }

    /**
     * The database watchdog, once a second, the one of the process: a commit hanging past DB_TIMEOUT_S marks
     * the database unavailable and refuses what waits behind it; a probe ({@code SELECT 1}, DB_TIMEOUT_S to
     * answer) notices a database that went away while nothing was committed, and one that came back: then
     * every charger whose report was refused is asked again.
     */
    private void watch() {
        refuseBehindHungCommit();
        if (probing) {
            return;
        }
        probing = true;
        boolean wasUp = wiring.database().health().up();
        store.probe(databaseTimeoutS * 1000L).onComplete(ar -> {
            probing = false;
            if (ar.succeeded() && !wasUp) {
                askRefusedAgain();
            }
        });
    }

    /**
     * Refuses every request of the hung batch and queued behind it: their chargers get InternalError now
     * rather than at their own timeout, and are asked again once the database is back. A refused fact of the
     * hung batch may still be committed when the database wakes up; the charger then reports it again, and
     * the repeat changes nothing (idempotence).
     */
    private void refuseBehindHungCommit() {
        if (!hung()) {
            return;
        }
        wiring.database().health().failed(new TimeoutException("a commit has waited more than DB_TIMEOUT_S"));
        inFlight.forEach(m -> {
            if (m.replyAddress() != null && answeredEarly.add(m)) {
                refuse(m);
            }
        });
        queue.removeIf(m -> {
            if (m.replyAddress() == null) {
                return false;
            }
            refuse(m);
            return true;
        });
    }

    /** Fails a request because the database is unavailable; a charger's report is asked for again later. */
    private void refuse(Message<Object> message) {
        if (message.body() instanceof Fact f) {
            refused.add(f.chargerId());
            wiring.metrics().reportRefused();
        }
        message.fail(Bus.Failure.UNAVAILABLE.code(), "the database is unavailable");
    }

    private void drain() {
        // Work is done in arrival order, one piece at a time: a flush that reaches the head of the queue has
        // every fact sent before it committed.
        while (!busy && !queue.isEmpty() && queue.peek().body() instanceof Bus.Flush) {
            queue.poll().reply(true);
        }
        if (busy || queue.isEmpty() || (queue.peek().body() instanceof Fact && linger())) {
            return;
        }
        busy = true;
        commitStartedMillis = System.nanoTime() / 1_000_000;
        Future<?> work = queue.peek().body() instanceof Fact ? applyBatch() : registry.apply(queue.poll());
        work.onComplete(ar -> {
            busy = false;
            lastWorkEndedNanos = System.nanoTime();
            drain();
        });
    }

    /**
     * Whether the next batch waits a little for more facts. A batch costs PostgreSQL about 0.3 ms of CPU
     * whatever its size (commit, WAL flush, executor start) on top of ~30 µs per change: at 10,000 changes/s
     * back-to-back batches of ~20 facts spent a third of PostgreSQL's time on that fixed part. So while
     * facts keep coming (the previous batch ended less than STATUS_BATCH_LINGER_MS ago) a batch of fewer
     * than {@link #LINGER_UNTIL} facts waits up to that long; a fact that finds the engine idle is committed
     * at once, so a quiet charger's answer is never delayed.
     */
    private boolean linger() {
        int lingerMs = settings.statusBatchLingerMs();
        if (lingerMs == 0 || queue.size() >= LINGER_UNTIL) {
            if (lingering) {
                vertx.cancelTimer(lingerTimer);
                lingering = false;
            }
            return false;
        }
        if (lingering) {
            return true;
        }
        if (System.nanoTime() - lastWorkEndedNanos >= lingerMs * 1_000_000L) {
            return false;
        }
        lingering = true;
        lingerTimer = vertx.setTimer(lingerMs, t -> {
            lingering = false;
            drain();
        });
        return true;
    }

    private Future<?> applyBatch() {
        List<Message<Object>> batch = new ArrayList<>();
        List<Fact> facts = new ArrayList<>();
        Set<String> touched = new HashSet<>();
        while (!queue.isEmpty() && queue.peek().body() instanceof Fact f && batch.size() < settings.statusBatchMax()) {
            if (f instanceof Fact.Connected && touched.contains(f.chargerId())) {
                // A connect claims its charger afresh before the batch is applied: the facts of it queued before
                // (the previous session's Disconnected, a reboot's Offline) must be committed first, by this batch.
                break;
            }
            batch.add(queue.poll());
            facts.add(f);
            touched.add(f.chargerId());
        }
        wiring.metrics().batchSize(batch.size());
        inFlight = batch;
        return owned.claimFor(facts).compose(v -> commit(facts)).<Object>transform(ar -> {
            inFlight = List.of();
            if (ar.failed()) {
                wiring.metrics().commitFailed();
                batch.removeIf(answeredEarly::remove); // already refused while the commit hung
                if (batch.isEmpty()) {
                    return Future.succeededFuture();
                }
            }
            if (ar.succeeded()) {
                consecutiveFailures = 0;
                for (int i = 0; i < batch.size(); i++) {
                    fencedOnce.remove(batch.get(i));
                    if (!answeredEarly.remove(batch.get(i))) {
                        batch.get(i).reply(ar.result()[i]);
                    }
                }
                askRefusedAgain();
                return Future.succeededFuture();
            }
            if (DatabaseHealth.unavailable(ar.cause())) {
                return retryLater(batch).mapEmpty();
            }
            if (batch.size() > 1) {
                LOG.warn("status batch of " + batch.size() + " facts failed ("
                        + ar.cause().getMessage() + "): committing them one by one");
                return commitOneByOne(batch).mapEmpty();
            }
            failAlone(batch.get(0), ar.cause());
            return Future.succeededFuture();
        });
    }

    /**
     * One fact that cannot be committed. Refused by the fence (its charger was claimed by another instance
     * since this engine claimed it): the charger is let go and the fact put back once, to be applied after
     * claiming the charger again; anything else fails the fact.
     */
    private void failAlone(Message<Object> m, Throwable cause) {
        Fact fact = (Fact) m.body();
        if (cause instanceof PgException pg && EngineStore.FENCED.equals(pg.getSqlState())) {
            owned.forget(fact.chargerId());
            if (fencedOnce.add(m)) {
                LOG.info("charger " + fact.chargerId()
                        + " was claimed by another instance meanwhile: claiming it again");
                queue.addFirst(m);
                return;
            }
            fencedOnce.remove(m);
        }
        LOG.warn("fact " + fact.getClass().getSimpleName() + " of charger " + fact.chargerId() + " cannot be stored: "
                + cause.getMessage());
        m.fail(Bus.Failure.INTERNAL.code(), "status not committed: " + cause.getMessage());
    }

    /**
     * The database is gone: requests fail (chargers get InternalError and are asked again later); session
     * facts, which no one waits for, go back to the head of the queue in their order, and the next attempt
     * waits a backoff so that an outage is not a busy loop.
     */
    private Future<Void> retryLater(List<Message<Object>> batch) {
        List<Message<Object>> keep = new ArrayList<>();
        for (Message<Object> m : batch) {
            if (m.replyAddress() != null) {
                refuse(m);
            } else if (!(m.body() instanceof Fact.Seen)) { // a heartbeat's "last seen" is refreshed by the next one
                keep.add(m);
            }
        }
        for (int i = keep.size() - 1; i >= 0; i--) {
            queue.addFirst(keep.get(i));
        }
        consecutiveFailures++;
        long delay = Math.min(5000, 250L << Math.min(consecutiveFailures, 5));
        waitingToRetry = true;
        Promise<Void> wait = Promise.promise();
        vertx.setTimer(delay, t -> {
            waitingToRetry = false;
            wait.complete();
        });
        return wait.future();
    }

    /** Commits each fact of a failed batch alone, so that one fact the database refuses fails nobody else's. */
    private Future<Void> commitOneByOne(List<Message<Object>> batch) {
        Future<Void> chain = Future.succeededFuture();
        for (Message<Object> m : batch) {
            chain = chain.transform(ignored -> owned.claimFor(List.of((Fact) m.body()))
                    .compose(v -> commit(List.of((Fact) m.body())))
                    .<Void>transform(ar -> {
                        if (ar.succeeded()) {
                            fencedOnce.remove(m);
                            m.reply(ar.result()[0]);
                        } else if (DatabaseHealth.unavailable(ar.cause())) {
                            refuse(m);
                        } else {
                            failAlone(m, ar.cause());
                        }
                        return Future.succeededFuture();
                    }));
        }
        return chain;
    }

    /** Once commits work again, every charger whose report was refused is asked for its statuses again. */
    private void askRefusedAgain() {
        if (refused.isEmpty()) {
            return;
        }
        LOG.info("the database is back: asking " + refused.size()
                + " chargers whose reports were refused for their statuses again");
        JsonObject payload = new JsonObject().put("requestedMessage", "StatusNotification");
        for (String chargerId : refused) {
            vertx.eventBus()
                    .request(Bus.chargerCalls(chargerId), new Bus.OcppCall("TriggerMessage", payload))
                    .onFailure(e -> LOG.atDebug().log(
                            () -> "TriggerMessage to " + chargerId + " after the outage: " + e.getMessage()));
        }
        refused.clear();
    }

    /** Numbers the transactions the facts start, then commits them (see below). */
    private Future<Object[]> commit(List<Fact> facts) {
        int starts = BatchPlan.transactionsStarted(owned::held, facts);
        if (starts == 0) {
            return commit(facts, List.of());
        }
        return store.transactionIds(starts).compose(ids -> commit(facts, ids));
    }

    /**
     * Plans the batch on the states held (pure: {@link BatchPlan}), commits it, and only then adopts the plan's
     * states and publishes its changes. Completes with each fact's answer.
     */
    private Future<Object[]> commit(List<Fact> facts, List<Integer> transactionIds) {
        BatchPlan plan = BatchPlan.of(owned::held, facts, transactionIds);
        if (plan.next().isEmpty()) {
            return Future.succeededFuture(plan.answers());
        }
        long started = System.nanoTime();
        return store.commitBatch(plan, owned::epoch)
                .onSuccess(base -> {
                    wiring.metrics().commitTime(System.nanoTime() - started);
                    owned.committed(plan);
                    ChangeStream.publish(vertx.eventBus(), wiring.metrics(), plan.changes(), base);
                })
                .map(base -> plan.answers());
    }
}
