package io.chargerstatus;

import io.chargerstatus.store.Passwords;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Logger;

/** {@code java -jar charger-status.jar}: runs the service until SIGTERM. */
public final class Main {
  private static final Logger LOG = Logger.getLogger(Main.class.getName());

  private Main() {
  }

  public static void main(String[] args) throws Exception {
    System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %3$s - %5$s%6$s%n");
    Map<String, String> env = new HashMap<>(System.getenv());
    Config config = Config.load(env);
    if (config.adminToken() == null) {
      String token = Passwords.newToken();
      config = config.with(config.httpPort(), config.ocppPort(), config.pgUrl(), token);
      LOG.warning("ADMIN_TOKEN is not set; this run's admin token is " + token + " (set ADMIN_TOKEN to choose one)");
    }
    Service service = Service.start(config, Clock.systemUTC()).toCompletionStage().toCompletableFuture().join();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("stopping: closing charger sessions and SSE streams");
      service.stop(Duration.ofSeconds(25));
      LOG.info("stopped");
    }, "shutdown"));
  }
}
