package io.chargerstatus.notify;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Notifications sent, retried and failed per channel, and how long a message took to reach its subscriber. */
final class DeliveryMetrics {
    private final Map<String, Counter> sent = new HashMap<>();
    private final Map<String, Counter> retried = new HashMap<>();
    private final Map<String, Counter> failed = new HashMap<>();
    private final Timer latency;

    DeliveryMetrics(MeterRegistry registry) {
        for (String channel : new String[] {"webhook", "email", "ocpi"}) {
            sent.put(
                    channel,
                    Counter.builder("charger_status_notifications_sent_total")
                            .description("Notification messages delivered (a 2xx answer, or mail accepted), by channel")
                            .tag("channel", channel)
                            .register(registry));
            retried.put(
                    channel,
                    Counter.builder("charger_status_notifications_retried_total")
                            .description("Notification attempts that failed and will be retried, by channel")
                            .tag("channel", channel)
                            .register(registry));
            failed.put(
                    channel,
                    Counter.builder("charger_status_notifications_failed_total")
                            .description("Notification messages given up after WEBHOOK_GIVE_UP_AFTER_S of retries, "
                                    + "by channel")
                            .tag("channel", channel)
                            .register(registry));
        }
        latency = Timer.builder("charger_status_notification_latency")
                .description("Time from the change or incident event to its delivery to the subscriber")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofHours(1))
                .register(registry);
    }

    void sent(String channel, Duration sinceEvent) {
        sent.get(channel).increment();
        latency.record(sinceEvent.isNegative() ? Duration.ZERO : sinceEvent);
    }

    void retried(String channel) {
        retried.get(channel).increment();
    }

    void failed(String channel) {
        failed.get(channel).increment();
    }
}
