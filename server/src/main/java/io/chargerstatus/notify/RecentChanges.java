package io.chargerstatus.notify;

import io.chargerstatus.bus.Bus;
import io.chargerstatus.notify.WebhookStore.Message;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The batches the engines committed lately, as they published them ({@link Bus#CHANGES}): what a caught-up
 * {@code status.changed} subscriber is owed, without reading back from the history what this instance was
 * just told. Each batch names every seq of its range, so a run of batches whose ranges follow one another is
 * the history of those seqs, whole; a subscriber whose next seq is not in such a run (behind, or a batch that
 * did not reach this instance) reads the history instead. Each event is encoded once, whoever is owed it.
 * One per deliverer, on its event loop.
 */
final class RecentChanges {
    private final int maxChanges;
    private final TreeMap<Long, Held> byFirstSeq = new TreeMap<>();
    private int held;

    /** A batch and its messages, made on first use. */
    private static final class Held {
        final Bus.Batch batch;
        final Message[] messages;

        Held(Bus.Batch batch) {
            this.batch = batch;
            this.messages = new Message[batch.changes().size()];
        }

        Message message(int i) {
            if (messages[i] == null) {
                Bus.Committed c = batch.changes().get(i);
                messages[i] = WebhookStore.statusMessage(
                        c.seq(), c.change().receivedAt(), c.event().encode());
            }
            return messages[i];
        }
    }

    /** Keeps the newest batches holding at most about {@code maxChanges} changes. */
    RecentChanges(int maxChanges) {
        this.maxChanges = maxChanges;
    }

    void add(Bus.Batch batch) {
        if (batch.lastSeq() < batch.firstSeq() || byFirstSeq.containsKey(batch.firstSeq())) {
            return;
        }
        byFirstSeq.put(batch.firstSeq(), new Held(batch));
        held += Math.max(1, batch.changes().size());
        while (held > maxChanges && byFirstSeq.size() > 1) {
            held -= Math.max(
                    1, byFirstSeq.pollFirstEntry().getValue().batch.changes().size());
        }
    }

    /**
     * The {@code status.changed} messages of {@code accountId} after seq {@code after}, at most {@code limit}, in
     * seq order; when the batches held end before the limit is reached, a {@link WebhookStore#SKIP} at the last
     * seq they cover, so that the cursor passes the other accounts' changes. Null when the batch holding seq
     * {@code after + 1} is not held: the history has to be read.
     */
    List<Message> after(String accountId, long after, int limit) {
        Map.Entry<Long, Held> first = byFirstSeq.floorEntry(after + 1);
        if (first == null || first.getValue().batch.lastSeq() <= after) {
            return null;
        }
        List<Message> out = new ArrayList<>();
        long covered = after;
        for (Held h = first.getValue(); h != null; h = byFirstSeq.get(covered + 1)) {
            List<Bus.Committed> changes = h.batch.changes();
            for (int i = 0; i < changes.size(); i++) {
                Bus.Committed c = changes.get(i);
                if (c.seq() <= after || !accountId.equals(c.change().accountId())) {
                    continue;
                }
                out.add(h.message(i));
                if (out.size() >= limit) {
                    return out;
                }
            }
            covered = h.batch.lastSeq();
        }
        long last = out.isEmpty() ? after : out.get(out.size() - 1).position();
        if (covered > last) {
            out.add(new Message("skip_" + covered, WebhookStore.SKIP, "", true, covered, Instant.EPOCH));
        }
        return out;
    }
}
