package io.chargerstatus;

import io.chargerstatus.bench.Bench;
import io.chargerstatus.infra.Config;
import io.chargerstatus.infra.Logging;
import io.chargerstatus.infra.Passwords;
import io.chargerstatus.sim.Simulator;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Logger;

/** {@code java -jar charger-status.jar}: runs the service until SIGTERM. */
public final class Main {
    private static final Logger LOG = Logger.getLogger(Main.class.getName());

    private Main() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("bench")) {
            Bench.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("simulate")) {
            Simulator.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        Map<String, String> env = new HashMap<>(System.getenv());
        Config config;
        try {
            config = Config.load(env);
        } catch (Config.Invalid e) {
            System.err.println("charger-status: " + e.getMessage());
            System.exit(2);
            return;
        }
        Logging.install(config.operations().logFormat());
        if (args.length > 0 && args[0].equals("demo")) {
            Demo.run(config);
            return;
        }
        if (config.http().adminToken() == null) {
            // Printed on the console once, never logged: logs are shipped and kept, a console is not.
            String token = Passwords.newToken();
            config = config.withAdminToken(token);
            System.out.println("ADMIN_TOKEN is not set; this run's admin token is: " + token);
        }
        Config settings = config;
        Service service = Service.start(config, Clock.systemUTC())
                .toCompletionStage()
                .toCompletableFuture()
                .join();
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            LOG.info("stopping: closing charger sessions and SSE streams");
                            service.stop(
                                    Duration.ofSeconds(settings.operations().shutdownDeadlineS()));
                            LOG.info("stopped");
                        },
                        "shutdown"));
    }
}
