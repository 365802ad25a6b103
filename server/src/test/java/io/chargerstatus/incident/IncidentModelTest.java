package io.chargerstatus.incident;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.chargerstatus.incident.IncidentModel.Event;
import io.chargerstatus.incident.IncidentModel.Outcome;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The incident rules on histories, table-driven: each case is a script of status events and ticks (at seconds
 * from t0, on the service's clock) and the incident changes it must produce, written as
 * {@code "<second> <OPENED|UPDATED|RESOLVED> <kind> <charger or site> [<connector>]"}. The rules are the
 * contract's defaults unless a case says otherwise. Ticks run every second of the script, as the evaluator's do.
 */
class IncidentModelTest {
    private static final Instant T0 = Instant.parse("2026-12-01T08:00:00Z");

    /** One line of a script: {@code "<s> <charger> <status> [<connector> <connectorStatus>] [op]"} or {@code "<s> tick"}. */
    static Stream<Arguments> histories() {
        return Stream.of(
                Arguments.of(
                        "a charger that reconnects within seconds is no incident",
                        List.of("0 CP1 Available 1 Available", "10 CP1 Offline", "25 CP1 Available", "900 tick"),
                        List.of()),
                Arguments.of(
                        "Offline for longer than offlineAfterS opens once, resolves resolveAfterS after it is back",
                        List.of("0 CP1 Available 1 Available", "10 CP1 Offline", "400 CP1 Available", "600 tick"),
                        List.of("310 OPENED Offline CP1", "460 RESOLVED Offline CP1")),
                Arguments.of(
                        "Faulted/NoError at boot that clears within faultedAfterS never opens one",
                        List.of("0 CP1 Offline", "5 CP1 Faulted 1 Faulted", "6 CP1 Available 1 Available", "900 tick"),
                        List.of()),
                Arguments.of(
                        "a connector fault opens for that connector; a second connector's its own",
                        List.of(
                                "0 CP1 Available 1 Available",
                                "0 CP1 Available 2 Available",
                                "10 CP1 Faulted 1 Faulted",
                                "100 CP1 Faulted 2 Faulted",
                                "500 CP1 Faulted 1 Available",
                                "500 CP1 Available 2 Available",
                                "700 tick"),
                        List.of(
                                "130 OPENED Faulted CP1 1",
                                "220 OPENED Faulted CP1 2",
                                "560 RESOLVED Faulted CP1 1",
                                "560 RESOLVED Faulted CP1 2")),
                Arguments.of(
                        "a resolve that is interrupted keeps the same incident open",
                        List.of(
                                "0 CP1 Available",
                                "10 CP1 Offline",
                                "400 CP1 Available",
                                "430 CP1 Offline",
                                "440 CP1 Available",
                                "700 tick"),
                        List.of("310 OPENED Offline CP1", "500 RESOLVED Offline CP1")),
                Arguments.of(
                        "a flap inside the debounce: four short outages in an hour are one Flapping incident",
                        List.of(
                                "0 CP1 Available",
                                "100 CP1 Offline",
                                "130 CP1 Available",
                                "300 CP1 Offline",
                                "330 CP1 Available",
                                "500 CP1 Offline",
                                "530 CP1 Available",
                                "700 CP1 Offline",
                                "730 CP1 Available",
                                "5000 tick"),
                        List.of("700 OPENED Flapping CP1", "4300 RESOLVED Flapping CP1")),
                Arguments.of(
                        "an Unavailable asked for through change-availability opens nothing",
                        List.of("0 CP1 Available", "10 CP1 Unavailable op", "2000 tick"),
                        List.of()),
                Arguments.of(
                        "an Unavailable nobody asked for opens after unavailableAfterS",
                        List.of("0 CP1 Available", "10 CP1 Unavailable", "700 CP1 Available", "800 tick"),
                        List.of("610 OPENED Unavailable CP1", "760 RESOLVED Unavailable CP1")),
                Arguments.of(
                        "a maintenance window (100 to 1000) silences an outage inside it",
                        List.of("0 CP1 Available", "200 CP1 Offline", "900 CP1 Available", "1500 tick"),
                        List.of()),
                Arguments.of(
                        "an outage that outlasts the window opens offlineAfterS after the window ends",
                        List.of("0 CP1 Available", "200 CP1 Offline", "1500 tick"),
                        List.of("1300 OPENED Offline CP1")),
                Arguments.of(
                        "a site power cut: one SiteOffline listing the site's chargers, none of their own",
                        List.of(
                                "0 S1 Available",
                                "0 S2 Available",
                                "0 S3 Available",
                                "0 S4 Available",
                                "10 S1 Offline",
                                "12 S2 Offline",
                                "15 S3 Offline",
                                "600 S1 Available",
                                "601 S2 Available",
                                "602 S3 Available",
                                "800 tick"),
                        List.of("310 OPENED SiteOffline site-A", "662 RESOLVED SiteOffline site-A")),
                Arguments.of(
                        "two chargers of four offline are not a site outage (min 3)",
                        List.of(
                                "0 S1 Available",
                                "0 S2 Available",
                                "0 S3 Available",
                                "0 S4 Available",
                                "10 S1 Offline",
                                "12 S2 Offline",
                                "400 tick"),
                        List.of("310 OPENED Offline S1", "312 OPENED Offline S2")),
                Arguments.of(
                        "a charger going Offline later joins the site's open incident",
                        List.of(
                                "0 S1 Available",
                                "0 S2 Available",
                                "0 S3 Available",
                                "0 S4 Available",
                                "10 S1 Offline",
                                "12 S2 Offline",
                                "15 S3 Offline",
                                "320 S4 Offline",
                                "700 tick"),
                        List.of("310 OPENED SiteOffline site-A", "620 UPDATED SiteOffline site-A")),
                Arguments.of(
                        "a decommissioned charger's open incident resolves then; nothing opens for it after",
                        List.of("0 CP1 Available", "10 CP1 Offline", "400 CP1 decommissioned", "2000 tick"),
                        List.of("310 OPENED Offline CP1", "400 RESOLVED Offline CP1")),
                Arguments.of(
                        "an outage still in its debounce when the charger is decommissioned never opens",
                        List.of("0 CP1 Available", "10 CP1 Faulted 1 Faulted", "100 CP1 decommissioned", "900 tick"),
                        List.of()),
                Arguments.of(
                        "a decommissioned charger leaves its site's incident; the last one leaving resolves it",
                        List.of(
                                "0 S1 Available",
                                "0 S2 Available",
                                "0 S3 Available",
                                "0 S4 Available",
                                "10 S1 Offline",
                                "12 S2 Offline",
                                "15 S3 Offline",
                                "400 S1 decommissioned",
                                "410 S2 decommissioned",
                                "420 S3 decommissioned",
                                "900 tick"),
                        List.of(
                                "310 OPENED SiteOffline site-A",
                                "400 UPDATED SiteOffline site-A",
                                "410 UPDATED SiteOffline site-A",
                                "420 RESOLVED SiteOffline site-A")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("histories")
    void rules(String name, List<String> script, List<String> expected) {
        assertEquals(expected, run(name, script));
    }

    /** The evaluator's persisted state is the whole state: a model restored from it mid-script ends the same. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("histories")
    void resumesFromItsSavedState(String name, List<String> script, List<String> expected) {
        assertEquals(expected, run(name, script, true));
    }

    private static List<String> run(String name, List<String> script) {
        return run(name, script, false);
    }

    private static List<String> run(String name, List<String> script, boolean restoreEverySecond) {
        boolean windowed = name.contains("maintenance window") || name.contains("outlasts the window");
        IncidentModel.World world = new IncidentModel.World() {
            @Override
            public AlertRules rules(String accountId) {
                return AlertRules.DEFAULTS;
            }

            @Override
            public Instant maintenanceUntil(String accountId, String siteId, String chargerId, Instant at) {
                Instant from = T0.plusSeconds(100);
                Instant to = T0.plusSeconds(1000);
                return windowed && !at.isBefore(from) && at.isBefore(to) ? to : null;
            }

            @Override
            public int siteSize(String siteId) {
                return 4;
            }
        };
        IncidentModel[] model = {new IncidentModel()};
        List<String> out = new ArrayList<>();
        long seq = 0;
        int second = 0;
        for (String line : script) {
            String[] f = line.split(" ");
            int at = Integer.parseInt(f[0]);
            for (; second < at; second++) {
                record(out, model[0].tick(T0.plusSeconds(second), world), second);
                if (restoreEverySecond) {
                    model[0] = roundTrip(model[0]);
                }
            }
            if (f[1].equals("tick")) {
                continue;
            }
            if (f[2].equals("decommissioned")) {
                record(out, model[0].decommissioned(f[1], T0.plusSeconds(at), T0.plusSeconds(at)), at);
                continue;
            }
            Integer connector = f.length > 3 && !f[3].equals("op") ? Integer.valueOf(f[3]) : null;
            String connectorStatus = connector == null ? null : f[4];
            boolean op = line.endsWith(" op");
            String site = f[1].startsWith("S") ? "site-A" : null;
            Event e = new Event(
                    ++seq,
                    f[1],
                    "acme",
                    site,
                    f[2],
                    f[2].equals("Faulted") ? "GroundFailure" : null,
                    connector,
                    connectorStatus,
                    T0.plusSeconds(at),
                    T0.plusSeconds(at),
                    op);
            record(out, model[0].apply(e, T0.plusSeconds(at), world), at);
        }
        return out;
    }

    private static IncidentModel roundTrip(IncidentModel model) {
        IncidentState state = IncidentState.of(model);
        IncidentModel restored = new IncidentModel();
        state.restoreInto(restored);
        return restored;
    }

    private static void record(List<String> out, List<Outcome> outcomes, int second) {
        for (Outcome o : outcomes) {
            Incident i = o.incident();
            out.add(second + " " + o.change() + " " + i.kind() + " "
                    + (i.chargerId() == null ? i.siteId() : i.chargerId())
                    + (i.connectorId() == null ? "" : " " + i.connectorId()));
        }
    }
}
