package io.chargerstatus.uptime;

import io.chargerstatus.status.ChargerPorts;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A charger's ports over time, read from its applied history (the contract's "Uptime and outages"): which
 * ports it has, when each was down and why. Pure; table and property tests in UptimeModelTest.
 *
 * <p>A port (connector or EVSE >= 1) is down while it is Faulted, Unavailable (but not Reserved) or has not
 * reported yet, and while the charger as a whole is Offline, Unknown, Unavailable by a charger-level fact
 * (a firmware update) or its connector 0 is Faulted or Unavailable. Times are the events' timestamps in
 * whole seconds, never moving backwards within a charger (a connector's report may carry an older clock than
 * the charger-level change before it; the history's order, seq, decides).
 */
public final class PortTimeline {

    /** One applied event of the history as this model reads it ({@code connectorId} null: charger level). */
    public record Event(
            long seq,
            String status,
            Integer connectorId,
            String connectorStatus,
            String ocppStatus,
            String faultCode,
            long at) {}

    /** A stretch of time a port was down, with the status that made it so. */
    public record Down(long start, long end, String status, String faultCode) {}

    /** The ports of one charger lifetime: counted from {@code commissioned} to {@code end}. */
    public record Ports(long commissioned, long end, Map<Integer, List<Down>> downs) {
        public Intervals counted() {
            return Intervals.of(commissioned, end);
        }

        public Intervals down(int port) {
            List<long[]> ranges = new ArrayList<>();
            for (Down d : downs.getOrDefault(port, List.of())) {
                ranges.add(new long[] {d.start(), d.end()});
            }
            return Intervals.union(ranges);
        }
    }

    private PortTimeline() {}

    /**
     * The ports of a charger from its events in seq order, up to {@code end} (its decommissioning, or the
     * report's end). Null when it was never commissioned (no event ever showed it with a session) before end.
     */
    public static Ports of(List<Event> events, long end) {
        Long commissioned = null;
        ChargerPorts state = new ChargerPorts();
        TreeSet<Integer> ports = new TreeSet<>();
        for (Event e : events) {
            if (e.connectorId() != null && e.connectorId() > 0) {
                ports.add(e.connectorId());
            }
        }
        Map<Integer, List<Down>> downs = new LinkedHashMap<>();
        Map<Integer, Down> open = new HashMap<>();
        for (Integer p : ports) {
            downs.put(p, new ArrayList<>());
        }
        long at = Long.MIN_VALUE;
        for (Event e : events) {
            if (e.at() >= end) {
                break;
            }
            at = Math.max(at, e.at());
            state.apply(e.status(), e.connectorId(), e.connectorStatus(), e.ocppStatus(), e.faultCode());
            if (commissioned == null && !"Unknown".equals(state.charger())) {
                commissioned = at;
            }
            if (commissioned == null) {
                continue;
            }
            for (Integer p : ports) {
                String[] reason = state.downReason(p);
                Down current = open.get(p);
                boolean same = current != null
                        && reason != null
                        && reason[0].equals(current.status())
                        && java.util.Objects.equals(reason[1], current.faultCode());
                if (same) {
                    continue;
                }
                if (current != null) {
                    close(downs.get(p), current, at);
                    open.remove(p);
                }
                if (reason != null) {
                    open.put(p, new Down(at, Long.MAX_VALUE, reason[0], reason[1]));
                }
            }
        }
        if (commissioned == null) {
            return null;
        }
        for (Map.Entry<Integer, Down> o : open.entrySet()) {
            close(downs.get(o.getKey()), o.getValue(), end);
        }
        return new Ports(commissioned, end, downs);
    }

    private static void close(List<Down> list, Down d, long at) {
        if (at > d.start()) {
            list.add(new Down(d.start(), at, d.status(), d.faultCode()));
        }
    }
}
