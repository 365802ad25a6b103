package io.chargerstatus.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.chargerstatus.bus.Bus;
import io.chargerstatus.notify.WebhookStore.Message;
import io.chargerstatus.status.Change;
import io.chargerstatus.status.Status;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The changes published lately: sent from there only while their seqs run on without a gap")
class RecentChangesTest {
    private static final Instant AT = Instant.parse("2026-12-07T05:00:00.123456Z");

    /** A batch of seqs first..last; {@code accounts[i]} is seq first+i's account, null: not streamed. */
    private static Bus.Batch batch(long first, String... accounts) {
        List<Bus.Committed> changes = new ArrayList<>();
        for (int i = 0; i < accounts.length; i++) {
            if (accounts[i] != null) {
                changes.add(new Bus.Committed(
                        first + i,
                        new Change(
                                "CP-" + (first + i),
                                accounts[i],
                                null,
                                Status.Charging,
                                Status.Available,
                                null,
                                null,
                                AT,
                                AT,
                                true)));
            }
        }
        return new Bus.Batch(first, first + accounts.length - 1, changes);
    }

    private static List<Long> positions(List<Message> messages) {
        return messages.stream().map(Message::position).toList();
    }

    @Test
    @DisplayName("one account's messages across batches that follow one another; a skip to the last seq held when "
            + "the rest is other accounts' changes and late reports, so that the cursor passes them")
    void followingBatches() {
        RecentChanges recent = new RecentChanges(1000);
        recent.add(batch(11, "a", "b", null));
        recent.add(batch(14, "b", "a"));
        List<Message> owed = recent.after("a", 10, 500);
        assertEquals(List.of(11L, 15L), positions(owed));
        assertEquals(
                List.of("status.changed", "status.changed"),
                owed.stream().map(Message::type).toList());
        assertEquals(List.of(14L, 15L), positions(recent.after("b", 12, 500)));
        assertEquals(List.of(15L), positions(recent.after("b", 14, 500)), "nothing of b after 14: a skip to 15");
        assertEquals(WebhookStore.SKIP, recent.after("b", 14, 500).get(0).type());
        assertNull(recent.after("a", 15, 500), "past what is held: the history says whether more committed");
    }

    @Test
    @DisplayName("the history is read when the next seq is not held, and the walk stops at a gap")
    void gaps() {
        RecentChanges recent = new RecentChanges(1000);
        recent.add(batch(11, "a", "a"));
        recent.add(batch(20, "a")); // 13..19 never reached this instance (another engine's, in flight)
        assertNull(recent.after("a", 5, 500), "behind what is held");
        assertEquals(List.of(12L), positions(recent.after("a", 11, 500)), "up to the gap, no skip past it");
        assertNull(recent.after("a", 12, 500), "the gap itself: the history");
        assertEquals(List.of(20L), positions(recent.after("a", 19, 500)));
        assertNull(recent.after("a", 21, 500), "ahead of what is held");
    }

    @Test
    @DisplayName("at most the limit, the oldest batches dropped past the size, each message made once with the "
            + "history's id and text")
    void limitAndSize() {
        RecentChanges recent = new RecentChanges(4);
        recent.add(batch(1, "a", "a"));
        recent.add(batch(3, "a", "a"));
        assertEquals(List.of(1L, 2L, 3L), positions(recent.after("a", 0, 3)));
        Message m = recent.after("a", 0, 1).get(0);
        assertSame(m, recent.after("a", 0, 1).get(0), "encoded once");
        assertEquals("msg_status_1", m.id());
        JsonObject body = new JsonObject(m.body());
        assertEquals("status.changed", body.getString("type"));
        assertEquals(AT.toString(), body.getString("timestamp"));
        assertEquals(1L, body.getJsonObject("data").getLong("seq"));
        assertEquals("Charging", body.getJsonObject("data").getString("status"));
        recent.add(batch(5, "a"));
        assertNull(recent.after("a", 0, 500), "seqs 1-2 dropped");
        assertEquals(List.of(3L, 4L, 5L), positions(recent.after("a", 2, 500)));
    }
}
