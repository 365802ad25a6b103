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
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery of one subscription, on its deliverer's event loop, in the order it is owed (incident events
 * first, then the history after its cursor): a webhook's messages one at a time; a channel's up to its window
 * at once, never two of one key (an OCPI partner's: one EVSE) at the same time, so that one partner's pushes
 * keep up with a fleet while each EVSE's stay in order. Each message is retried with growing delays until it
 * is delivered or {@code giveUpAfterS} has passed (then logged {@code failed} and passed); the cursors move
 * past a message only when every earlier one is done. A slow or dead receiver holds only this runner: every
 * other subscription has its own.
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
    /**
     * What is being sent, in the order owed: a webhook's one message; a channel's up to its window, of distinct
     * keys. Delivered (or given up) messages leave from the head only, so the cursors never pass one still
     * being sent.
     */
    private final Deque<InFlight> window = new ArrayDeque<>();

    private final Set<String> keysInFlight = new HashSet<>();
    private int sending;
    /** A message without a key is in flight: nothing joins it. */
    private boolean alone;
    /** A fetch under way. */
    private boolean busy;
    /** A wake that came while a fetch was under way: look again once it is done. */
    private boolean woken;
    /** When the last fetch that found the runner caught up began (System.nanoTime; 0: it is behind). */
    private long caughtUpAt;
    /** The wait before the next fetch of a caught-up runner (-1: none). */
    private long gapTimer = -1;

    private boolean stopped;

    /** One message being sent, with its attempts. */
    private static final class InFlight {
        final Message message;
        final String key;
        int attempt;
        Instant firstTry;
        boolean done;
        long timer = -1;

        InFlight(Message message, String key) {
            this.message = message;
            this.key = key;
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
        } else if (!stopped) {
            pump();
        }
    }

    void stop() {
        stopped = true;
        if (gapTimer >= 0) {
            vertx.cancelTimer(gapTimer);
        }
        for (InFlight f : window) {
            if (f.timer >= 0) {
                vertx.cancelTimer(f.timer);
            }
        }
    }

    boolean wantsStatus() {
        return subscription.wants("status.changed");
    }

    /** Sends what the window allows; fetches more once everything fetched is delivered. */
    private void pump() {
        if (stopped) {
            return;
        }
        fill();
        if (!window.isEmpty() || !queue.isEmpty() || busy || gapTimer >= 0) {
            return;
        }
        // A runner that has caught up reads again at most every fetchGapMs: every commit wakes it, and one
        // read per commit and subscriber would cost more than the few messages each read finds.
        long wait = caughtUpAt == 0 ? 0 : settings.fetchGapMs() - (System.nanoTime() - caughtUpAt) / 1_000_000;
        if (wait > 0) {
            gapTimer = vertx.setTimer(wait, t -> {
                gapTimer = -1;
                pump();
            });
            return;
        }
        busy = true;
        woken = false;
        long started = System.nanoTime();
        fetch().onComplete(ar -> {
            busy = false;
            caughtUpAt = ar.succeeded() && ar.result().size() >= FETCH ? 0 : started;
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
    }

    /**
     * Webhooks: one message at a time (status.changed in seq order). A channel's messages go as soon as the
     * window has room and no earlier message of their key is in flight; a message without a key waits for
     * every earlier one and goes alone. A slow message holds back only its own key (and the cursor).
     */
    private void fill() {
        int max = source == null ? 1 : Math.max(1, source.window());
        while (!queue.isEmpty() && sending < max && !alone) {
            Message next = queue.peek();
            String key = source == null ? null : source.orderKey(next);
            if (key == null ? !window.isEmpty() : keysInFlight.contains(key)) {
                break;
            }
            queue.poll();
            InFlight f = new InFlight(next, key);
            window.add(f);
            if (WebhookStore.SKIP.equals(next.type())) {
                f.done = true;
                drain();
                continue;
            }
            sending++;
            if (key == null) {
                alone = true;
            } else {
                keysInFlight.add(key);
            }
            send(f);
        }
    }

    /** One message delivered or given up: it leaves when everything before it has. */
    private void completed(InFlight f) {
        f.done = true;
        sending--;
        if (f.key == null) {
            alone = false;
        } else {
            keysInFlight.remove(f.key);
        }
        drain();
        pump();
    }

    private void drain() {
        while (!window.isEmpty() && window.peek().done) {
            passed(window.poll().message);
        }
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
                completed(f);
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
                completed(f);
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
