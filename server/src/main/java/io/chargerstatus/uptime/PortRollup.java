package io.chargerstatus.uptime;

import io.chargerstatus.status.ChargerPorts;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * {@link PortTimeline} one event at a time: the down stretches of one charger lifetime's ports as they open and
 * close, so that they can be kept (the {@code port_downs} roll-up) and a report reads the stretches of its
 * range instead of years of history. Its state is plain values ({@link #save}, {@link #load}), kept with the
 * roll-up's cursor, so that a report applies only the events after the cursor to it.
 *
 * <p>A port reported for the first time after commissioning has been down since then as "not reported yet"
 * (or as the charger was): the rollup keeps those stretches of a port that has not reported (the template)
 * and gives them to the port when it appears, as PortTimeline does by knowing every port beforehand. The
 * template keeps its newest {@value #TEMPLATE_MAX} stretches.
 */
public final class PortRollup {
    static final int TEMPLATE_MAX = 1000;
    /** The port id of the template: one that never reports. */
    private static final int TEMPLATE = Integer.MIN_VALUE;

    /** A stretch of down time of one port; {@code end} null while it lasts. */
    public record Stretch(int port, long start, Long end, String status, String faultCode) {}

    private ChargerPorts state = new ChargerPorts();
    private Long commissioned;
    private long at = Long.MIN_VALUE;
    /** Each port and when it first reported. */
    private final TreeMap<Integer, Long> ports = new TreeMap<>();

    private final Map<Integer, PortTimeline.Down> open = new HashMap<>();
    private final List<PortTimeline.Down> template = new ArrayList<>();

    public Long commissioned() {
        return commissioned;
    }

    /** The ports that had reported before {@code until}. */
    public List<Integer> portsBefore(long until) {
        List<Integer> out = new ArrayList<>();
        ports.forEach((p, first) -> {
            if (first < until) {
                out.add(p);
            }
        });
        return out;
    }

    /** One applied event in seq order; the stretches it opened or closed (a closed one replaces its open one). */
    public List<Stretch> apply(PortTimeline.Event e) {
        List<Stretch> out = new ArrayList<>();
        if (e.connectorId() != null
                && e.connectorId() > 0
                && ports.putIfAbsent(e.connectorId(), e.at()) == null
                && commissioned != null) {
            int p = e.connectorId();
            for (PortTimeline.Down d : template) {
                out.add(new Stretch(p, d.start(), d.end(), d.status(), d.faultCode()));
            }
            PortTimeline.Down current = open.get(TEMPLATE);
            if (current != null) {
                open.put(p, current);
                out.add(new Stretch(p, current.start(), null, current.status(), current.faultCode()));
            }
        }
        at = Math.max(at, e.at());
        state.apply(e.status(), e.connectorId(), e.connectorStatus(), e.ocppStatus(), e.faultCode());
        if (commissioned == null && !"Unknown".equals(state.charger())) {
            commissioned = at;
        }
        if (commissioned == null) {
            return out;
        }
        List<Integer> all = new ArrayList<>(ports.keySet());
        all.add(TEMPLATE);
        for (int p : all) {
            String[] reason = state.downReason(p);
            PortTimeline.Down current = open.get(p);
            boolean same = current != null
                    && reason != null
                    && reason[0].equals(current.status())
                    && Objects.equals(reason[1], current.faultCode());
            if (same) {
                continue;
            }
            if (current != null) {
                open.remove(p);
                if (p == TEMPLATE) {
                    if (at > current.start()) {
                        template.add(new PortTimeline.Down(current.start(), at, current.status(), current.faultCode()));
                        if (template.size() > TEMPLATE_MAX) {
                            template.remove(0);
                        }
                    }
                } else {
                    out.add(new Stretch(p, current.start(), at, current.status(), current.faultCode()));
                }
            }
            if (reason != null) {
                open.put(p, new PortTimeline.Down(at, Long.MAX_VALUE, reason[0], reason[1]));
                if (p != TEMPLATE) {
                    out.add(new Stretch(p, at, null, reason[0], reason[1]));
                }
            }
        }
        return out;
    }

    /**
     * The lifetime's ports up to {@code end} from its stretches (as kept, then as applied since), as
     * PortTimeline gives them; null when it was not commissioned before {@code end}.
     */
    public static PortTimeline.Ports ports(
            Long commissioned, Iterable<Integer> ports, List<Stretch> stretches, long end) {
        if (commissioned == null || commissioned >= end) {
            return null;
        }
        Map<Integer, List<PortTimeline.Down>> downs = new LinkedHashMap<>();
        for (int p : ports) {
            downs.put(p, new ArrayList<>());
        }
        // The last word on a stretch wins: one kept open and closed since is the closed one; a zero-length one
        // closed where another opens is that other one. The sort is stable, so of the stretches of one port
        // and start the last in the list is the last of its run.
        List<Stretch> sorted = new ArrayList<>(stretches);
        sorted.sort(Comparator.comparingInt(Stretch::port).thenComparingLong(Stretch::start));
        for (int i = 0; i < sorted.size(); i++) {
            Stretch s = sorted.get(i);
            if (i + 1 < sorted.size()
                    && sorted.get(i + 1).port() == s.port()
                    && sorted.get(i + 1).start() == s.start()) {
                continue;
            }
            List<PortTimeline.Down> list = downs.get(s.port());
            long to = s.end() == null ? end : Math.min(s.end(), end);
            if (list != null && s.start() < end && to > s.start()) {
                list.add(new PortTimeline.Down(s.start(), to, s.status(), s.faultCode()));
            }
        }
        return new PortTimeline.Ports(commissioned, end, downs);
    }

    // ---- kept between events --------------------------------------------------------------------

    /** The state in plain values (lists, strings, numbers), for JSON. */
    public List<Object> save() {
        List<Object> openList = new ArrayList<>();
        new TreeMap<>(open).forEach((p, d) -> openList.add(List.of(p, d.start(), d.status(), nul(d.faultCode()))));
        List<Object> templateList = new ArrayList<>();
        template.forEach(d -> templateList.add(List.of(d.start(), d.end(), d.status(), nul(d.faultCode()))));
        List<Object> out = new ArrayList<>();
        out.add(state.snapshot());
        out.add(commissioned);
        out.add(at);
        List<Object> portList = new ArrayList<>();
        ports.forEach((p, first) -> portList.add(List.of(p, first)));
        out.add(portList);
        out.add(openList);
        out.add(templateList);
        return out;
    }

    private static Object nul(String s) {
        return s == null ? "" : s;
    }

    private static String str(Object o) {
        return o == null || "".equals(o) ? null : (String) o;
    }

    /** The state {@link #save} gave. */
    public static PortRollup load(List<?> saved) {
        PortRollup r = new PortRollup();
        r.state = ChargerPorts.restore((List<?>) saved.get(0));
        r.commissioned = saved.get(1) == null ? null : ((Number) saved.get(1)).longValue();
        r.at = ((Number) saved.get(2)).longValue();
        for (Object o : (List<?>) saved.get(3)) {
            List<?> p = (List<?>) o;
            r.ports.put(((Number) p.get(0)).intValue(), ((Number) p.get(1)).longValue());
        }
        for (Object o : (List<?>) saved.get(4)) {
            List<?> d = (List<?>) o;
            r.open.put(
                    ((Number) d.get(0)).intValue(),
                    new PortTimeline.Down(
                            ((Number) d.get(1)).longValue(), Long.MAX_VALUE, (String) d.get(2), str(d.get(3))));
        }
        for (Object o : (List<?>) saved.get(5)) {
            List<?> d = (List<?>) o;
            r.template.add(new PortTimeline.Down(
                    ((Number) d.get(0)).longValue(),
                    ((Number) d.get(1)).longValue(),
                    (String) d.get(2),
                    str(d.get(3))));
        }
        return r;
    }
}
