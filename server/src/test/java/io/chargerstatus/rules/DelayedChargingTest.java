package io.chargerstatus.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chargerstatus.rules.DelayedCharging.Window;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("Delayed charging: is a moment in a site's peak, and until when")
class DelayedChargingTest {
    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    private static final List<Window> WEEKDAY_EVENINGS =
            List.of(Window.of(List.of("MON", "TUE", "WED", "THU", "FRI"), "17:00", "21:00"));

    private static Optional<ZonedDateTime> end(String local, ZoneId zone, List<Window> windows) {
        Instant now = ZonedDateTime.of(LocalDateTime.parse(local), zone).toInstant();
        return DelayedCharging.peakEnd(now, zone, windows).map(i -> i.atZone(zone));
    }

    @ParameterizedTest(name = "{0} (Paris) -> {1}")
    @CsvSource({
        "2026-11-23T18:30:00, 2026-11-23T21:00+01:00[Europe/Paris]", // Monday evening: peak
        "2026-11-23T17:00:00, 2026-11-23T21:00+01:00[Europe/Paris]", // start is inclusive
        "2026-11-23T21:00:00, off-peak", // end is exclusive
        "2026-11-23T16:59:59, off-peak",
        "2026-11-28T18:00:00, off-peak", // Saturday
    })
    void weekdayEvenings(String local, String expected) {
        Optional<ZonedDateTime> end = end(local, PARIS, WEEKDAY_EVENINGS);
        assertEquals(expected, end.map(ZonedDateTime::toString).orElse("off-peak"));
    }

    @Test
    @DisplayName("an overnight window started yesterday still holds after midnight")
    void overnight() {
        List<Window> night = List.of(Window.of(List.of("SUN"), "22:00", "06:00"));
        assertEquals(
                "2026-11-30T06:00+01:00[Europe/Paris]",
                end("2026-11-30T01:00:00", PARIS, night).orElseThrow().toString());
        assertTrue(end("2026-11-30T07:00:00", PARIS, night).isEmpty());
    }

    @Test
    @DisplayName("adjacent windows are one peak; 24:00 is the end of the day")
    void adjacent() {
        List<Window> chain =
                List.of(Window.of(List.of("MON"), "18:00", "24:00"), Window.of(List.of("TUE"), "00:00", "02:00"));
        assertEquals(
                "2026-11-24T02:00+01:00[Europe/Paris]",
                end("2026-11-23T19:00:00", PARIS, chain).orElseThrow().toString());
    }

    @Test
    @DisplayName("daylight saving: a window keeps its local times; the hold lasts the local span")
    void daylightSaving() {
        // 2026-03-29: Paris goes from +01:00 to +02:00 at 02:00; a 01:00-05:00 window is three hours long that night.
        List<Window> early = List.of(Window.of(List.of("SUN"), "01:00", "05:00"));
        ZonedDateTime end = end("2026-03-29T01:30:00", PARIS, early).orElseThrow();
        assertEquals("2026-03-29T05:00+02:00[Europe/Paris]", end.toString());
        // In New York the same local evening window ends at 21:00 local on both sides of the November change.
        ZoneId ny = ZoneId.of("America/New_York");
        assertEquals(
                "2026-10-30T21:00-04:00[America/New_York]",
                end("2026-10-30T18:00:00", ny, WEEKDAY_EVENINGS).orElseThrow().toString());
        assertEquals(
                "2026-11-02T21:00-05:00[America/New_York]",
                end("2026-11-02T18:00:00", ny, WEEKDAY_EVENINGS).orElseThrow().toString());
    }
}
