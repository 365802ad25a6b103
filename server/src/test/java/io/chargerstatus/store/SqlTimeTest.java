package io.chargerstatus.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.ZoneOffset;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

/** The cheap timestamptz binding is the same value as {@code Instant.atOffset(UTC)}, for any instant. */
class SqlTimeTest {
    @Property
    void sameAsAtOffset(
            @ForAll @LongRange(min = -62_135_596_800L, max = 253_402_300_799L) long seconds,
            @ForAll @LongRange(min = 0, max = 999_999_999) long nanos) {
        Instant t = Instant.ofEpochSecond(seconds, nanos);
        assertEquals(t.atOffset(ZoneOffset.UTC), Sql.utc(t));
    }
}
