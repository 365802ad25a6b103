package io.chargerstatus.status;

/**
 * The ten charger statuses of the back office, worded as the help article words them.
 *
 * <p>{@link #rank} orders connector statuses for aggregation: the highest rank wins
 * (Faulted > Charging > Paused > Completed > Finishing > Preparing > Available > Unavailable), so that a
 * single faulted connector is seen and a charger is Unavailable only when no connector is usable.
 */
public enum Status {
    Available(2, "The charger is available to use. No vehicle is plugged in."),
    Preparing(3, "The vehicle is plugged in, but no transaction was applied."),
    Charging(7, "The charger is charging the vehicle."),
    Finishing(4, "The driver stopped the transaction, either by the app or by unplugging the cable."),
    Completed(5, "The battery is full: the vehicle stopped drawing power while the transaction is open."),
    Paused(6, "The transaction is paused by the site (delayed charging) until off-peak hours."),
    Faulted(8, "There is a problem with the charger; it reported a fault code."),
    Offline(0, "The charger is not communicating."),
    Unknown(0, "The charger was added to the back office but is not configured yet."),
    Unavailable(1, "The charger is unavailable to use (usually under firmware upgrade).");

    private final int rank;
    private final String description;

    Status(int rank, String description) {
        this.rank = rank;
        this.description = description;
    }

    /** Significance among connector statuses; higher wins. */
    public int rank() {
        return rank;
    }

    /** The help article's wording, for tooltips and documentation. */
    public String description() {
        return description;
    }

    /** The status named {@code name}, or null when it is not one of the ten. */
    public static Status parse(String name) {
        for (Status s : values()) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }
}
