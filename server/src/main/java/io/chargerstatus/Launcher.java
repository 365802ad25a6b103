package io.chargerstatus;

import io.chargerstatus.infra.Config;
import io.chargerstatus.infra.Logging;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every command that runs the service shares (serve here, the demo in the tools): the configuration or
 * a one-line refusal, and a start whose SIGTERM hook is in place before "ready" is logged.
 */
public final class Launcher {
    private static final Logger LOG = LoggerFactory.getLogger(Launcher.class);

    private Launcher() {}

    /** The configuration from the environment, or {@link Refused} naming the bad variable (exit code 2). */
    public static Config config() {
        return config(new HashMap<>(System.getenv()));
    }

    /** The configuration from {@code env}, or {@link Refused} naming the bad variable (exit code 2). */
    public static Config config(Map<String, String> env) {
        try {
            return Config.load(env);
        } catch (Config.Invalid e) {
            throw new Refused(2, e.getMessage());
        }
    }

    /** A refusal to start, said in one line with its exit code. */
    public static final class Refused extends RuntimeException {
        final int code;

        public Refused(int code, String message) {
            super(message, null, false, false);
            this.code = code;
        }

        /** Says it on stderr in one line; returns the exit code. */
        public int say() {
            System.err.println("charger-status: " + getMessage());
            return code;
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
    public static Service startStoppable(Config config, String failure) {
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
    public static final class StartFailed extends RuntimeException {
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
}
