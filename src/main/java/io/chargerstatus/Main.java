package io.chargerstatus;

import io.chargerstatus.bench.Bench;
import io.chargerstatus.infra.Config;
import io.chargerstatus.infra.Logging;
import io.chargerstatus.infra.Passwords;
import io.chargerstatus.sim.SimOptions;
import io.chargerstatus.sim.Simulator;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar charger-status.jar [serve|demo|simulate|bench]}: the service (the default), the demo,
 * the charger simulator and the benchmark, each with {@code --help}. A bad option is one line and exit
 * code 2; so is a bad setting (it names the environment variable).
 */
@Command(
        name = "charger-status",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "OCPP-J charger sessions to the ten back-office statuses, in PostgreSQL, over REST and SSE.%n"
                + "Without a subcommand: serve.",
        subcommands = {
            Main.Serve.class,
            Main.DemoCommand.class,
            Main.Simulate.class,
            Main.BenchCommand.class,
            Main.VersionCommand.class,
            CommandLine.HelpCommand.class
        },
        footer = "%nSettings come from conf/charger-status.json and environment variables (README, Configuration).")
public final class Main implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new Main()).setParameterExceptionHandler(Main::badOption);
        cli.getSubcommands().get("serve").getCommandSpec().usageMessage().footer(settingsFooter());
        if (!inThisBuild(SIMULATOR)) {
            // The server jar: no simulator, no benchmark, no embedded database; its help says only what it has.
            cli.getCommandSpec().removeSubcommand("demo");
            cli.getCommandSpec().removeSubcommand("simulate");
            cli.getCommandSpec().removeSubcommand("bench");
        }
        int code = cli.execute(args);
        if (code != 0) {
            System.exit(code);
        }
        // 0: serve and demo keep running on Vert.x's threads until SIGTERM; the others have finished.
    }

    @Override
    public Integer call() {
        return new Serve().call();
    }

    /** A bad option: one line and the usage hint, exit code 2 (no stack trace, no full help). */
    private static int badOption(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        cmd.getErr().println("charger-status: " + e.getMessage());
        cmd.getErr().println("see: java -jar charger-status.jar " + qualifiedName(cmd) + "--help");
        return 2;
    }

    private static String qualifiedName(CommandLine cmd) {
        return cmd.getParent() == null ? "" : cmd.getCommandName() + " ";
    }

    /** The configuration, or one line naming the bad variable (exit code 2). */
    private static Config config() {
        return config(new HashMap<>(System.getenv()));
    }

    private static Config config(Map<String, String> env) {
        try {
            return Config.load(env);
        } catch (Config.Invalid e) {
            throw new Refused(2, e.getMessage());
        }
    }

    /** A refusal to start, said in one line with its exit code. */
    private static final class Refused extends RuntimeException {
        final int code;

        Refused(int code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }

    private static int refused(Refused r) {
        System.err.println("charger-status: " + r.getMessage());
        return r.code;
    }

    @Command(
            name = "serve",
            mixinStandardHelpOptions = true,
            description = "Run the service until SIGTERM (the default). Without PG_URL an embedded PostgreSQL "
                    + "keeps its data under DATA_DIR (not in the server jar, which needs PG_URL); without ADMIN_TOKEN "
                    + "one is made up and printed.")
    static final class Serve implements Callable<Integer> {
        @Override
        public Integer call() {
            Config config;
            try {
                config = config();
            } catch (Refused r) {
                return refused(r);
            }
            Logging.install(config.operations());
            if (config.http().adminToken() == null) {
                // Printed on the console once, never logged: logs are shipped and kept, a console is not.
                String token = Passwords.newToken();
                config = config.withAdminToken(token);
                System.out.println("ADMIN_TOKEN is not set; this run's admin token is: " + token);
            }
            try {
                startStoppable(config, "cannot start");
            } catch (StartFailed e) {
                return 1;
            }
            return 0;
        }
    }

    /**
     * Whether the JVM is shutting down. A SIGTERM before the start finished makes the start fail on its own
     * (Vert.x registers a hook of its own while it builds): that is a stop, not an error to explain. The JVM
     * refuses new hooks from the moment it begins running them, before any hook thread of ours has run.
     */
    private static boolean shuttingDown() {
        Thread probe = new Thread(() -> {});
        try {
            Runtime.getRuntime().addShutdownHook(probe);
        } catch (IllegalStateException e) {
            return true;
        }
        Runtime.getRuntime().removeShutdownHook(probe);
        return false;
    }

    /**
     * Starts the service with its SIGTERM hook already in place: "ready" is logged inside the start, and a
     * SIGTERM sent right after it (as an orchestrator may) must find a hook, not "Shutdown in progress".
     */
    static Service startStoppable(Config config, String failure) {
        CompletableFuture<Service> started = new CompletableFuture<>();
        Duration deadline = Duration.ofSeconds(config.operations().shutdownDeadlineS());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopWhenStarted(started, deadline), "shutdown"));
        try {
            Service service = Service.start(config, Clock.systemUTC())
                    .toCompletionStage()
                    .toCompletableFuture()
                    .join();
            started.complete(service);
            return service;
        } catch (RuntimeException e) { // a database that cannot be used, a port in use: one line each
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            // Written before the hook is released: once it returns, the JVM halts.
            System.err.println(
                    shuttingDown()
                            ? "charger-status: stopped while starting (SIGTERM before ready)"
                            : "charger-status: " + failure + ": " + cause.getMessage());
            System.err.flush();
            started.complete(null);
            throw new StartFailed(cause);
        }
    }

    /** The start failed and its one line is written. */
    static final class StartFailed extends RuntimeException {
        StartFailed(Throwable cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    /** A SIGTERM during start waits for the start (bounded by the deadline), then stops what started. */
    private static void stopWhenStarted(CompletableFuture<Service> started, Duration deadline) {
        Service service;
        try {
            service = started.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            service = null;
        }
        if (service == null) {
            Logging.stop();
            return;
        }
        LOG.info("stopping: closing charger sessions and SSE streams");
        service.stop(deadline);
        LOG.info("stopped");
        Logging.stop(); // last: the lines above are written, not lost with the JVM
    }

    @Command(
            name = "demo",
            mixinStandardHelpOptions = true,
            description = "Run the service with a demo account of 33 simulated chargers walking through all ten "
                    + "statuses; prints the dashboard's address and tokens.")
    static final class DemoCommand implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            Config config;
            try {
                // The demo's chargers and accounts are not the real service's: their own database directory.
                Map<String, String> env = new HashMap<>(System.getenv());
                env.putIfAbsent("DATA_DIR", "data/demo");
                config = config(env);
            } catch (Refused r) {
                return refused(r);
            }
            Logging.install(config.operations());
            try {
                Demo.run(config);
            } catch (StartFailed e) {
                return 1;
            } catch (CompletionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                System.err.println("charger-status: cannot start the demo: " + cause.getMessage());
                return 1;
            } catch (RuntimeException e) {
                System.err.println("charger-status: cannot start the demo: " + e.getMessage());
                return 1;
            }
            return 0;
        }
    }

    @Command(
            name = "simulate",
            mixinStandardHelpOptions = true,
            showDefaultValues = true,
            description =
                    "Play OCPP 1.6J or 2.0.1 chargers (--ocpp) against a running service: named ones (--ids CP-1) or many "
                            + "(--chargers N), registered through the API when --api and --token are given.")
    static final class Simulate implements Callable<Integer> {
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

        @Option(names = "--ramp", description = "new connections per second", defaultValue = "500")
        double ramp;

        @Option(
                names = "--status-rate",
                description = "status changes per second, over all chargers (0: none)",
                defaultValue = "1")
        double statusRate;

        @Option(
                names = "--duration",
                description = "seconds to run after the ramp (0: until stopped)",
                defaultValue = "0")
        int duration;

        @Option(
                names = "--heartbeat",
                description = "heartbeat interval in seconds (0: the service's)",
                defaultValue = "0")
        int heartbeat;

        @Option(names = "--prefix", description = "charger id prefix", defaultValue = "SIM")
        String prefix;

        @Option(names = "--api", description = "back-office base URL, to register the chargers")
        String api;

        @Option(names = "--token", description = "admin or account token for --api")
        String token;

        @Option(names = "--account", description = "account of the registered chargers", defaultValue = "sim")
        String account;

        @Option(names = "--source-ips", split = ",", description = "local addresses to spread connections over")
        List<String> sourceIps = new ArrayList<>();

        @Option(
                names = "--fault-every",
                description = "one status change in this many is a fault (0: never)",
                defaultValue = "50")
        int faultEvery;

        @Option(
                names = "--ocpp",
                description = "the version the chargers speak: 1.6, 2.0.1, or mixed (every other one 2.0.1)",
                defaultValue = "1.6")
        String ocpp;

        @Option(names = "--quiet", description = "no progress lines")
        boolean quiet;

        @Option(names = "--register-only", description = "register the chargers, then exit")
        boolean registerOnly;

        @Override
        public Integer call() throws Exception {
            if (!inThisBuild(SIMULATOR)) {
                return refused(new Refused(2, "simulate is not part of the server jar; use charger-status.jar"));
            }
            List<String> args = new ArrayList<>(List.of(
                    "--url",
                    url,
                    "--chargers",
                    String.valueOf(chargers),
                    "--connectors",
                    String.valueOf(connectors),
                    "--ramp",
                    String.valueOf(ramp),
                    "--status-rate",
                    String.valueOf(statusRate),
                    "--duration",
                    String.valueOf(duration),
                    "--heartbeat",
                    String.valueOf(heartbeat),
                    "--prefix",
                    prefix,
                    "--account",
                    account,
                    "--fault-every",
                    String.valueOf(faultEvery),
                    "--ocpp",
                    ocpp));
            addIf(args, "--ids", ids.isEmpty() ? null : String.join(",", ids));
            addIf(args, "--api", api);
            addIf(args, "--token", token);
            addIf(args, "--source-ips", sourceIps.isEmpty() ? null : String.join(",", sourceIps));
            if (quiet) {
                args.add("--quiet");
            }
            if (registerOnly) {
                args.add("--register-only");
            }
            Simulator.run(SimOptions.parse(args.toArray(new String[0])));
            return 0;
        }
    }

    @Command(
            name = "bench",
            mixinStandardHelpOptions = true,
            showDefaultValues = true,
            description = "Measure this machine: sessions held, a reconnect storm, sustained status changes and "
                    + "latency, each against a baseline of the same run, on one instance and on a cluster of three; writes "
                    + "bench/results/. Needs the PostgreSQL of --pg and takes about 30 minutes.")
    static final class BenchCommand implements Callable<Integer> {
        @Option(names = "--chargers", description = "sessions to hold", defaultValue = "19000")
        int chargers;

        @Option(names = "--connectors", description = "connectors per charger", defaultValue = "2")
        int connectors;

        @Option(names = "--rate", description = "target status changes per second", defaultValue = "10000")
        int rate;

        @Option(names = "--seconds", description = "length of the sustained phase", defaultValue = "30")
        int seconds;

        @Option(
                names = "--sustained-chargers",
                description = "chargers driving the sustained phase",
                defaultValue = "2000")
        int sustainedChargers;

        @Option(
                names = "--cluster-chargers",
                description = "sessions to hold across the 3-instance cluster of the cluster phase",
                defaultValue = "56000")
        int clusterChargers;

        @Option(
                names = "--phases",
                description = "single (one instance), cluster (three), all: both in the same run, for ratios; or "
                        + "sustained: only the sustained changes, to compare one setting with another; notify: with"
                        + " and without notifications; roaming: with and without two OCPI partners, and paging"
                        + " through the Locations of 20,000 chargers; uptime: the reports over a year of 40,000"
                        + " ports, and the roll-up's cost",
                defaultValue = "all")
        String phases;

        @Option(
                names = "--service-jvm",
                description = "the service's JVM options, space-separated (how GC settings are compared)",
                defaultValue = "-Xmx1g -XX:+UseG1GC")
        String serviceJvm;

        @Option(
                names = "--pg",
                description = "JDBC URL of the PostgreSQL to make the run's database on",
                defaultValue = "jdbc:postgresql://127.0.0.1:5432/postgres")
        String pg;

        @Override
        public Integer call() throws Exception {
            if (!inThisBuild("io/chargerstatus/bench/Bench.class")) {
                return refused(new Refused(2, "bench is not part of the server jar; use charger-status.jar"));
            }
            Bench.main(new String[] {
                "--chargers",
                String.valueOf(chargers),
                "--connectors",
                String.valueOf(connectors),
                "--rate",
                String.valueOf(rate),
                "--seconds",
                String.valueOf(seconds),
                "--sustained-chargers",
                String.valueOf(sustainedChargers),
                "--pg",
                pg,
                "--cluster-chargers",
                String.valueOf(clusterChargers),
                "--phases",
                phases,
                "--service-jvm",
                serviceJvm
            });
            return 0;
        }
    }

    private static final String SIMULATOR = "io/chargerstatus/sim/Simulator.class";

    /**
     * {@code serve --help}'s list of settings: every key of the packed conf/charger-status.json as its
     * environment variable with its default (what each means: README, Configuration).
     */
    private static String settingsFooter() {
        StringBuilder b = new StringBuilder("%nSettings, as environment variables (default in brackets; README, "
                + "Configuration, says what each means):%n");
        Config.defaults()
                .forEach((key, value) -> b.append("  ")
                        .append(Config.envName(key))
                        .append(" [")
                        .append(value == null ? "none" : String.valueOf(value).replace("%", "%%"))
                        .append("]%n"));
        return b.toString();
    }

    @Command(name = "version", description = "Print the version and exit.")
    static final class VersionCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            System.out.println(new Version().getVersion()[0]);
            return 0;
        }
    }

    /** Whether the jar holds this tool (the server jar has neither simulator nor benchmark). */
    private static boolean inThisBuild(String classFile) {
        return Main.class.getClassLoader().getResource(classFile) != null;
    }

    private static void addIf(List<String> args, String option, String value) {
        if (value != null) {
            args.add(option);
            args.add(value);
        }
    }

    /** The version of the jar's manifest ("dev" when run from classes). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"charger-status " + (version == null ? "dev" : version)};
        }
    }
}
