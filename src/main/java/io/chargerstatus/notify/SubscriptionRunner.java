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
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery of one subscription, on its deliverer's event loop: one message at a time, in the order it is
 * owed (incident events first, then the history after its cursor), each retried with growing delays until it
 * is delivered or {@code giveUpAfterS} has passed (then logged {@code failed} and passed). A slow or dead
 * receiver holds only this runner: every other subscription has its own.
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
    private Message current;
    private int attempt;
    private Instant firstTry;
    private boolean busy;
    /** A wake that came while a fetch was under way: look again once it is done. */
    private boolean woken;

    private boolean stopped;
    private long retryTimer = -1;

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
        } else if (!stopped && retryTimer < 0) {
            pump();
        }
    }

    void stop() {
        stopped = true;
        if (retryTimer >= 0) {
            vertx.cancelTimer(retryTimer);
        }
    }

    boolean wantsStatus() {
        return subscription.wants("status.changed");
    }

    private void pump() {
        if (stopped) {
            return;
        }
        if (current == null) {
            current = queue.poll();
            attempt = 0;
            firstTry = null;
        }
        while (current != null && WebhookStore.SKIP.equals(current.type())) {
            passed(current);
            current = queue.poll();
        }
        if (current != null) {
            send();
            return;
        }
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

    private void send() {
        busy = true;
        attempt++;
        Instant start = clock.instant();
        if (firstTry == null) {
            firstTry = start;
        }
        Message m = current;
        transport.send(subscription, m).onComplete(ar -> {
            busy = false;
            if (stopped) {
                return;
            }
            long tookMs = Duration.between(start, clock.instant()).toMillis();
            if (ar.succeeded()) {
                log.accept(new Attempt(
                        subscription.id(),
                        m.id(),
                        m.type(),
                        attempt,
                        start,
                        ar.result(),
                        null,
                        "delivered",
                        null,
                        tookMs));
                metrics.sent(channel(), Duration.between(m.createdAt(), clock.instant()));
                passed(m);
                pump();
                return;
            }
            Integer code = ar.cause() instanceof Refused r ? r.httpStatus : null;
            String error = ar.cause().getMessage() == null
                    ? ar.cause().getClass().getSimpleName()
                    : ar.cause().getMessage();
            Instant now = clock.instant();
            boolean permanent = ar.cause() instanceof Refused r && r.permanent;
            if (permanent || Duration.between(firstTry, now).toSeconds() >= settings.giveUpAfterS()) {
                log.accept(new Attempt(
                        subscription.id(), m.id(), m.type(), attempt, start, code, error, "failed", null, tookMs));
                metrics.failed(channel());
                LOG.warn("webhook " + subscription.id() + ": message " + m.id()
                        + (permanent
                                ? " refused by the receiver, not retried: " + error
                                : " failed after " + attempt + " attempts over " + settings.giveUpAfterS()
                                        + " s (last: " + error + ")"));
                passed(m);
                pump();
                return;
            }
            long delay = delay(attempt);
            log.accept(new Attempt(
                    subscription.id(),
                    m.id(),
                    m.type(),
                    attempt,
                    start,
                    code,
                    error,
                    "retrying",
                    now.plusMillis(delay),
                    tookMs));
            metrics.retried(channel());
            if (attempt == 1) {
                LOG.info("webhook " + subscription.id() + ": " + m.id() + " not delivered (" + error
                        + "), retrying with growing delays");
            }
            retryTimer = vertx.setTimer(delay, t -> {
                retryTimer = -1;
                if (!stopped) {
                    send();
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
        current = null;
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
