package io.chargerstatus.ocpp;

import io.chargerstatus.infra.Metrics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one OCPP verticle saw chargers bend: every use is counted in the metric at once and logged once per
 * session, rule and field; the counts for the charger rows are gathered here and written by {@link #flush} (the
 * verticle's tick, once a second) in one statement, so a charger that sends a number as a string in every
 * MeterValues costs no write of its own.
 *
 * <p>Confined to the verticle's event loop. Counts not yet written are lost if the process dies (a second's
 * worth at most): they describe the charger's firmware, not anything the charger was told was received. While
 * the database is unavailable the counts are kept, up to {@link #MAX_PENDING} chargers' rules and fields.
 */
final class Deviations {
    private static final Logger LOG = LoggerFactory.getLogger(Deviations.class);
    /** Distinct (charger, rule, field) held while writes fail; beyond it new ones are dropped, counted in the log. */
    static final int MAX_PENDING = 50_000;

    private final ChargerStore store;
    private final Metrics metrics;
    private Map<String, ChargerStore.DeviationCount> pending = new LinkedHashMap<>();
    private boolean writing;
    private long dropped;

    Deviations(ChargerStore store, Metrics metrics) {
        this.store = store;
        this.metrics = metrics;
    }

    /** A charger's session used a rule at a field. */
    void used(OcppSession session, FieldTolerance.Rule rule, String field, String detail, Instant at) {
        metrics.tolerated(rule.id);
        if (session.firstDeviation(rule.id + ' ' + field)) {
            LOG.atInfo()
                    .addKeyValue("chargerId", session.chargerId())
                    .addKeyValue("event", "tolerated")
                    .addKeyValue("rule", rule.id)
                    .log(() -> "charger " + session.chargerId() + " (OCPP " + session.messages().version + ") bends "
                            + "the schema: " + rule.id + " at " + field + " (" + detail + "), accepted");
        }
        add(new ChargerStore.DeviationCount(session.chargerId(), rule.id, field, detail, at, at, 1));
    }

    private void add(ChargerStore.DeviationCount c) {
        String key = c.chargerId() + '\u0000' + c.rule() + '\u0000' + c.field();
        ChargerStore.DeviationCount before = pending.get(key);
        if (before == null && pending.size() >= MAX_PENDING) {
            dropped++;
            return;
        }
        pending.put(
                key,
                before == null
                        ? c
                        : new ChargerStore.DeviationCount(
                                c.chargerId(),
                                c.rule(),
                                c.field(),
                                c.detail(),
                                before.first().isBefore(c.first()) ? before.first() : c.first(),
                                before.last().isAfter(c.last()) ? before.last() : c.last(),
                                before.count() + c.count()));
    }

    /** Writes what was counted since the last write; one write at a time, failed counts kept for the next. */
    void flush() {
        if (writing || pending.isEmpty()) {
            return;
        }
        List<ChargerStore.DeviationCount> batch = new ArrayList<>(pending.values());
        pending = new LinkedHashMap<>();
        writing = true;
        store.addDeviations(batch).onComplete(ar -> {
            writing = false;
            if (ar.failed()) {
                batch.forEach(this::add); // an outage is logged once, by the database health
            }
            if (dropped > 0) {
                long n = dropped;
                dropped = 0;
                LOG.warn("deviation counts of " + n + " charger fields dropped while the database was unavailable");
            }
        });
    }
}
