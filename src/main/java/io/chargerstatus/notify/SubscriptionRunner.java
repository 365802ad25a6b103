package io.chargerstatus.notify;

import io.chargerstatus.infra.Config;
import io.chargerstatus.notify.WebhookStore.Attempt;
import io.chargerstatus.notify.WebhookStore.Message;
import io.chargerstatus.notify.WebhookStore.Subscription;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery of one subscription, on its deliverer's event loop, in the order it is owed (incident events
 * first, then the history after its cursor): a webhook's messages one at a time; a channel's in batches of
 * messages of distinct keys (an OCPI partner's: distinct EVSEs), up to the channel's window, so that one
 * partner's pushes keep up with a fleet while each EVSE's stay in order. Each message is retried with growing
 * delays until it is delivered or {@code giveUpAfterS} has passed (then logged {@code failed} and passed); the
 * cursors move past a batch when all of it is. A slow or dead receiver holds only this runner: every other
 * subscription has its own.
 */
final class SubscriptionRunner {
    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionRunner.class);
    private static final int FETCH = 500;

    private final Vertx vertx;
    private final WebhookStore store;
    private final Transport transport;
    private final Config.Notify settings;
    private final Clock clock;
    private final Consumer<Attempt> log;
    private final DeliveryMetrics metrics;
    final Subscription subscription;
    /** What a channel's subscription is owed; null: the webhook messages of the store. */
    private final Channel.Source source;

    private final Deque<Message> queue = new ArrayDeque<>();

    long statusSeq;
    long incidentSeq;
    /** What is being sent: one message, or for a channel up to its window of messages of distinct keys. */
    private final List<InFlight> batch = new ArrayList<>();
    /** A fetch under way. */
    private boolean busy;
    /** A wake that came while a fetch was under way: look again once it is done. */
    private boolean woken;

    private boolean stopped;

    /** One message being sent, with its attempts. */
    private static final class InFlight {
        final Message message;
        int attempt;
        Instant firstTry;
        boolean done;
        long timer = -1;

        InFlight(Message message) {
            this.message = message;
            this.done = WebhookStore.SKIP.equals(message.type());
        }
    }

    SubscriptionRunner(
            Vertx vertx,
            WebhookStore store,
            Transport transport,
            Config.Notify settings,
            Clock clock,
            Consumer<Attempt> log,
            DeliveryMetrics metrics,
            Subscription subscription,
            Channel.Source source) {
        this.source = source;
        this.vertx = vertx;
        this.store = store;
        this.transport = transport;
        this.settings = settings;
        this.clock = clock;
        this.log = log;
        this.metrics = metrics;
        this.subscription = subscription;
        this.statusSeq = subscription.statusSeq();
        this.incidentSeq = subscription.incidentSeq();
    }

    /** Something may be owed (a commit, an incident event, the periodic look). */
    void wake() {
        if (busy) {
            woken = true;
        } else if (!stopped && batch.isEmpty()) {
            pump();
        }
    }

    void stop() {
        stopped = true;
        for (InFlight f : batch) {
            if (f.timer >= 0) {
                vertx.cancelTimer(f.timer);
            }
        }
    }

    boolean wantsStatus() {
        return subscription.wants("status.changed");
    }

    private void pump() {
        if (stopped || !batch.isEmpty()) {
            return;
        }
        if (queue.isEmpty()) {
            busy = true;
            woken = false;
            fetch().onComplete(ar -> {
                busy = false;
                if (ar.failed()) {
                    LOG.warn("webhook " + subscription.id() + ": cannot read what it is owed: "
                            + ar.cause().getMessage());
                } else if (!ar.result().isEmpty()) {
                    queue.addAll(ar.result());
                    pump();
                } else if (woken) {
                    pump();
                }
            });
            return;
        }
        // Webhooks: one message at a time (status.changed in seq order). A channel's messages of distinct keys
        // go together, up to its window; a key's messages stay in order, one batch after the other, and a
        // message without a key goes alone.
        int window = source == null ? 1 : Math.max(1, source.window());
        Set<String> keys = new HashSet<>();
        while (!queue.isEmpty() && batch.size() < window) {
            String key = source == null ? null : source.orderKey(queue.peek());
            if (key == null ? !batch.isEmpty() : !keys.add(key)) {
                break;
            }
            batch.add(new InFlight(queue.poll()));
            if (key == null) {
                break;
            }
        }
        for (InFlight f : List.copyOf(batch)) {
            if (!f.done) {
                send(f);
            }
        }
        finish();
    }

    /** Once every message of the batch is delivered or given up: the cursors move past them, in order. */
    private void finish() {
        for (InFlight f : batch) {
            if (!f.done) {
                return;
            }
        }
        batch.forEach(f -> passed(f.message));
        batch.clear();
        pump();
    }

    /** Incident events first (rare, and what pages someone), then the history. */
    private Future<List<Message>> fetch() {
        if (source != null) {
            return source.owed(statusSeq, incidentSeq, FETCH);
        }
        return store.incidentMessages(subscription, incidentSeq, FETCH).compose(incidents -> {
            if (!incidents.isEmpty() || !wantsStatus()) {
                return Future.succeededFuture(incidents);
            }
            return store.statusMessages(subscription, statusSeq, FETCH);
        });
    }

    private void send(InFlight f) {
        f.attempt++;
        Instant start = clock.instant();
        if (f.firstTry == null) {
            f.firstTry = start;
        }
        Message m = f.message;
        transport.send(subscription, m).onComplete(ar -> {
            if (stopped) {
                return;
            }
            long tookMs = Duration.between(start, clock.instant()).toMillis();
            if (ar.succeeded()) {
                log.accept(new Attempt(
                        subscription.id(),
                        m.id(),
                        m.type(),
                        f.attempt,
                        start,
                        ar.result(),
                        null,
                        "delivered",
                        null,
                        tookMs));
                metrics.sent(channel(), Duration.between(m.createdAt(), clock.instant()));
                f.done = true;
                finish();
                return;
            }
            Integer code = ar.cause() instanceof Refused r ? r.httpStatus : null;
            String error = ar.cause().getMessage() == null
                    ? ar.cause().getClass().getSimpleName()
                    : ar.cause().getMessage();
            Instant now = clock.instant();
            boolean permanent = ar.cause() instanceof Refused r && r.permanent;
            if (permanent || Duration.between(f.firstTry, now).toSeconds() >= settings.giveUpAfterS()) {
                log.accept(new Attempt(
                        subscription.id(), m.id(), m.type(), f.attempt, start, code, error, "failed", null, tookMs));
                metrics.failed(channel());
                LOG.warn("webhook " + subscription.id() + ": message " + m.id()
                        + (permanent
                                ? " refused by the receiver, not retried: " + error
                                : " failed after " + f.attempt + " attempts over " + settings.giveUpAfterS()
                                        + " s (last: " + error + ")"));
                f.done = true;
                finish();
                return;
            }
            long delay = delay(f.attempt);
            log.accept(new Attempt(
                    subscription.id(),
                    m.id(),
                    m.type(),
                    f.attempt,
                    start,
                    code,
                    error,
                    "retrying",
                    now.plusMillis(delay),
                    tookMs));
            metrics.retried(channel());
            if (f.attempt == 1) {
                LOG.info("webhook " + subscription.id() + ": " + m.id() + " not delivered (" + error
                        + "), retrying with growing delays");
            }
            f.timer = vertx.setTimer(delay, t -> {
                f.timer = -1;
                if (!stopped) {
                    send(f);
                }
            });
        });
    }

    /** Delivered or given up: the cursor moves past it (written by the deliverer's next flush). */
    private void passed(Message m) {
        if (m.status()) {
            statusSeq = Math.max(statusSeq, m.position());
        } else {
            incidentSeq = Math.max(incidentSeq, m.position());
        }
    }

    /** {@code retryBaseMs} doubled per attempt, at most {@code retryMaxMs}. */
    private long delay(int attempts) {
        long d = settings.retryBaseMs();
        for (int i = 1; i < attempts && d < settings.retryMaxMs(); i++) {
            d *= 2;
        }
        return Math.min(d, settings.retryMaxMs());
    }

    private String channel() {
        return subscription.mail() ? "email" : subscription.url().startsWith("ocpi:") ? "ocpi" : "webhook";
    }
}
