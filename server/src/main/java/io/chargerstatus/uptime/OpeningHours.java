package io.chargerstatus.uptime;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A site's opening hours ({@code "24/7"} or {@code {"MON":[["06:00","22:00"]],...}} in the site's time zone,
 * a day left out being closed all day): the hours outside them are the contract's {@code outside-hours}
 * exclusion (23 CFR 680.116(b)(2)(vi): "hours outside of the station's identified hours of operation").
 * Local times are placed with the zone's rules, so a day of a daylight-saving change is 23 or 25 hours long.
 */
public final class OpeningHours {
    public static final OpeningHours ALWAYS = new OpeningHours(null);

    /** Per day, the open ranges as minutes of the day ({@code [from, to)}, 24:00 = 1440); null: 24/7. */
    private final Map<DayOfWeek, List<int[]>> days;

    private OpeningHours(Map<DayOfWeek, List<int[]>> days) {
        this.days = days;
    }

    /** Reads the stored form: null or "24/7" is always open; else a map of day to [from, to] pairs. */
    public static OpeningHours parse(Object value) {
        value = plain(value);
        if (value == null || "24/7".equals(value)) {
            return ALWAYS;
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("openingHours must be \"24/7\" or an object of days");
        }
        Map<DayOfWeek, List<int[]>> days = new EnumMap<>(DayOfWeek.class);
        for (Map.Entry<?, ?> e : map.entrySet()) {
            DayOfWeek day = day(String.valueOf(e.getKey()));
            List<int[]> ranges = new ArrayList<>();
            if (!(e.getValue() instanceof List<?> list)) {
                throw new IllegalArgumentException("openingHours." + e.getKey() + " must be a list of [from, to]");
            }
            for (Object pair : list) {
                if (!(pair instanceof List<?> p) || p.size() != 2) {
                    throw new IllegalArgumentException("openingHours." + e.getKey() + " must be a list of [from, to]");
                }
                int from = minutes(String.valueOf(p.get(0)));
                int to = minutes(String.valueOf(p.get(1)));
                if (to <= from) {
                    throw new IllegalArgumentException("openingHours." + e.getKey() + ": to must be after from");
                }
                ranges.add(new int[] {from, to});
            }
            days.put(day, ranges);
        }
        return new OpeningHours(days);
    }

    /** Vert.x JSON values as plain maps and lists (the stored JSON decodes to either). */
    private static Object plain(Object value) {
        if (value instanceof io.vertx.core.json.JsonObject o) {
            Map<String, Object> out = new java.util.LinkedHashMap<>();
            o.forEach(e -> out.put(e.getKey(), plain(e.getValue())));
            return out;
        }
        if (value instanceof io.vertx.core.json.JsonArray a) {
            List<Object> out = new ArrayList<>();
            a.forEach(v -> out.add(plain(v)));
            return out;
        }
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> out = new java.util.LinkedHashMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(k), plain(v)));
            return out;
        }
        if (value instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(v -> out.add(plain(v)));
            return out;
        }
        return value;
    }

    private static DayOfWeek day(String name) {
        return switch (name) {
            case "MON" -> DayOfWeek.MONDAY;
            case "TUE" -> DayOfWeek.TUESDAY;
            case "WED" -> DayOfWeek.WEDNESDAY;
            case "THU" -> DayOfWeek.THURSDAY;
            case "FRI" -> DayOfWeek.FRIDAY;
            case "SAT" -> DayOfWeek.SATURDAY;
            case "SUN" -> DayOfWeek.SUNDAY;
            default -> throw new IllegalArgumentException("openingHours: unknown day " + name + " (MON..SUN)");
        };
    }

    private static int minutes(String hhmm) {
        if (!hhmm.matches("^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$")) {
            throw new IllegalArgumentException("openingHours: times are HH:MM (00:00 to 24:00), got " + hhmm);
        }
        return Integer.parseInt(hhmm.substring(0, 2)) * 60 + Integer.parseInt(hhmm.substring(3));
    }

    /** Per day, the open ranges as minutes of the day ({@code [from, to)}); empty when always open. */
    public Map<DayOfWeek, List<int[]>> days() {
        return days == null ? Map.of() : java.util.Collections.unmodifiableMap(days);
    }

    public boolean always() {
        return days == null;
    }

    /** The closed time within {@code [from, to)} (epoch seconds). */
    public Intervals closed(long from, long to, ZoneId zone) {
        if (days == null || to <= from) {
            return Intervals.EMPTY;
        }
        List<long[]> open = new ArrayList<>();
        LocalDate day = ZonedDateTime.ofInstant(java.time.Instant.ofEpochSecond(from), zone)
                .toLocalDate()
                .minusDays(1);
        LocalDate last = ZonedDateTime.ofInstant(java.time.Instant.ofEpochSecond(to), zone)
                .toLocalDate();
        for (; !day.isAfter(last); day = day.plusDays(1)) {
            for (int[] r : days.getOrDefault(day.getDayOfWeek(), List.of())) {
                open.add(new long[] {at(day, r[0], zone), at(day, r[1], zone)});
            }
        }
        return Intervals.union(open).complement(from, to);
    }

    private static long at(LocalDate day, int minute, ZoneId zone) {
        if (minute == 1440) {
            return day.plusDays(1).atStartOfDay(zone).toEpochSecond();
        }
        return day.atTime(LocalTime.of(minute / 60, minute % 60)).atZone(zone).toEpochSecond();
    }
}
