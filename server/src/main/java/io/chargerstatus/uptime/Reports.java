package io.chargerstatus.uptime;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.Year;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The three reports of the contract (uptime over a range, NEVI for a month, the outages), each as the JSON
 * answer and as the rows of its CSV. Pure: from the {@link UptimeStore.Inputs} of a scope.
 */
public final class Reports {
    /**
     * A report: its JSON answer, or the same figures as CSV columns and rows (one row per port or outage),
     * each made only when asked for (a whole account's report is tens of thousands of rows).
     */
    public record Table(Supplier<Object> json, List<String> columns, Supplier<List<List<Object>>> rows) {}

    private Reports() {}

    /**
     * The ports of the inputs, counted up to {@code now} (or their decommissioning), with the exclusions that
     * cover them and their site's closed hours within {@code [hoursFrom, hoursTo)}; by charger id, then port.
     * Made one charger at a time as the caller asks for them, so that a whole account's ports and stretches
     * are never all held at once.
     */
    static Iterable<Uptime.Port> ports(UptimeStore.Inputs in, long hoursFrom, long hoursTo, long now) {
        Map<String, List<Uptime.Exclusion>> closed = new HashMap<>();
        // The exclusions by what they cover, so that a port looks at its own, not at every one of the account.
        List<UptimeStore.Scoped> accountWide = new ArrayList<>();
        Map<String, List<UptimeStore.Scoped>> bySite = new HashMap<>();
        Map<String, List<UptimeStore.Scoped>> byCharger = new HashMap<>();
        for (UptimeStore.Scoped s : in.exclusions()) {
            if (s.chargerId() != null) {
                byCharger.computeIfAbsent(s.chargerId(), k -> new ArrayList<>()).add(s);
            } else if (s.siteId() != null) {
                bySite.computeIfAbsent(s.siteId(), k -> new ArrayList<>()).add(s);
            } else {
                accountWide.add(s);
            }
        }
        // A charger id registered again after its decommissioning has several lifetimes: one port over all.
        List<UptimeStore.Lifetime> lifetimes = new ArrayList<>(in.lifetimes());
        lifetimes.sort(Comparator.comparing(UptimeStore.Lifetime::chargerId));
        return () -> new Iterator<>() {
            private int next;
            private Iterator<Uptime.Port> charger = Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!charger.hasNext() && next < lifetimes.size()) {
                    int from = next;
                    String id = lifetimes.get(from).chargerId();
                    while (next < lifetimes.size()
                            && lifetimes.get(next).chargerId().equals(id)) {
                        next++;
                    }
                    TreeMap<Integer, Uptime.Port> merged = new TreeMap<>();
                    for (UptimeStore.Lifetime life : lifetimes.subList(from, next)) {
                        lifetime(life).forEach(port -> merged.merge(port.connectorId(), port, Reports::join));
                    }
                    charger = merged.values().iterator();
                }
                return charger.hasNext();
            }

            @Override
            public Uptime.Port next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return charger.next();
            }

            private List<Uptime.Port> lifetime(UptimeStore.Lifetime life) {
                long end = life.decommissionedAt() == null
                        ? now
                        : Math.min(now, life.decommissionedAt().getEpochSecond());
                UptimeStore.Rolled rolled = in.rolled().get(UptimeStore.key(life));
                PortTimeline.Ports ports = rolled == null
                        ? null
                        : PortRollup.ports(rolled.commissioned(), rolled.ports(), rolled.stretches(), end);
                if (ports == null) {
                    return List.of();
                }
                List<Uptime.Exclusion> outside = closed.computeIfAbsent(String.valueOf(life.siteId()), k -> {
                    UptimeStore.SiteHours site =
                            life.siteId() == null ? null : in.sites().get(life.siteId());
                    List<Uptime.Exclusion> list = new ArrayList<>();
                    if (site != null) {
                        for (long[] r : site.hours()
                                .closed(hoursFrom, hoursTo, site.zone())
                                .ranges()) {
                            list.add(new Uptime.Exclusion(r[0], r[1], "outside-hours"));
                        }
                    }
                    return list;
                });
                List<Uptime.Port> out = new ArrayList<>();
                for (Map.Entry<Integer, List<PortTimeline.Down>> p :
                        ports.downs().entrySet()) {
                    int connector = p.getKey();
                    List<Uptime.Exclusion> exclusions = new ArrayList<>(outside);
                    for (List<UptimeStore.Scoped> candidates : List.of(
                            accountWide,
                            bySite.getOrDefault(String.valueOf(life.siteId()), List.of()),
                            byCharger.getOrDefault(life.chargerId(), List.of()))) {
                        for (UptimeStore.Scoped s : candidates) {
                            if (s.covers(life.siteId(), life.chargerId(), connector)) {
                                exclusions.add(s.exclusion());
                            }
                        }
                    }
                    out.add(new Uptime.Port(
                            life.chargerId(),
                            connector,
                            life.siteId(),
                            ports.commissioned(),
                            ports.counted(),
                            p.getValue(),
                            exclusions));
                }
                return out;
            }
        };
    }

    private static Uptime.Port join(Uptime.Port a, Uptime.Port b) {
        List<PortTimeline.Down> downs = new ArrayList<>(a.downs());
        downs.addAll(b.downs());
        downs.sort(Comparator.comparingLong(PortTimeline.Down::start));
        List<Uptime.Exclusion> exclusions = new ArrayList<>(a.exclusions());
        exclusions.addAll(b.exclusions());
        return new Uptime.Port(
                a.chargerId(),
                a.connectorId(),
                b.siteId(),
                Math.min(a.commissioned(), b.commissioned()),
                a.counted().union(b.counted()),
                downs,
                exclusions);
    }

    private record PortFigures(String chargerId, int connectorId, Uptime.Figures figures) {}

    public static Table uptime(UptimeStore.Inputs in, Instant from, Instant to, Instant now) {
        long f = from.getEpochSecond();
        long t = Math.min(to.getEpochSecond(), now.getEpochSecond());
        List<PortFigures> all = new ArrayList<>();
        for (Uptime.Port p : ports(in, f, Math.max(f, t), now.getEpochSecond())) {
            Uptime.Figures fig = Uptime.figures(p, f, t);
            if (fig.countedS() > 0) { // else not commissioned yet, or decommissioned before the range
                all.add(new PortFigures(p.chargerId(), p.connectorId(), fig));
            }
        }
        return new Table(
                () -> {
                    JsonArray ports = new JsonArray();
                    Uptime.Figures total = new Uptime.Figures(0, 0, 0);
                    for (PortFigures p : all) {
                        total = total.plus(p.figures());
                        ports.add(figures(p.figures())
                                .put("chargerId", p.chargerId())
                                .put("connectorId", p.connectorId()));
                    }
                    return new JsonObject()
                            .put("from", from.toString())
                            .put("to", to.toString())
                            .put("ports", ports)
                            .put("total", figures(total));
                },
                List.of("chargerId", "connectorId", "countedS", "outageS", "excludedS", "uptimePercent"),
                () -> all.stream()
                        .<List<Object>>map(p -> List.of(
                                p.chargerId(),
                                p.connectorId(),
                                p.figures().countedS(),
                                p.figures().outageS(),
                                p.figures().excludedS(),
                                percent(p.figures().uptimePercent())))
                        .toList());
    }

    private static JsonObject figures(Uptime.Figures f) {
        Double up = f.uptimePercent();
        return new JsonObject()
                .put("countedS", f.countedS())
                .put("outageS", f.outageS())
                .put("excludedS", f.excludedS())
                .put("uptimePercent", up == null ? null : percent(up));
    }

    /** Four decimals: 0.0001 % of a year is about half a minute, finer than any rule asks. */
    private static Object percent(Double value) {
        return value == null ? "" : Math.round(value * 10_000) / 10_000.0;
    }

    private static double minutes(double value) {
        return Math.round(value * 100) / 100.0;
    }

    private record PortNevi(String chargerId, int connectorId, Uptime.Nevi nevi) {}

    public static Table nevi(UptimeStore.Inputs in, YearMonth month, Instant now) {
        long from = Uptime.monthStart(month.minusMonths(11));
        long to = Uptime.monthStart(month.plusMonths(1));
        List<PortNevi> all = new ArrayList<>();
        for (Uptime.Port p :
                ports(in, from, Math.max(from, Math.min(to, now.getEpochSecond())), now.getEpochSecond())) {
            Uptime.Nevi n = Uptime.nevi(p, month);
            if (n.countedS() > 0) {
                all.add(new PortNevi(p.chargerId(), p.connectorId(), n));
            }
        }
        List<String> columns = new ArrayList<>(
                List.of("chargerId", "connectorId", "uptimePercent", "outageMin", "excludedMin", "provisional"));
        for (int i = 1; i <= 3; i++) {
            columns.addAll(List.of("month" + i, "month" + i + "OutageMin", "month" + i + "ExcludedMin"));
        }
        return new Table(
                () -> {
                    JsonArray ports = new JsonArray();
                    for (PortNevi p : all) {
                        Uptime.Nevi n = p.nevi();
                        JsonArray months = new JsonArray();
                        for (Uptime.Month m : n.months()) {
                            months.add(new JsonObject()
                                    .put("month", m.month().toString())
                                    .put("outageMin", minutes(m.outageMin()))
                                    .put("excludedMin", minutes(m.excludedMin())));
                        }
                        ports.add(new JsonObject()
                                .put("chargerId", p.chargerId())
                                .put("connectorId", p.connectorId())
                                .put("uptimePercent", percent(n.uptimePercent()))
                                .put("outageMin", minutes(n.outageMin()))
                                .put("excludedMin", minutes(n.excludedMin()))
                                .put("provisional", n.provisional())
                                .put("months", months));
                    }
                    return new JsonObject().put("month", month.toString()).put("ports", ports);
                },
                columns,
                () -> all.stream()
                        .map(p -> {
                            Uptime.Nevi n = p.nevi();
                            List<Object> row = new ArrayList<>(List.of(
                                    p.chargerId(),
                                    p.connectorId(),
                                    percent(n.uptimePercent()),
                                    minutes(n.outageMin()),
                                    minutes(n.excludedMin()),
                                    n.provisional()));
                            for (Uptime.Month m : n.months()) {
                                row.addAll(List.of(
                                        m.month().toString(), minutes(m.outageMin()), minutes(m.excludedMin())));
                            }
                            return row;
                        })
                        .toList());
    }

    /** A rapid charge point under the UK regulations: 50 kW or above (regulation 2, "rapid charge point"). */
    public static final long UK_RAPID_W = 50_000;

    /** The network requirement of regulation 7(2), in percent. */
    public static final double UK_REQUIRED_PERCENT = 99.0;

    private record PortReliability(String chargerId, int connectorId, long powerW, Uptime.Reliability figures) {}

    /**
     * The UK figure for a calendar year (UTC, which is UK time at the turn of the year): each rapid port's
     * reliability and the network's, over the year up to {@code now}. {@code powers}: each port's maximum
     * power in W by charger id and port; a port without one is listed as unrated, not counted.
     */
    public static Table uk(UptimeStore.Inputs in, Year year, Instant now, Map<String, Map<Integer, Long>> powers) {
        long from = Uptime.monthStart(year.atMonth(1));
        long to = Math.min(Uptime.monthStart(year.plusYears(1).atMonth(1)), now.getEpochSecond());
        List<PortReliability> rapid = new ArrayList<>();
        JsonArray unrated = new JsonArray();
        for (Uptime.Port p : ports(in, from, Math.max(from, to), now.getEpochSecond())) {
            Long power = powers.getOrDefault(p.chargerId(), Map.of()).get(p.connectorId());
            if (power == null) {
                unrated.add(new JsonObject().put("chargerId", p.chargerId()).put("connectorId", p.connectorId()));
            } else if (power >= UK_RAPID_W) {
                Uptime.Reliability r = Uptime.reliability(p, from, Math.max(from, to));
                if (r.assessedS() > 0) {
                    rapid.add(new PortReliability(p.chargerId(), p.connectorId(), power, r));
                }
            }
        }
        return new Table(
                () -> {
                    JsonArray ports = new JsonArray();
                    Uptime.Reliability network = new Uptime.Reliability(0, 0);
                    for (PortReliability p : rapid) {
                        network = network.plus(p.figures());
                        ports.add(reliability(p.figures())
                                .put("chargerId", p.chargerId())
                                .put("connectorId", p.connectorId())
                                .put("maxPowerW", p.powerW()));
                    }
                    Double percent = network.percent();
                    return new JsonObject()
                            .put("year", year.getValue())
                            .put(
                                    "complete",
                                    to == Uptime.monthStart(year.plusYears(1).atMonth(1)))
                            .put("ports", ports)
                            .put(
                                    "network",
                                    reliability(network)
                                            .put("ports", rapid.size())
                                            .put(
                                                    "meetsRequirement",
                                                    percent == null ? null : percent >= UK_REQUIRED_PERCENT))
                            .put("unratedPorts", unrated);
                },
                List.of("chargerId", "connectorId", "maxPowerW", "assessedS", "notReliableS", "reliabilityPercent"),
                () -> rapid.stream()
                        .<List<Object>>map(p -> List.of(
                                p.chargerId(),
                                p.connectorId(),
                                p.powerW(),
                                p.figures().assessedS(),
                                p.figures().notReliableS(),
                                percent(p.figures().percent())))
                        .toList());
    }

    private static JsonObject reliability(Uptime.Reliability r) {
        Double percent = r.percent();
        return new JsonObject()
                .put("assessedS", r.assessedS())
                .put("notReliableS", r.notReliableS())
                .put("reliabilityPercent", percent == null ? null : percent(percent));
    }

    /** The outages overlapping {@code [from, to)}, whole, oldest first; the inputs must reach to now. */
    public static Table outages(UptimeStore.Inputs in, Instant from, Instant to, long hoursFrom, Instant now) {
        long n = now.getEpochSecond();
        List<Uptime.Outage> all = new ArrayList<>();
        for (Uptime.Port p : ports(in, hoursFrom, n, n)) {
            all.addAll(Uptime.outages(p, from.getEpochSecond(), to.getEpochSecond(), n));
        }
        all.sort(Comparator.comparingLong(Uptime.Outage::start)
                .thenComparing(Uptime.Outage::chargerId)
                .thenComparingInt(Uptime.Outage::connectorId));
        return new Table(
                () -> {
                    JsonArray out = new JsonArray();
                    for (Uptime.Outage o : all) {
                        out.add(new JsonObject()
                                .put("chargerId", o.chargerId())
                                .put("connectorId", o.connectorId())
                                .put("start", Instant.ofEpochSecond(o.start()).toString())
                                .put(
                                        "end",
                                        o.ongoing()
                                                ? null
                                                : Instant.ofEpochSecond(o.end()).toString())
                                .put("durationS", o.durationS())
                                .put("status", o.status())
                                .put("faultCode", o.faultCode())
                                .put("excludedS", o.excludedS())
                                .put("reasons", new JsonArray(o.reasons())));
                    }
                    return out;
                },
                List.of(
                        "chargerId",
                        "connectorId",
                        "start",
                        "end",
                        "durationS",
                        "status",
                        "faultCode",
                        "excludedS",
                        "reasons"),
                () -> all.stream()
                        .map(o -> java.util.Arrays.<Object>asList(
                                o.chargerId(),
                                o.connectorId(),
                                Instant.ofEpochSecond(o.start()).toString(),
                                o.ongoing()
                                        ? ""
                                        : Instant.ofEpochSecond(o.end()).toString(),
                                o.durationS(),
                                o.status(),
                                o.faultCode() == null ? "" : o.faultCode(),
                                o.excludedS(),
                                String.join(" ", o.reasons())))
                        .toList());
    }
}
