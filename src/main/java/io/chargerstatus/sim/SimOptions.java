package io.chargerstatus.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * Options of {@code java -jar charger-status.jar simulate}.
 *
 * @param url          OCPP endpoint without the charger id, e.g. {@code ws://127.0.0.1:9000/ocpp}
 * @param chargers     how many chargers to play
 * @param connectors   connectors per charger
 * @param ramp         new connections per second
 * @param statusRate   status changes per second, over all chargers (0: only boot statuses and heartbeats)
 * @param durationS    seconds to run after the ramp (0: until stopped)
 * @param heartbeatS   heartbeat interval; 0 takes the one BootNotification.conf gives
 * @param prefix       charger ids are {@code prefix-00001} ...
 * @param api          back-office base URL, to register the chargers (needs {@code token})
 * @param token        admin or account token for {@code api}
 * @param account      account of the registered chargers
 * @param sourceIps    local addresses to spread connections over (each gives ~28k ephemeral ports)
 * @param faultEvery   one status change in this many is a fault (0: never)
 * @param ids          the chargers' ids when given by name ({@code --ids CP-1,CP-2}); empty: {@code prefix-00001} ...
 * @param ocpp         the version the chargers speak: {@code 1.6}, {@code 2.0.1}, or {@code mixed} (every other one 2.0.1)
 */
public record SimOptions(
        String url,
        int chargers,
        int connectors,
        double ramp,
        double statusRate,
        int durationS,
        int heartbeatS,
        String prefix,
        String api,
        String token,
        String account,
        List<String> sourceIps,
        int faultEvery,
        boolean quiet,
        boolean registerOnly,
        List<String> ids,
        String ocpp) {

    static final String USAGE = """
      usage: java -jar charger-status.jar simulate --url ws://HOST:PORT/ocpp --chargers N [--connectors K]
             [--ramp R/s] [--status-rate X/s] [--duration D] [--heartbeat S] [--prefix SIM]
             [--api http://HOST:PORT --token T --account ACCOUNT] [--source-ips 127.0.0.2,127.0.0.3]
             [--fault-every N] [--quiet] [--register-only] [--ids CP-1,CP-2] [--ocpp 1.6|2.0.1|mixed]""";

    public static SimOptions parse(String[] args) {
        String url = null;
        int chargers = 10;
        int connectors = 2;
        double ramp = 500;
        double statusRate = 1;
        int duration = 0;
        int heartbeat = 0;
        String prefix = "SIM";
        String api = null;
        String token = null;
        String account = "sim";
        List<String> sourceIps = new ArrayList<>();
        int faultEvery = 50;
        boolean quiet = false;
        boolean registerOnly = false;
        List<String> ids = new ArrayList<>();
        String ocpp = "1.6";
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--quiet")) {
                quiet = true;
                continue;
            }
            if (a.equals("--register-only")) {
                registerOnly = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(a + " needs a value\n" + USAGE);
            }
            String v = args[++i];
            switch (a) {
                case "--url" -> url = v;
                case "--chargers" -> chargers = Integer.parseInt(v);
                case "--connectors" -> connectors = Integer.parseInt(v);
                case "--ramp" -> ramp = Double.parseDouble(v.replace("/s", ""));
                case "--status-rate" -> statusRate = Double.parseDouble(v.replace("/s", ""));
                case "--duration" -> duration = Integer.parseInt(v.replace("s", ""));
                case "--heartbeat" -> heartbeat = Integer.parseInt(v);
                case "--prefix" -> prefix = v;
                case "--api" -> api = v;
                case "--token" -> token = v;
                case "--account" -> account = v;
                case "--source-ips" -> sourceIps.addAll(List.of(v.split(",")));
                case "--fault-every" -> faultEvery = Integer.parseInt(v);
                case "--ids" -> ids.addAll(List.of(v.split(",")));
                case "--ocpp" -> {
                    if (!List.of("1.6", "2.0.1", "mixed").contains(v)) {
                        throw new IllegalArgumentException("--ocpp must be 1.6, 2.0.1 or mixed, got " + v);
                    }
                    ocpp = v;
                }
                default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
            }
        }
        if (url == null) {
            throw new IllegalArgumentException("--url is required\n" + USAGE);
        }
        return new SimOptions(
                url,
                ids.isEmpty() ? chargers : ids.size(),
                connectors,
                ramp,
                statusRate,
                duration,
                heartbeat,
                prefix,
                api,
                token,
                account,
                sourceIps,
                faultEvery,
                quiet,
                registerOnly,
                List.copyOf(ids),
                ocpp);
    }

    /** Whether the n-th simulated charger (1-based) speaks OCPP 2.0.1. */
    public boolean speaks201(int n) {
        return ocpp.equals("2.0.1") || ocpp.equals("mixed") && n % 2 == 0;
    }

    /** The id of the n-th simulated charger (1-based). */
    public String chargerId(int n) {
        if (!ids.isEmpty()) {
            return ids.get(n - 1);
        }
        return String.format("%s-%05d", prefix, n);
    }
}
