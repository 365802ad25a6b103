package io.chargerstatus.rules;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Delayed charging of a site: peak windows in the site's own time zone, during which a standard
 * (non-boost) transaction is held at zero power until the peak ends.
 *
 * <p>A window belongs to the day it starts on; {@code to} at or before {@code from} ends on the next day
 * (22:00-06:00), and "24:00" means midnight at the end of the day. Wall-clock times are resolved with
 * java.time, so a window keeps its local times across daylight-saving changes (a 17:00-21:00 peak is
 * four hours long whatever the offset; a local time that does not exist moves forward by the gap).
 * Windows that touch or overlap are one peak: the hold lasts until the last of them ends.
 */
public final class DelayedCharging {

    /** One peak window: days it starts on, local start and end. */
    public record Window(Set<DayOfWeek> days, LocalTime from, LocalTime to, boolean toMidnight) {
        public static Window of(List<String> days, String from, String to) {
            Set<DayOfWeek> set = EnumSet.noneOf(DayOfWeek.class);
            for (String d : days) {
                set.add(day(d));
            }
            boolean midnight = to.equals("24:00");
            return new Window(
                    set, LocalTime.parse(from), midnight ? LocalTime.MIDNIGHT : LocalTime.parse(to), midnight);
        }

        private static DayOfWeek day(String abbreviation) {
            for (DayOfWeek d : DayOfWeek.values()) {
                if (d.name().startsWith(abbreviation)) {
                    return d;
                }
            }
            throw new IllegalArgumentException("not a day: " + abbreviation);
        }

        /** The occurrence of this window that starts on {@code date}, or null if it does not start that day. */
        Interval on(LocalDate date, ZoneId zone) {
            if (!days.contains(date.getDayOfWeek())) {
                return null;
            }
            ZonedDateTime start = ZonedDateTime.of(date, from, zone);
            LocalDate endDate = toMidnight || !to.isAfter(from) ? date.plusDays(1) : date;
            ZonedDateTime end = ZonedDateTime.of(endDate, to, zone);
            return new Interval(start.toInstant(), end.toInstant());
        }
    }

    record Interval(Instant start, Instant end) {}

    private DelayedCharging() {}

    /**
     * When the peak that {@code now} falls in ends, or empty when {@code now} is off-peak.
     *
     * @param now     the moment the transaction starts
     * @param zone    the site's time zone
     * @param windows the site's peak windows
     */
    public static Optional<Instant> peakEnd(Instant now, ZoneId zone, List<Window> windows) {
        LocalDate today = now.atZone(zone).toLocalDate();
        List<Interval> intervals = new ArrayList<>();
        // Yesterday's overnight windows may still run; a week ahead covers chains of adjacent windows.
        for (LocalDate d = today.minusDays(1); !d.isAfter(today.plusDays(7)); d = d.plusDays(1)) {
            for (Window w : windows) {
                Interval i = w.on(d, zone);
                if (i != null && i.end().isAfter(i.start())) {
                    intervals.add(i);
                }
            }
        }
        Instant end = null;
        boolean extended = true;
        while (extended) {
            extended = false;
            for (Interval i : intervals) {
                boolean covers = end == null
                        ? !now.isBefore(i.start()) && now.isBefore(i.end())
                        : !end.isBefore(i.start()) && end.isBefore(i.end());
                if (covers) {
                    end = i.end();
                    extended = true;
                }
            }
        }
        return Optional.ofNullable(end);
    }
}
