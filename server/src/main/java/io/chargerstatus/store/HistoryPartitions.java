package io.chargerstatus.store;

import java.time.YearMonth;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The history's monthly partitions by name, and the statements that drop one: the history maintenance runs
 * them, and the benchmark runs the same ones to place a drop inside its measurement.
 */
public final class HistoryPartitions {
    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("yyyyMM");

    /** How long a detach waits for the history's lock (commits queue behind a waiting lock). */
    public static final String LOCK_TIMEOUT = "500ms";

    private HistoryPartitions() {}

    /** {@code status_events_pYYYYMM}, a UTC month of {@code received_at}. */
    public static String partition(YearMonth month) {
        return "status_events_p" + month.format(NAME);
    }

    /**
     * Dropping a month, in one transaction: detached first (a lock on the whole history, given up after
     * {@link #LOCK_TIMEOUT} rather than queue every commit behind it for longer), then dropped.
     */
    public static List<String> dropStatements(String partition) {
        return List.of(
                "SET LOCAL lock_timeout = '" + LOCK_TIMEOUT + "'",
                "ALTER TABLE status_events DETACH PARTITION " + partition,
                "DROP TABLE " + partition);
    }
}
