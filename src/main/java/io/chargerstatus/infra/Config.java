package io.chargerstatus.infra;

import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PfxOptions;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The whole configuration, read once at start-up and passed down.
 *
 * <p>Defaults come from {@code conf/charger-status.json} (packed into the jar; a copy in the working
 * directory's {@code conf/} or the file named by {@code CONFIG_FILE} wins over it). Every key can then
 * be overridden by an environment variable named after it in upper snake case
 * ({@code heartbeatIntervalS} -> {@code HEARTBEAT_INTERVAL_S}).
 */
public record Config(
    int httpPort,
    int ocppPort,
    String pgUrl,
    String adminToken,
    String dataDir,
    int heartbeatIntervalS,
    int offlineAfterS,
    int wsPingIntervalS,
    int triggerStatusAfterS,
    int callTimeoutS,
    int ssePingS,
    int sseMaxQueueBytes,
    int sseReplayBufferMax,
    int dbPoolSize,
    int statusBatchMax,
    int ocppInstances,
    int maxFrameBytes,
    int shutdownDeadlineS,
    String logFormat,
    String autoStartIdTag,
    String tlsKeystorePath,
    String tlsKeystorePassword,
    String tlsCertPath,
    String tlsKeyPath,
    int maxSessions,
    int maxMessagesPerSecond,
    int messageBurst,
    int handshakeTimeoutS,
    String corsOrigins,
    int dbTimeoutS,
    String tlsClientCaPath,
    int passwordIterations) {

  private static final String RESOURCE = "conf/charger-status.json";

  /** Loads defaults from the configuration file and applies overrides from {@code env}. */
  public static Config load(Map<String, String> env) {
    Map<String, Object> values = new HashMap<>(readDefaults(env));
    for (String key : new HashMap<>(values).keySet()) {
      String override = env.get(envName(key));
      if (override != null && !override.isBlank()) {
        values.put(key, override.trim());
      }
    }
    return fromMap(values);
  }

  /** Same configuration with other ports, database and token: what tests and the benchmark vary. */
  public Config with(int httpPort, int ocppPort, String pgUrl, String adminToken) {
    return new Config(httpPort, ocppPort, pgUrl, adminToken, dataDir, heartbeatIntervalS, offlineAfterS,
        wsPingIntervalS, triggerStatusAfterS, callTimeoutS, ssePingS, sseMaxQueueBytes, sseReplayBufferMax,
        dbPoolSize, statusBatchMax, ocppInstances, maxFrameBytes, shutdownDeadlineS, logFormat, autoStartIdTag, tlsKeystorePath, tlsKeystorePassword, tlsCertPath,
        tlsKeyPath, maxSessions, maxMessagesPerSecond, messageBurst, handshakeTimeoutS, corsOrigins, dbTimeoutS,
        tlsClientCaPath, passwordIterations);
  }

  /**
   * TLS for both ports (OCPP security profile 2, HTTPS) when a PKCS#12 keystore or a PEM certificate
   * and key are configured; null otherwise.
   */
  public KeyCertOptions tls() {
    if (tlsKeystorePath != null) {
      return new PfxOptions().setPath(tlsKeystorePath).setPassword(tlsKeystorePassword);
    }
    if (tlsCertPath != null && tlsKeyPath != null) {
      return new PemKeyCertOptions().setCertPath(tlsCertPath).setKeyPath(tlsKeyPath);
    }
    return null;
  }

  /** Upper snake case of a camel-case key: {@code offlineAfterS} -> {@code OFFLINE_AFTER_S}. */
  static String envName(String key) {
    return key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase();
  }

  private static Map<String, Object> readDefaults(Map<String, String> env) {
    ObjectMapper mapper = new ObjectMapper();
    TypeReference<Map<String, Object>> type = new TypeReference<>() { };
    try {
      Map<String, Object> values;
      try (InputStream in = Config.class.getClassLoader().getResourceAsStream(RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException(RESOURCE + " is missing from the classpath");
        }
        values = new HashMap<>(mapper.readValue(in, type));
      }
      Path local = Path.of(env.getOrDefault("CONFIG_FILE", RESOURCE));
      if (Files.isRegularFile(local)) {
        values.putAll(mapper.readValue(local.toFile(), type));
      }
      return values;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read configuration", e);
    }
  }

  private static Config fromMap(Map<String, Object> v) {
    int heartbeat = integer(v, "heartbeatIntervalS");
    Integer offline = v.get("offlineAfterS") == null ? null : integer(v, "offlineAfterS");
    return new Config(
        integer(v, "httpPort"),
        integer(v, "ocppPort"),
        string(v, "pgUrl"),
        string(v, "adminToken"),
        string(v, "dataDir"),
        heartbeat,
        offline == null ? 2 * heartbeat + 60 : offline,
        integer(v, "wsPingIntervalS"),
        integer(v, "triggerStatusAfterS"),
        integer(v, "callTimeoutS"),
        integer(v, "ssePingS"),
        integer(v, "sseMaxQueueBytes"),
        integer(v, "sseReplayBufferMax"),
        integer(v, "dbPoolSize"),
        integer(v, "statusBatchMax"),
        integer(v, "ocppInstances"),
        integer(v, "maxFrameBytes"),
        integer(v, "shutdownDeadlineS"),
        string(v, "logFormat"),
        string(v, "autoStartIdTag"),
        string(v, "tlsKeystorePath"),
        string(v, "tlsKeystorePassword"),
        string(v, "tlsCertPath"),
        string(v, "tlsKeyPath"),
        integer(v, "maxSessions"),
        integer(v, "maxMessagesPerSecond"),
        integer(v, "messageBurst"),
        integer(v, "handshakeTimeoutS"),
        string(v, "corsOrigins"),
        integer(v, "dbTimeoutS"),
        string(v, "tlsClientCaPath"),
        integer(v, "passwordIterations"));
  }

  private static int integer(Map<String, Object> v, String key) {
    Object value = v.get(key);
    if (value instanceof Number n) {
      return n.intValue();
    }
    try {
      return Integer.parseInt(String.valueOf(value));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("configuration " + key + " (" + envName(key) + ") must be an integer, got " + value);
    }
  }

  private static String string(Map<String, Object> v, String key) {
    Object value = v.get(key);
    return value == null || String.valueOf(value).isBlank() ? null : String.valueOf(value);
  }
}
