package io.chargerstatus.incident;

/**
 * An account's alerting rules ({@code PUT /api/v1/accounts/{id}/alerting}); {@link #DEFAULTS} are the
 * contract's. Durations in seconds.
 */
public record AlertRules(
        int offlineAfterS,
        int faultedAfterS,
        int unavailableAfterS,
        int resolveAfterS,
        Flapping flapping,
        SiteOffline siteOffline,
        int remindAfterS) {

    /** A charger entering a bad state {@code entries} times within {@code withinS}; resolved after {@code quietS}. */
    public record Flapping(int entries, int withinS, int quietS) {}

    /** At least {@code min} chargers and {@code share} of a site's chargers Offline within {@code withinS}. */
    public record SiteOffline(double share, int min, int withinS) {}

    public static final AlertRules DEFAULTS =
            new AlertRules(300, 120, 600, 60, new Flapping(4, 3600, 3600), new SiteOffline(0.5, 3, 120), 86_400);

    /** How long a bad state of this kind must last before its incident opens. */
    public int after(IncidentModel.Kind kind) {
        return switch (kind) {
            case Offline, SiteOffline -> offlineAfterS;
            case Faulted -> faultedAfterS;
            case Unavailable -> unavailableAfterS;
            case Flapping -> 0;
        };
    }
}
