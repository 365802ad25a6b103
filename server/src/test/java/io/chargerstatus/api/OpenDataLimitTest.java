package io.chargerstatus.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The open-data feed's token bucket per client address (OPEN_DATA_PER_MINUTE), on times the test gives it:
 * OcpiIT sees the 429 through HTTP; this checks the refill, the cap and the bound on addresses kept.
 */
class OpenDataLimitTest {
    private static final long T0 = 1_000_000;

    private static int allowed(OpenData limit, String client, long at, int tries) {
        int n = 0;
        for (int i = 0; i < tries; i++) {
            n += limit.allow(client, at) ? 1 : 0;
        }
        return n;
    }

    @Test
    @DisplayName("four a minute: the fifth is refused, one more every fifteen seconds, never more than four saved up")
    void refillsContinuouslyUpToTheRate() {
        OpenData limit = new OpenData(null, null, null, 4, null);
        assertEquals(4, allowed(limit, "10.0.0.1", T0, 10));
        assertFalse(limit.allow("10.0.0.1", T0 + 14_999), "not a whole token yet");
        assertTrue(limit.allow("10.0.0.1", T0 + 15_000));
        assertFalse(limit.allow("10.0.0.1", T0 + 15_000));
        // An hour idle saves up the rate, not sixty times it.
        assertEquals(4, allowed(limit, "10.0.0.1", T0 + 3_615_000, 10));
    }

    @Test
    @DisplayName("each address has its own bucket; past the bound the stalest address is forgotten, not the busy one")
    void perAddressAndBounded() {
        OpenData limit = new OpenData(null, null, null, 1, null);
        assertTrue(limit.allow("busy", T0));
        assertTrue(limit.allow("other", T0), "another address is not limited by the first");
        assertFalse(limit.allow("busy", T0));
        // 99,998 more fill the bound of 100,000 addresses; the next one makes room by forgetting the stalest.
        for (int i = 0; i < 99_999; i++) {
            limit.allow("client-" + i, T0 + 1);
        }
        // The busy address was asked about just now (access order): still remembered, still empty.
        assertFalse(limit.allow("busy", T0 + 2));
        // "other" was the stalest once the bound was reached: forgotten, so it starts with a full bucket.
        assertTrue(limit.allow("other", T0 + 2));
    }
}
