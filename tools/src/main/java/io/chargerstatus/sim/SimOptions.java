package io.chargerstatus.sim;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/**
 * Options of {@code java -jar charger-status.jar simulate}: the one place they are declared, with their
 * defaults. The command line mixes them in; the demo, the benchmark and the tests parse the same options
 * ({@link #parse}).
 */
public final class SimOptions {
    @Option(
            names = "--url",
            description = "OCPP endpoint without the charger id",
            defaultValue = "ws://127.0.0.1:9000/ocpp")
    String url;

    @Option(names = "--ids", split = ",", description = "the chargers to play, by id (e.g. CP-1,CP-2)")
    List<String> ids = new ArrayList<>();

    @Option(
            names = "--chargers",
            description = "how many chargers to play (named PREFIX-00001 ...)",
            defaultValue = "10")
    int chargers;

    @Option(names = "--connectors", description = "connectors per charger", defaultValue = "2")
    int connectors;

    @Option(
            names = "--ramp",
            description = "new connections per second",
            defaultValue = "500",
            converter = PerSecond.class)
    double ramp;

    @Option(
            names = "--status-rate",
            description = "status changes per second, over all chargers (0: none)",
            defaultValue = "1",
            converter = PerSecond.class)
    double statusRate;

    @Option(names = "--duration", description = "seconds to run after the ramp (0: until stopped)", defaultValue = "0")
    int durationS;

    @Option(names = "--heartbeat", description = "heartbeat interval in seconds (0: the service's)", defaultValue = "0")
    int heartbeatS;

    @Option(names = "--prefix", description = "charger id prefix", defaultValue = "SIM")
    String prefix;

    @Option(names = "--api", description = "back-office base URL, to register the chargers")
    String api;

    @Option(names = "--token", description = "admin or account token for --api")
    String token;

    @Option(names = "--account", description = "account of the registered chargers", defaultValue = "sim")
    String account;

    @Option(
            names = "--source-ips",
            split = ",",
            description = "local addresses to spread connections over (each gives ~28k ephemeral ports)")
    List<String> sourceIps = new ArrayList<>();

    @Option(
            names = "--fault-every",
            description = "one status change in this many is a fault (0: never)",
            defaultValue = "50")
    int faultEvery;

    @Option(
            names = "--ocpp",
            description = "the version the chargers speak: 1.6, 2.0.1, or mixed (every other one 2.0.1)",
            defaultValue = "1.6",
            converter = Version.class)
    String ocpp;

    @Option(names = "--quiet", description = "no progress lines (the JSON summary lines are printed still)")
    boolean quiet;

    @Option(names = "--register-only", description = "register the chargers, then exit")
    boolean registerOnly;

    /** The options of {@code args}, parsed as the command line parses them (a bad one throws). */
    public static SimOptions parse(String... args) {
        return CommandLine.populateCommand(new SimOptions(), args);
    }

    /** "500" or "500/s". */
    static final class PerSecond implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            return Double.parseDouble(value.replace("/s", ""));
        }
    }

    static final class Version implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            if (!List.of("1.6", "2.0.1", "mixed").contains(value)) {
                throw new CommandLine.TypeConversionException("must be 1.6, 2.0.1 or mixed, got " + value);
            }
            return value;
        }
    }

    public String url() {
        return url;
    }

    /** How many chargers are played: the named ones when --ids is given. */
    public int chargers() {
        return ids.isEmpty() ? chargers : ids.size();
    }

    public int connectors() {
        return connectors;
    }

    public double ramp() {
        return ramp;
    }

    public double statusRate() {
        return statusRate;
    }

    public int durationS() {
        return durationS;
    }

    /** The heartbeat interval; 0 takes the one BootNotification.conf gives. */
    public int heartbeatS() {
        return heartbeatS;
    }

    public String api() {
        return api;
    }

    public String token() {
        return token;
    }

    public String account() {
        return account;
    }

    public List<String> sourceIps() {
        return sourceIps;
    }

    public int faultEvery() {
        return faultEvery;
    }

    public boolean quiet() {
        return quiet;
    }

    public boolean registerOnly() {
        return registerOnly;
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
