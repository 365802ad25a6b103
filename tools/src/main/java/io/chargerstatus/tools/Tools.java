package io.chargerstatus.tools;

import io.chargerstatus.Launcher;
import io.chargerstatus.Main;
import io.chargerstatus.bench.Bench;
import io.chargerstatus.bench.BenchOptions;
import io.chargerstatus.infra.Config;
import io.chargerstatus.infra.Logging;
import io.chargerstatus.sim.SimOptions;
import io.chargerstatus.sim.Simulator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code java -jar charger-status.jar [serve|demo|simulate|bench|version|help]}: the service's command line
 * ({@link Main}) with the tools added. Each tool's options are declared once, in the class that uses them,
 * and mixed in here.
 */
public final class Tools {
    private Tools() {}

    public static void main(String[] args) {
        Main.exit(Main.commandLine(new DemoCommand(), new SimulateCommand(), new BenchCommand())
                .execute(args));
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
                config = Launcher.config(env);
            } catch (Launcher.Refused r) {
                return r.say();
            }
            Logging.install(config.operations());
            try {
                Demo.run(config);
            } catch (Launcher.StartFailed e) {
                return 1;
            } catch (RuntimeException e) {
                Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                System.err.println("charger-status: cannot start the demo: " + cause.getMessage());
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
    static final class SimulateCommand implements Callable<Integer> {
        @Mixin
        SimOptions options;

        @Override
        public Integer call() throws Exception {
            Simulator.run(options);
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
        @Mixin
        BenchOptions options;

        @Override
        public Integer call() throws Exception {
            Bench.run(options);
            return 0;
        }
    }
}
