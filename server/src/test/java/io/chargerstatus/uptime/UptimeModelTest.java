package io.chargerstatus.uptime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chargerstatus.uptime.PortTimeline.Event;
import io.chargerstatus.uptime.Uptime.Exclusion;
import io.chargerstatus.uptime.Uptime.Figures;
import io.chargerstatus.uptime.Uptime.Port;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The interval arithmetic and the figures of docs/uptime.md, checked by hand-computed cases and properties. */
class UptimeModelTest {
    private static long t(String iso) {
        return Instant.parse(iso).getEpochSecond();
    }

    private static Event charger(long at, String status) {
        return new Event(0, status, null, null, null, null, at);
    }

    private static Event connector(long at, String chargerStatus, int id, String status, String ocpp, String fault) {
        return new Event(0, chargerStatus, id, status, ocpp, fault, at);
    }

    private static Event available(long at, int id) {
        return connector(at, "Available", id, "Available", "Available", null);
    }

    private static Port port(PortTimeline.Ports ports, int id, List<Exclusion> exclusions) {
        return new Port(
                "CP-1",
                id,
                null,
                ports.commissioned(),
                ports.counted(),
                ports.downs().get(id),
                exclusions);
    }

    /** Boot at 00:00 of 2026-01-01, both connectors Available at once. */
    private static List<Event> booted() {
        long boot = t("2026-01-01T00:00:00Z");
        return new ArrayList<>(List.of(charger(boot, "Available"), available(boot, 1), available(boot, 2)));
    }

    @Test
    @DisplayName("a Faulted hour in a month: counted, outage and uptime to the second")
    void faultedHour() {
        List<Event> h = booted();
        h.add(connector(t("2026-01-10T10:00:00Z"), "Faulted", 1, "Faulted", "Faulted", "GroundFailure/E-105"));
        h.add(connector(t("2026-01-10T11:00:00Z"), "Available", 1, "Available", "Available", null));
        PortTimeline.Ports ports = PortTimeline.of(h, t("2026-02-01T00:00:00Z"));
        Figures f = Uptime.figures(port(ports, 1, List.of()), t("2026-01-01T00:00:00Z"), t("2026-02-01T00:00:00Z"));
        assertEquals(new Figures(31 * 86400, 3600, 0), f);
        assertEquals((31 * 86400 - 3600) * 100.0 / (31 * 86400), f.uptimePercent(), 1e-12);
        Figures other = Uptime.figures(port(ports, 2, List.of()), t("2026-01-01T00:00:00Z"), t("2026-02-01T00:00:00Z"));
        assertEquals(0, other.outageS(), "connector 2 was not faulted");
        var outages = Uptime.outages(port(ports, 1, List.of()), 0, Long.MAX_VALUE, t("2026-02-01T00:00:00Z"));
        assertEquals(1, outages.size());
        assertEquals("GroundFailure/E-105", outages.get(0).faultCode());
        assertEquals(3600, outages.get(0).durationS());
        assertFalse(outages.get(0).ongoing());
    }

    @Test
    @DisplayName("an outage across a month boundary is split between the two months")
    void acrossMonths() {
        List<Event> h = booted();
        h.add(connector(t("2026-01-31T23:00:00Z"), "Faulted", 1, "Faulted", "Faulted", null));
        h.add(available(t("2026-02-01T01:30:00Z"), 1));
        Port p = port(PortTimeline.of(h, t("2026-03-01T00:00:00Z")), 1, List.of());
        assertEquals(
                3600,
                Uptime.figures(p, t("2026-01-01T00:00:00Z"), t("2026-02-01T00:00:00Z"))
                        .outageS());
        assertEquals(
                5400,
                Uptime.figures(p, t("2026-02-01T00:00:00Z"), t("2026-03-01T00:00:00Z"))
                        .outageS());
        var nevi = Uptime.nevi(p, YearMonth.of(2026, 2));
        assertEquals(150.0, nevi.outageMin(), 1e-9);
        assertEquals(
                List.of(0.0, 60.0, 90.0),
                nevi.months().stream().map(Uptime.Month::outageMin).toList());
    }

    @Test
    @DisplayName("a charger-level Offline holds for every port over what the connectors last said")
    void offlineHoldsForAllPorts() {
        List<Event> h = booted();
        h.add(charger(t("2026-01-05T08:00:00Z"), "Offline"));
        h.add(charger(t("2026-01-05T08:20:00Z"), "Available")); // the session is back, connectors unchanged
        PortTimeline.Ports ports = PortTimeline.of(h, t("2026-01-06T00:00:00Z"));
        for (int id : List.of(1, 2)) {
            var outages = Uptime.outages(port(ports, id, List.of()), 0, Long.MAX_VALUE, Long.MAX_VALUE);
            assertEquals(1, outages.size(), "port " + id);
            assertEquals("Offline", outages.get(0).status());
            assertEquals(1200, outages.get(0).durationS());
        }
    }

    @Test
    @DisplayName("connector 0 Faulted and a firmware update hold for every port; a reservation is up")
    void chargerLevelFacts() {
        List<Event> h = booted();
        h.add(connector(t("2026-01-02T00:00:00Z"), "Faulted", 0, "Faulted", "Faulted", "PowerMeterFailure"));
        h.add(connector(t("2026-01-02T00:10:00Z"), "Available", 0, "Available", "Available", null));
        h.add(charger(t("2026-01-03T00:00:00Z"), "Unavailable")); // firmware: the connectors are Available
        h.add(charger(t("2026-01-03T00:05:00Z"), "Available"));
        h.add(connector(t("2026-01-04T00:00:00Z"), "Available", 2, "Unavailable", "Reserved", null));
        h.add(available(t("2026-01-04T01:00:00Z"), 2));
        PortTimeline.Ports ports = PortTimeline.of(h, t("2026-01-05T00:00:00Z"));
        long all = t("2026-01-05T00:00:00Z");
        assertEquals(900, Uptime.figures(port(ports, 1, List.of()), 0, all).outageS());
        assertEquals(900, Uptime.figures(port(ports, 2, List.of()), 0, all).outageS(), "the reservation is up");
        var first = Uptime.outages(port(ports, 2, List.of()), 0, all, all).get(0);
        assertEquals("Faulted", first.status());
        assertEquals("PowerMeterFailure", first.faultCode());
    }

    @Test
    @DisplayName("overlapping exclusions count once; only the outage time they overlap is excluded")
    void overlappingExclusions() {
        List<Event> h = booted();
        h.add(connector(t("2026-01-10T10:00:00Z"), "Faulted", 1, "Faulted", "Faulted", null));
        h.add(available(t("2026-01-10T12:00:00Z"), 1));
        List<Exclusion> ex = List.of(
                new Exclusion(t("2026-01-10T09:00:00Z"), t("2026-01-10T11:00:00Z"), "utility"),
                new Exclusion(t("2026-01-10T10:30:00Z"), t("2026-01-10T11:30:00Z"), "vandalism"),
                new Exclusion(t("2026-01-20T00:00:00Z"), t("2026-01-21T00:00:00Z"), "disaster"));
        Port p = port(PortTimeline.of(h, t("2026-02-01T00:00:00Z")), 1, ex);
        Figures f = Uptime.figures(p, t("2026-01-01T00:00:00Z"), t("2026-02-01T00:00:00Z"));
        assertEquals(new Figures(31 * 86400, 7200, 5400), f);
        var outage = Uptime.outages(p, 0, Long.MAX_VALUE, Long.MAX_VALUE).get(0);
        assertEquals(5400, outage.excludedS());
        assertEquals(List.of("utility", "vandalism"), outage.reasons());
    }

    @Test
    @DisplayName("UK regulation 7: Faulted and Unavailable are not reliable, Offline is; closed hours are not assessed")
    void ukReliability() {
        List<Event> h = booted();
        h.add(connector(t("2026-01-10T10:00:00Z"), "Faulted", 1, "Faulted", "Faulted", "GroundFailure"));
        h.add(available(t("2026-01-10T11:00:00Z"), 1));
        h.add(connector(t("2026-01-11T10:00:00Z"), "Available", 1, "Unavailable", "Inoperative", null));
        h.add(available(t("2026-01-11T10:30:00Z"), 1));
        h.add(connector(t("2026-01-12T10:00:00Z"), "Available", 1, "Unavailable", "Reserved", null));
        h.add(available(t("2026-01-12T12:00:00Z"), 1));
        h.add(charger(t("2026-01-13T00:00:00Z"), "Offline"));
        h.add(charger(t("2026-01-14T00:00:00Z"), "Available"));
        List<Exclusion> ex = List.of(
                // Closed 10:30-11:30 on the 10th: half of the fault is outside the hours assessed.
                new Exclusion(t("2026-01-10T10:30:00Z"), t("2026-01-10T11:30:00Z"), "outside-hours"),
                // The regulation has no exclusions: a utility outage still counts.
                new Exclusion(t("2026-01-11T00:00:00Z"), t("2026-01-12T00:00:00Z"), "utility"));
        Port p = port(PortTimeline.of(h, t("2026-02-01T00:00:00Z")), 1, ex);
        Uptime.Reliability r = Uptime.reliability(p, t("2026-01-01T00:00:00Z"), t("2026-02-01T00:00:00Z"));
        assertEquals(new Uptime.Reliability(31 * 86400 - 3600, 1800 + 1800), r);
        assertEquals((31 * 86400 - 3600 - 3600) * 100.0 / (31 * 86400 - 3600), r.percent(), 1e-12);
        // The same port under NEVI: the Offline day and the reservation-free Unavailable are outages.
        assertEquals(3600 + 1800 + 86400, Uptime.figures(p, 0, Long.MAX_VALUE).outageS());
        assertNull(new Uptime.Reliability(0, 0).percent());
    }

    @Test
    @DisplayName("a maintenance window inside an outage excludes its own length")
    void maintenanceInsideOutage() {
        List<Event> h = booted();
        h.add(connector(t("2026-01-10T10:00:00Z"), "Unavailable", 1, "Unavailable", "Unavailable", null));
        h.add(available(t("2026-01-10T14:00:00Z"), 1));
        List<Exclusion> ex =
                List.of(new Exclusion(t("2026-01-10T11:00:00Z"), t("2026-01-10T12:00:00Z"), "maintenance"));
        Figures f = Uptime.figures(port(PortTimeline.of(h, t("2026-01-11T00:00:00Z")), 1, ex), 0, Long.MAX_VALUE);
        assertEquals(4 * 3600, f.outageS());
        assertEquals(3600, f.excludedS());
    }

    @Test
    @DisplayName("commissioned mid-month: counted from the first session, NEVI marked provisional")
    void commissionedMidMonth() {
        long boot = t("2026-01-15T12:00:00Z");
        List<Event> h = new ArrayList<>(
                List.of(charger(t("2026-01-01T00:00:00Z"), "Unknown"), charger(boot, "Available"), available(boot, 1)));
        Port p = port(PortTimeline.of(h, t("2026-02-01T00:00:00Z")), 1, List.of());
        assertEquals(boot, p.commissioned());
        Figures f = Uptime.figures(p, t("2026-01-01T00:00:00Z"), t("2026-02-01T00:00:00Z"));
        assertEquals(t("2026-02-01T00:00:00Z") - boot, f.countedS());
        assertEquals(100.0, f.uptimePercent());
        assertTrue(Uptime.nevi(p, YearMonth.of(2026, 1)).provisional());
        assertNull(PortTimeline.of(List.of(charger(0, "Unknown")), 100), "never commissioned");
    }

    @Test
    @DisplayName("a port not reported yet after commissioning is down (Unknown) until it reports")
    void notReportedYet() {
        long boot = t("2026-01-01T00:00:00Z");
        List<Event> h = List.of(charger(boot, "Available"), available(boot + 30, 1));
        Figures f = Uptime.figures(port(PortTimeline.of(h, boot + 3600), 1, List.of()), 0, Long.MAX_VALUE);
        assertEquals(new Figures(3600, 30, 0), f);
    }

    @Test
    @DisplayName("NEVI across the twelve-month edge and in a leap year: 525,600 minutes whatever the year")
    void neviEdgesAndLeapYear() {
        List<Event> h = new ArrayList<>();
        long boot = t("2025-01-01T00:00:00Z");
        h.add(charger(boot, "Available"));
        h.add(available(boot, 1));
        // Down from 2027-02-28 00:00 to 2027-03-02 00:00: two days, one of them in the window ending 2028-02.
        h.add(connector(t("2027-02-28T00:00:00Z"), "Faulted", 1, "Faulted", "Faulted", null));
        h.add(available(t("2027-03-02T00:00:00Z"), 1));
        // A day in the leap day's month.
        h.add(connector(t("2028-02-29T00:00:00Z"), "Faulted", 1, "Faulted", "Faulted", null));
        h.add(available(t("2028-03-01T00:00:00Z"), 1));
        Port p = port(PortTimeline.of(h, t("2028-04-01T00:00:00Z")), 1, List.of());
        var nevi = Uptime.nevi(p, YearMonth.of(2028, 2)); // March 2027 .. February 2028 (366 days)
        assertEquals(2 * 1440.0, nevi.outageMin(), 1e-9);
        assertEquals((525_600 - 2880) * 100.0 / 525_600, nevi.uptimePercent(), 1e-12);
        assertFalse(nevi.provisional());
        assertEquals(YearMonth.of(2027, 12), nevi.months().get(0).month());
        assertEquals(1440.0, nevi.months().get(2).outageMin(), 1e-9);
    }

    @Test
    @DisplayName("a connector report with an older clock than the change before it does not move time back")
    void timeNeverMovesBack() {
        List<Event> h = booted();
        h.add(charger(t("2026-01-02T10:00:00Z"), "Offline"));
        h.add(charger(t("2026-01-02T10:10:00Z"), "Available"));
        // The charger's clock is 5 minutes behind: its report is stamped before the reconnection.
        h.add(connector(t("2026-01-02T10:05:00Z"), "Faulted", 1, "Faulted", "Faulted", null));
        h.add(available(t("2026-01-02T11:00:00Z"), 1));
        Port p = port(PortTimeline.of(h, t("2026-01-03T00:00:00Z")), 1, List.of());
        var outages = Uptime.outages(p, 0, Long.MAX_VALUE, Long.MAX_VALUE);
        assertEquals(
                List.of("Offline", "Faulted"),
                outages.stream().map(Uptime.Outage::status).toList());
        assertEquals(600 + 3000, Uptime.figures(p, 0, Long.MAX_VALUE).outageS());
    }

    @Test
    @DisplayName("opening hours: the closed hours of a Paris site, with a daylight-saving night")
    void openingHours() {
        OpeningHours hours = OpeningHours.parse(Map.of(
                "MON", List.of(List.of("06:00", "22:00")),
                "SAT", List.of(List.of("08:00", "12:00"), List.of("14:00", "24:00"))));
        ZoneId paris = ZoneId.of("Europe/Paris");
        // Saturday 2026-03-28 to Monday 2026-03-30 (clocks go forward on Sunday 29th at 02:00).
        long from = t("2026-03-27T23:00:00Z"); // Saturday 00:00 in Paris (UTC+1)
        long to = t("2026-03-29T22:00:00Z"); // Monday 00:00 in Paris (UTC+2)
        Intervals closed = hours.closed(from, to, paris);
        // Open Saturday 08-12 and 14-24 (14 h), Sunday closed (23 h long): 47 h in all, 33 h closed.
        assertEquals(33 * 3600, closed.seconds());
        assertEquals(0, OpeningHours.ALWAYS.closed(from, to, paris).seconds());
    }

    // ---- properties ------------------------------------------------------------------------------

    @Provide
    Arbitrary<List<long[]>> ranges() {
        Arbitrary<long[]> range = Combinators.combine(
                        Arbitraries.longs().between(0, 200), Arbitraries.longs().between(0, 40))
                .as((s, len) -> new long[] {s, s + len});
        return range.list().ofMaxSize(8);
    }

    @Property(tries = 500)
    @Label("union and intersection agree with counting second by second")
    void intervalArithmetic(@ForAll("ranges") List<long[]> a, @ForAll("ranges") List<long[]> b) {
        Intervals ua = Intervals.union(a);
        Intervals ub = Intervals.union(b);
        long inA = 0;
        long inBoth = 0;
        long inEither = 0;
        for (long s = 0; s < 260; s++) {
            boolean x = covers(a, s);
            boolean y = covers(b, s);
            inA += x ? 1 : 0;
            inBoth += x && y ? 1 : 0;
            inEither += x || y ? 1 : 0;
        }
        assertEquals(inA, ua.seconds());
        assertEquals(inBoth, ua.intersect(ub).seconds());
        assertEquals(inEither, ua.union(ub).seconds());
        assertEquals(260 - inA, ua.complement(0, 260).seconds());
        // The same union from interleaved pairs, as given and sorted by start (the merge without a sort).
        assertEquals(ua, Intervals.unionOfPairs(pairs(a)));
        List<long[]> sorted = new java.util.ArrayList<>(a);
        sorted.sort(java.util.Comparator.comparingLong(r -> r[0]));
        assertEquals(ua, Intervals.unionOfPairs(pairs(sorted)));
    }

    private static long[] pairs(List<long[]> ranges) {
        long[] out = new long[2 * ranges.size()];
        for (int i = 0; i < ranges.size(); i++) {
            out[2 * i] = ranges.get(i)[0];
            out[2 * i + 1] = ranges.get(i)[1];
        }
        return out;
    }

    private static boolean covers(List<long[]> ranges, long s) {
        return ranges.stream().anyMatch(r -> r[0] <= s && s < r[1]);
    }

    private static final List<String> CONNECTOR =
            List.of("Available", "Charging", "Preparing", "Faulted", "Unavailable", "Finishing", "Paused");
    private static final List<String> CHARGER = List.of("Available", "Offline", "Unavailable", "Faulted", "Charging");

    @Provide
    Arbitrary<List<Event>> histories() {
        Arbitrary<Event> event = Combinators.combine(
                        Arbitraries.longs().between(0, 5000),
                        Arbitraries.of(CHARGER),
                        Arbitraries.integers().between(-1, 2),
                        Arbitraries.of(CONNECTOR),
                        Arbitraries.of("Reserved", "Other"))
                .as((at, c, id, s, ocpp) ->
                        id < 0 ? charger(at, c) : connector(at, c, id, s, s.equals("Unavailable") ? ocpp : s, null));
        return event.list().ofMinSize(1).ofMaxSize(30);
    }

    @Property(tries = 500)
    @Label("for any history: up + outage = counted, excluded within outage, months add up to the range")
    void figuresAddUp(@ForAll("histories") List<Event> history, @ForAll("ranges") List<long[]> exclusions) {
        PortTimeline.Ports ports = PortTimeline.of(history, 6000);
        if (ports == null) {
            return;
        }
        List<Exclusion> ex = exclusions.stream()
                .map(r -> new Exclusion(r[0] * 25, r[1] * 25, "utility"))
                .toList();
        for (int id : ports.downs().keySet()) {
            Port p = port(ports, id, ex);
            Figures all = Uptime.figures(p, 0, 6000);
            assertTrue(all.outageS() <= all.countedS() && all.excludedS() <= all.outageS(), all.toString());
            assertEquals(6000 - ports.commissioned(), all.countedS());
            Figures halves = Uptime.figures(p, 0, 2500).plus(Uptime.figures(p, 2500, 6000));
            assertEquals(all, halves);
            long outageTotal = Uptime.outages(p, 0, 6000, 6000).stream()
                    .mapToLong(Uptime.Outage::durationS)
                    .sum();
            assertEquals(all.outageS(), outageTotal, "the outages are the outage time");
            Double up = all.uptimePercent();
            assertTrue(up == null || (up >= 0 && up <= 100), String.valueOf(up));
        }
    }

    @Property(tries = 500)
    @Label("the roll-up, one event at a time and kept as JSON between events, gives PortTimeline's ports")
    void rollupEqualsTimeline(@ForAll("histories") List<Event> history, @ForAll boolean keepEveryEvent) {
        PortTimeline.Ports expected = PortTimeline.of(history, 6000);
        PortRollup rollup = new PortRollup();
        List<PortRollup.Stretch> stretches = new java.util.ArrayList<>();
        for (Event e : history) {
            stretches.addAll(rollup.apply(e));
            if (keepEveryEvent) {
                String kept = new io.vertx.core.json.JsonArray(rollup.save()).encode();
                rollup = PortRollup.load(new io.vertx.core.json.JsonArray(kept).getList());
            }
        }
        PortTimeline.Ports actual =
                PortRollup.ports(rollup.commissioned(), rollup.portsBefore(Long.MAX_VALUE), stretches, 6000);
        if (expected == null) {
            assertNull(actual);
            return;
        }
        assertEquals(expected.commissioned(), actual.commissioned());
        assertEquals(expected.downs(), actual.downs());
    }
}
