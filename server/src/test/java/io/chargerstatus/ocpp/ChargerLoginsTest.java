package io.chargerstatus.ocpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Charger login backoff, per charger id and per source address")
class ChargerLoginsTest {

    @Test
    @DisplayName("a charger id gets a few free failures, then blocks that double with each failure, capped")
    void perId() {
        ChargerLogins logins = new ChargerLogins(1000);
        long now = 1_000_000;
        for (int i = 0; i < ChargerLogins.FREE_FAILURES_PER_ID; i++) {
            assertFalse(logins.failed("CP-1", "10.0.0." + i, now), "free failure " + i);
            assertEquals(0, logins.blockedFor("CP-1", "10.0.0.99", now));
        }
        assertTrue(logins.failed("CP-1", "10.0.0.50", now));
        assertEquals(
                ChargerLogins.FIRST_BLOCK_MILLIS,
                logins.blockedFor("CP-1", "10.0.0.99", now),
                "blocked whatever the address");
        assertEquals(0, logins.blockedFor("CP-2", "10.0.0.99", now), "other chargers are not blocked");
        now += ChargerLogins.FIRST_BLOCK_MILLIS;
        assertEquals(0, logins.blockedFor("CP-1", "10.0.0.99", now));
        logins.failed("CP-1", "10.0.0.51", now);
        assertEquals(2 * ChargerLogins.FIRST_BLOCK_MILLIS, logins.blockedFor("CP-1", "10.0.0.99", now));
        for (int i = 0; i < 30; i++) {
            logins.failed("CP-1", "10.0.1." + i, now);
        }
        assertEquals(ChargerLogins.MAX_BLOCK_MILLIS, logins.blockedFor("CP-1", "10.0.0.99", now));
    }

    @Test
    @DisplayName("one address guessing many chargers' passwords is blocked after more free failures than one id gets")
    void perAddress() {
        ChargerLogins logins = new ChargerLogins(1000);
        long now = 5_000_000;
        for (int i = 0; i < ChargerLogins.FREE_FAILURES_PER_ADDRESS; i++) {
            logins.failed("CP-" + i, "192.0.2.7", now);
        }
        assertEquals(0, logins.blockedFor("CP-new", "192.0.2.7", now));
        assertTrue(logins.failed("CP-x", "192.0.2.7", now));
        assertTrue(logins.blockedFor("CP-new", "192.0.2.7", now) > 0, "the address is blocked for every charger id");
        assertEquals(0, logins.blockedFor("CP-new", "192.0.2.8", now), "other addresses are not");
    }
}
