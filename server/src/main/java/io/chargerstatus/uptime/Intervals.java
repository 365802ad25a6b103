package io.chargerstatus.uptime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A set of half-open time ranges {@code [start, end)} in whole epoch seconds, kept sorted and disjoint, so
 * that overlapping exclusions are counted once and "the outage time that overlaps an exclusion" is one
 * intersection. Immutable.
 */
public final class Intervals {
    public static final Intervals EMPTY = new Intervals(new long[0]);

    /** starts and ends interleaved: {@code [s0, e0, s1, e1, ...]}, with {@code s0 < e0 < s1 < e1 ...}. */
    private final long[] bounds;

    private Intervals(long[] bounds) {
        this.bounds = bounds;
    }

    public static Intervals of(long start, long end) {
        return end > start ? new Intervals(new long[] {start, end}) : EMPTY;
    }

    /** The union of any ranges (overlapping, touching, unordered or empty ones). */
    public static Intervals union(List<long[]> ranges) {
        long[][] sorted = new long[ranges.size()][];
        int n = 0;
        for (long[] r : ranges) {
            if (r[1] > r[0]) {
                sorted[n++] = r;
            }
        }
        // Reports call this for every port of an account: plain arrays, no boxed longs.
        Arrays.sort(sorted, 0, n, (a, b) -> Long.compare(a[0], b[0]));
        long[] out = new long[2 * n];
        int size = 0;
        for (int i = 0; i < n; i++) {
            long[] r = sorted[i];
            if (size > 0 && r[0] <= out[size - 1]) {
                out[size - 1] = Math.max(out[size - 1], r[1]);
            } else {
                out[size++] = r[0];
                out[size++] = r[1];
            }
        }
        return new Intervals(size == out.length ? out : Arrays.copyOf(out, size));
    }

    /**
     * The union of ranges given as {@code [start0, end0, start1, end1, ...]}, in any order: a port's down
     * stretches come sorted, and are merged then without a range object each.
     */
    public static Intervals unionOfPairs(long[] pairs) {
        for (int i = 2; i < pairs.length; i += 2) {
            if (pairs[i] < pairs[i - 2]) {
                List<long[]> ranges = new ArrayList<>(pairs.length / 2);
                for (int j = 0; j < pairs.length; j += 2) {
                    ranges.add(new long[] {pairs[j], pairs[j + 1]});
                }
                return union(ranges);
            }
        }
        long[] out = new long[pairs.length];
        int size = 0;
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] <= pairs[i]) {
                continue;
            }
            if (size > 0 && pairs[i] <= out[size - 1]) {
                out[size - 1] = Math.max(out[size - 1], pairs[i + 1]);
            } else {
                out[size++] = pairs[i];
                out[size++] = pairs[i + 1];
            }
        }
        return size == 0 ? EMPTY : new Intervals(size == out.length ? out : Arrays.copyOf(out, size));
    }

    public Intervals union(Intervals other) {
        List<long[]> all = new ArrayList<>(ranges());
        all.addAll(other.ranges());
        return union(all);
    }

    public Intervals intersect(Intervals other) {
        if (bounds.length == 0 || other.bounds.length == 0) {
            return EMPTY;
        }
        long[] out = new long[bounds.length + other.bounds.length];
        int size = 0;
        int i = 0;
        int j = 0;
        while (i < bounds.length && j < other.bounds.length) {
            long start = Math.max(bounds[i], other.bounds[j]);
            long end = Math.min(bounds[i + 1], other.bounds[j + 1]);
            if (end > start) {
                out[size++] = start;
                out[size++] = end;
            }
            if (bounds[i + 1] < other.bounds[j + 1]) {
                i += 2;
            } else {
                j += 2;
            }
        }
        return size == 0 ? EMPTY : new Intervals(Arrays.copyOf(out, size));
    }

    public Intervals clip(long start, long end) {
        return intersect(of(start, end));
    }

    /** The time in {@code [start, end)} not in this set. */
    public Intervals complement(long start, long end) {
        List<long[]> out = new ArrayList<>();
        long at = start;
        for (long[] r : clip(start, end).ranges()) {
            out.add(new long[] {at, r[0]});
            at = r[1];
        }
        out.add(new long[] {at, end});
        return union(out);
    }

    /** Total length in seconds. */
    public long seconds() {
        long total = 0;
        for (int i = 0; i < bounds.length; i += 2) {
            total += bounds[i + 1] - bounds[i];
        }
        return total;
    }

    public boolean isEmpty() {
        return bounds.length == 0;
    }

    public List<long[]> ranges() {
        List<long[]> out = new ArrayList<>(bounds.length / 2);
        for (int i = 0; i < bounds.length; i += 2) {
            out.add(new long[] {bounds[i], bounds[i + 1]});
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Intervals other && Arrays.equals(bounds, other.bounds);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bounds);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("[");
        for (long[] r : ranges()) {
            s.append(s.length() > 1 ? ", " : "").append(r[0]).append("..").append(r[1]);
        }
        return s.append(']').toString();
    }
}
