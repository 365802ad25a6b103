package io.chargerstatus.notify;

import io.chargerstatus.bus.Bus;
import io.chargerstatus.infra.Config;
import io.chargerstatus.notify.WebhookStore.Attempt;
import io.chargerstatus.notify.WebhookStore.Message;
import io.chargerstatus.notify.WebhookStore.Subscription;
import io.chargerstatus.store.Wiring;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers what subscriptions are owed, for the subscriptions this instance holds a lease on (its share of the
 * cluster's, taken with {@code FOR UPDATE SKIP LOCKED}; a lapsed lease is taken over, its cursor read back).
 * Cursors and the delivery log are written every {@code flushMs}: an instance killed in between has its last
 * messages sent again by the next holder, with the same webhook-id (at least once).
 */
public final class Deliverer extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(Deliverer.class);

    private final Wiring wiring;
    private final Config.Notify settings;
    private final Clock clock;
    private final Map<String, SubscriptionRunner> runners = new HashMap<>();
    private final Map<String, long[]> flushed = new HashMap<>();
    private final List<Attempt> attempts = new ArrayList<>();
    private final Map<String, Delivered> delivered = new HashMap<>();
    private final List<Long> timers = new ArrayList<>();
    private WebhookStore store;
    private HttpTransport http;
    private MailTransport mail;
    private DeliveryMetrics metrics;
    private String me;
    private boolean flushing;

    private final List<Channel.Factory> channelFactories;
    private final List<Channel> channels = new ArrayList<>();

    /** {@code channels}: the kinds of subscription beside webhooks and e-mail (OCPI partners). */
    public Deliverer(Wiring wiring, Config.Notify settings, List<Channel.Factory> channels) {
        this.channelFactories = channels;
        this.wiring = wiring;
        this.settings = settings;
        this.clock = wiring.clock();
    }

    @Override
    public Future<?> start() {
        store = new WebhookStore(wiring.sql(vertx, 2));
        http = new HttpTransport(vertx, settings, clock);
        mail = new MailTransport(vertx, settings);
        channelFactories.forEach(f -> channels.add(f.create(vertx)));
        metrics = new DeliveryMetrics(wiring.metrics().registry());
        me = wiring.membership().nodeId();
        vertx.eventBus()
                .consumer(
                        Bus.CHANGES,
                        m -> runners.values().forEach(r -> {
                            if (r.wantsStatus()) {
                                r.wake();
                            }
                        }));
        vertx.eventBus().consumer(Bus.INCIDENT_EVENTS, m -> runners.values().forEach(SubscriptionRunner::wake));
        vertx.eventBus()
                .<String>localConsumer(
                        Bus.WEBHOOK_TEST,
                        m -> test(m.body()).onSuccess(m::reply).onFailure(e -> m.fail(500, e.getMessage())));
        timers.add(vertx.setPeriodic(Math.max(200, settings.leaseS() * 1000L / 3), t -> lease()));
        timers.add(vertx.setPeriodic(settings.flushMs(), t -> flush()));
        timers.add(vertx.setPeriodic(1000, t -> runners.values().forEach(SubscriptionRunner::wake)));
        timers.add(vertx.setPeriodic(
                60_000,
                t -> store.prune(settings.logKeep())
                        .compose(v ->
                                Future.all(channels.stream().map(Channel::prune).toList()))
                        .onFailure(e -> LOG.warn("cannot prune the delivery log: " + e.getMessage()))));
        lease();
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        timers.forEach(vertx::cancelTimer);
        runners.values().forEach(SubscriptionRunner::stop);
        return flushNow()
                .compose(v -> store.release(me))
                .recover(e -> Future.succeededFuture())
                .onComplete(v -> {
                    http.close();
                    mail.close();
                    channels.forEach(Channel::close);
                });
    }

    /** Keeps the leases held, drops the runners of subscriptions lost or deleted, takes this instance's share. */
    private void lease() {
        store.renew(me, settings.leaseS())
                .compose(held -> {
                    Set<String> keep = new HashSet<>(held);
                    for (String id : new ArrayList<>(runners.keySet())) {
                        if (!keep.contains(id)) {
                            runners.remove(id).stop();
                            flushed.remove(id);
                        }
                    }
                    return store.count();
                })
                .compose(total -> {
                    int members = Math.max(1, wiring.membership().members().size());
                    int share = (total + members - 1) / members;
                    int wanted = Math.max(0, share - runners.size());
                    return wanted == 0
                            ? Future.succeededFuture(List.<Subscription>of())
                            : store.claim(me, settings.leaseS(), wanted);
                })
                .onSuccess(taken -> {
                    for (Subscription s : taken) {
                        SubscriptionRunner old = runners.remove(s.id());
                        if (old != null) {
                            old.stop();
                        }
                        Channel channel = channel(s);
                        SubscriptionRunner r = new SubscriptionRunner(
                                vertx,
                                store,
                                transport(s),
                                settings,
                                clock,
                                this::logged,
                                metrics,
                                s,
                                channel == null ? null : channel.open(s));
                        runners.put(s.id(), r);
                        flushed.put(s.id(), new long[] {s.statusSeq(), s.incidentSeq()});
                        r.wake();
                    }
                })
                .onFailure(e -> LOG.warn("webhook leases not renewed: " + e.getMessage()));
    }

    private Transport transport(Subscription s) {
        Channel channel = channel(s);
        return channel != null ? channel : s.mail() ? mail : http;
    }

    private Channel channel(Subscription s) {
        for (Channel c : channels) {
            if (c.owns(s.url())) {
                return c;
            }
        }
        return null;
    }

    /**
     * An attempt for the log. Messages of the history (status.changed, OCPI pushes) delivered at their first
     * attempt are summed per subscription until the next flush (one row {@code msg_status_101..msg_status_160
     * (60 messages)}): at a fleet's rate a row per change would double the database's writes; every other
     * attempt (incident messages, failures, retries, what was delivered after a retry) has a row of its own.
     */
    private void logged(Attempt a) {
        if (a.type().startsWith("incident.") || !"delivered".equals(a.outcome()) || a.attempt() != 1) {
            attempts.add(a);
            return;
        }
        Delivered run = delivered.get(a.webhookId());
        if (run == null) {
            delivered.put(a.webhookId(), new Delivered(a));
        } else {
            run.add(a);
        }
    }

    /** A run of first-attempt deliveries of status.changed, as one log row. */
    private static final class Delivered {
        private final Attempt first;
        private Attempt last;
        private int count = 1;
        private long maxLatencyMs;

        Delivered(Attempt a) {
            first = a;
            last = a;
            maxLatencyMs = a.latencyMs();
        }

        void add(Attempt a) {
            last = a;
            count++;
            maxLatencyMs = Math.max(maxLatencyMs, a.latencyMs());
        }

        Attempt row() {
            String id = count == 1
                    ? first.messageId()
                    : first.messageId() + ".." + last.messageId() + " (" + count + " messages)";
            return new Attempt(
                    first.webhookId(),
                    id,
                    first.type(),
                    1,
                    last.at(),
                    last.httpStatus(),
                    null,
                    "delivered",
                    null,
                    maxLatencyMs);
        }
    }

    private void flush() {
        if (!flushing) {
            flushing = true;
            flushNow().onComplete(ar -> flushing = false);
        }
    }

    /** The cursors that moved and the attempts since the last flush, written together. */
    private Future<Void> flushNow() {
        List<String> ids = new ArrayList<>();
        List<Long> statusSeqs = new ArrayList<>();
        List<Long> incidentSeqs = new ArrayList<>();
        runners.forEach((id, r) -> {
            long[] was = flushed.get(id);
            if (was == null || was[0] != r.statusSeq || was[1] != r.incidentSeq) {
                ids.add(id);
                statusSeqs.add(r.statusSeq);
                incidentSeqs.add(r.incidentSeq);
            }
        });
        delivered.values().forEach(run -> attempts.add(run.row()));
        delivered.clear();
        List<Attempt> batch = new ArrayList<>(attempts);
        attempts.clear();
        return store.saveCursors(me, ids, statusSeqs, incidentSeqs)
                .compose(written -> {
                    for (int i = 0; i < ids.size(); i++) {
                        if (written.contains(ids.get(i))) {
                            flushed.put(ids.get(i), new long[] {statusSeqs.get(i), incidentSeqs.get(i)});
                        }
                    }
                    return store.log(batch);
                })
                .onFailure(e -> {
                    attempts.addAll(0, batch); // written at the next flush
                    LOG.warn(
                            "webhook cursors and delivery log not written, again at the next flush: " + e.getMessage());
                });
    }

    /** {@code POST /webhooks/{id}/test}: one message now, outside the subscription's order, logged like the rest. */
    private Future<JsonObject> test(String id) {
        return store.subscription(id, null).compose(s -> {
            if (s == null) {
                return Future.succeededFuture(
                        new JsonObject().put("delivered", false).put("error", "no such webhook"));
            }
            Instant now = clock.instant();
            Message m = new Message(
                    "msg_test_" + Long.toHexString(now.toEpochMilli()) + "_" + Integer.toHexString(s.id().hashCode()),
                    "webhook.test",
                    WebhookStore.body(
                                    "webhook.test",
                                    now,
                                    new JsonObject()
                                            .put("webhookId", s.id())
                                            .put("message", "a test from charger-status"))
                            .encode(),
                    false,
                    0,
                    now);
            return transport(s)
                    .send(s, m)
                    .map(code -> new JsonObject()
                            .put("messageId", m.id())
                            .put("delivered", true)
                            .put("httpStatus", code))
                    .recover(e -> Future.succeededFuture(new JsonObject()
                            .put("messageId", m.id())
                            .put("delivered", false)
                            .put("httpStatus", e instanceof Refused r ? r.httpStatus : null)
                            .put("error", e.getMessage())))
                    .onSuccess(result -> attempts.add(new Attempt(
                            s.id(),
                            m.id(),
                            m.type(),
                            1,
                            now,
                            result.getInteger("httpStatus"),
                            result.getString("error"),
                            result.getBoolean("delivered") ? "delivered" : "failed",
                            null,
                            Duration.between(now, clock.instant()).toMillis())));
        });
    }
}
