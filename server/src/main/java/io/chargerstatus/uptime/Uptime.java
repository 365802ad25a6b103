package io.chargerstatus.uptime;

import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The figures of the contract's "Uptime and outages", from a port's counted time, its down stretches and the
 * exclusions that apply to it. Pure: the store gathers the inputs, the API writes the answers.
 *
 * <ul>
 *   <li>uptime over any range: {@code (counted - (outage - excluded)) / counted x 100}, in seconds;
 *   <li>NEVI (23 CFR 680.116(b)): {@code (525,600 - (T_outage - T_excluded)) / 525,600 x 100} over the twelve
 *       months ending with a month, in minutes, 525,600 whatever the year's length.
 * </ul>
 *
 * Only outage time that overlaps an exclusion is excluded, and overlapping exclusions count once (they are
 * one union before the intersection).
 */
public final class Uptime {
    /** Minutes in a year as 23 CFR 680.116(b) writes them, fixed (a leap year does not change it). */
    public static final long NEVI_MINUTES = 525_600;

    /** An exclusion's time and reason (utility, vehicle, maintenance, vandalism, disaster, outside-hours). */
    public record Exclusion(long start, long end, String reason) {}

    /** A port's inputs: where it counts, when it was down, what excuses it. */
    public record Port(
            String chargerId,
            int connectorId,
            String siteId,
            long commissioned,
            Intervals counted,
            List<PortTimeline.Down> downs,
            List<Exclusion> exclusions) {

        Intervals down() {
            long[] pairs = new long[2 * downs.size()];
            int i = 0;
            for (PortTimeline.Down d : downs) {
                pairs[i++] = d.start();
                pairs[i++] = d.end();
            }
            return Intervals.unionOfPairs(pairs).intersect(counted);
        }

        Intervals excluded() {
            long[] pairs = new long[2 * exclusions.size()];
            int i = 0;
            for (Exclusion e : exclusions) {
                pairs[i++] = e.start();
                pairs[i++] = e.end();
            }
            return Intervals.unionOfPairs(pairs);
        }
    }

    /** Seconds counted, in outage and excluded over {@code [from, to)}. */
    public record Figures(long countedS, long outageS, long excludedS) {
        public Figures plus(Figures o) {
            return new Figures(countedS + o.countedS, outageS + o.outageS, excludedS + o.excludedS);
        }

        /** Null when nothing was counted (a port not yet commissioned in the range). */
        public Double uptimePercent() {
            return countedS == 0 ? null : (countedS - (outageS - excludedS)) * 100.0 / countedS;
        }
    }

    /** One outage: a stretch of one down status, whole (not clipped to a report's range). */
    public record Outage(
            String chargerId,
            int connectorId,
            long start,
            long end,
            boolean ongoing,
            String status,
            String faultCode,
            long excludedS,
            List<String> reasons) {
        public long durationS() {
            return end - start;
        }
    }

    /** A month's NEVI inputs in minutes. */
    public record Month(YearMonth month, double outageMin, double excludedMin) {}

    public record Nevi(
            double uptimePercent,
            double outageMin,
            double excludedMin,
            boolean provisional,
            long countedS,
            List<Month> months) {}

    /**
     * A port's time under the UK's Public Charge Point Regulations 2023, regulation 7: assessed (counted, and
     * within the site's opening hours, 7(5)) and not reliable (an EVSE status of INOPERATIVE or OUTOFORDER,
     * 7(4)), in seconds.
     */
    public record Reliability(long assessedS, long notReliableS) {
        public Reliability plus(Reliability o) {
            return new Reliability(assessedS + o.assessedS, notReliableS + o.notReliableS);
        }

        /** Null when nothing was assessed. */
        public Double percent() {
            return assessedS == 0 ? null : (assessedS - notReliableS) * 100.0 / assessedS;
        }
    }

    private Uptime() {}

    /**
     * Regulation 7 over {@code [from, to)}. Of the down statuses only Faulted (OUTOFORDER) and Unavailable
     * (INOPERATIVE; Reserved is never down) are "not working"; Offline and a port not reported yet are UNKNOWN,
     * which 7(3)(b) counts as "ineligible for measurement", that is reliable. Exclusions do not apply (the
     * regulation has none) except the hours outside the site's opening hours, which are not assessed at all.
     */
    public static Reliability reliability(Port port, long from, long to) {
        List<long[]> closed = new ArrayList<>();
        for (Exclusion e : port.exclusions()) {
            if ("outside-hours".equals(e.reason())) {
                closed.add(new long[] {e.start(), e.end()});
            }
        }
        Intervals assessed =
                port.counted().clip(from, to).intersect(Intervals.union(closed).complement(from, to));
        List<long[]> notWorking = new ArrayList<>();
        for (PortTimeline.Down d : port.downs()) {
            if ("Faulted".equals(d.status()) || "Unavailable".equals(d.status())) {
                notWorking.add(new long[] {d.start(), d.end()});
            }
        }
        return new Reliability(
                assessed.seconds(),
                Intervals.union(notWorking).intersect(assessed).seconds());
    }

    public static Figures figures(Port port, long from, long to) {
        return figures(port.counted(), port.down(), port.excluded(), from, to);
    }

    /** The same from a port's counted, down and excluded time, each computed once for all of its ranges. */
    private static Figures figures(Intervals countedAll, Intervals down, Intervals excludedAll, long from, long to) {
        Intervals counted = countedAll.clip(from, to);
        Intervals outage = down.intersect(counted);
        Intervals excluded = outage.intersect(excludedAll);
        return new Figures(counted.seconds(), outage.seconds(), excluded.seconds());
    }

    /**
     * The port's outages overlapping {@code [from, to)}; {@code now}: an outage still open at the end of the
     * port's counted time that ends at {@code now} is ongoing.
     */
    public static List<Outage> outages(Port port, long from, long to, long now) {
        List<Outage> out = new ArrayList<>();
        Intervals excludedAll = port.excluded();
        for (PortTimeline.Down d : port.downs()) {
            Intervals whole = Intervals.of(d.start(), d.end()).intersect(port.counted());
            if (whole.isEmpty() || d.end() <= from || d.start() >= to) {
                continue;
            }
            Intervals excluded = whole.intersect(excludedAll);
            TreeSet<String> reasons = new TreeSet<>();
            for (Exclusion e : port.exclusions()) {
                if (e.start() < d.end() && e.end() > d.start()) {
                    reasons.add(e.reason());
                }
            }
            out.add(new Outage(
                    port.chargerId(),
                    port.connectorId(),
                    d.start(),
                    d.end(),
                    d.end() >= now,
                    d.status(),
                    d.faultCode(),
                    excluded.seconds(),
                    List.copyOf(reasons)));
        }
        return out;
    }

    /** The start of a month, UTC, in epoch seconds (the reports' months are UTC months). */
    public static long monthStart(YearMonth m) {
        return LocalDate.of(m.getYear(), m.getMonth(), 1)
                .atStartOfDay(ZoneOffset.UTC)
                .toEpochSecond();
    }

    /** The 23 CFR 680.116(b) figure for the twelve months ending with {@code month}, and its last three months. */
    public static Nevi nevi(Port port, YearMonth month) {
        long from = monthStart(month.minusMonths(11));
        long to = monthStart(month.plusMonths(1));
        Intervals down = port.down();
        Intervals excludedAll = port.excluded();
        Figures year = figures(port.counted(), down, excludedAll, from, to);
        double outageMin = year.outageS() / 60.0;
        double excludedMin = year.excludedS() / 60.0;
        double mu = (NEVI_MINUTES - (outageMin - excludedMin)) * 100.0 / NEVI_MINUTES;
        List<Month> months = new ArrayList<>();
        for (int back = 2; back >= 0; back--) {
            YearMonth m = month.minusMonths(back);
            Figures f = figures(port.counted(), down, excludedAll, monthStart(m), monthStart(m.plusMonths(1)));
            months.add(new Month(m, f.outageS() / 60.0, f.excludedS() / 60.0));
        }
        return new Nevi(mu, outageMin, excludedMin, port.commissioned() > from, year.countedS(), months);
    }
}
