package io.chargerstatus.engine;

import io.chargerstatus.bus.Bus;
import io.chargerstatus.infra.Metrics;
import io.chargerstatus.status.Change;
import io.chargerstatus.status.Status;
import io.vertx.core.eventbus.EventBus;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a committed batch tells the rest of the service: its changes to every instance's SSE hub ({@link
 * Bus#CHANGES}, the seq range with the changes that are streamed), the transitions to the metrics, a fault to
 * the log. Only ever called after the commit.
 */
final class ChangeStream {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeStream.class);

    private ChangeStream() {}

    /** Counts, logs and streams the committed changes: {@code base + 1} is the first one's seq. */
    static void publish(EventBus bus, Metrics metrics, List<Change> changes, long base) {
        List<Bus.Committed> streamed = new ArrayList<>();
        for (int i = 0; i < changes.size(); i++) {
            Change change = changes.get(i);
            if (!change.applied()) {
                continue; // a late report: in the history, taking its seq, not streamed
            }
            if (change.status() != change.previousStatus()) {
                metrics.transition(change);
            }
            if (change.status() == Status.Faulted && change.previousStatus() != Status.Faulted) {
                LOG.atInfo()
                        .addKeyValue("chargerId", change.chargerId())
                        .addKeyValue("event", "faulted")
                        .addKeyValue("faultCode", change.faultCode())
                        .log(() -> "charger " + change.chargerId() + " faulted: " + change.faultCode());
            }
            streamed.add(new Bus.Committed(base + i + 1, change));
        }
        if (!changes.isEmpty()) {
            bus.publish(Bus.CHANGES, new Bus.Batch(base + 1, base + changes.size(), streamed));
        }
    }
}
