package io.chargerstatus.infra;

import static io.chargerstatus.infra.ConfigFile.atLeast;
import static io.chargerstatus.infra.ConfigFile.bool;
import static io.chargerstatus.infra.ConfigFile.port;
import static io.chargerstatus.infra.ConfigFile.positive;
import static io.chargerstatus.infra.ConfigFile.string;

import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PfxOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The whole configuration, read once at start-up, checked, and passed down in groups: each class gets the
 * group it needs.
 *
 * <p>Defaults come from {@code conf/charger-status.json} (packed into the jar; a copy in the working
 * directory's {@code conf/} or the file named by {@code CONFIG_FILE} wins over it). Every key can then
 * be overridden by an environment variable named after it in upper snake case
 * ({@code heartbeatIntervalS} -> {@code HEARTBEAT_INTERVAL_S}). A bad value is an {@link Invalid} naming
 * the variable, before anything starts.
 */
public record Config(
        Http http,
        Ocpp ocpp,
        Database database,
        Sse sse,
        Engine engine,
        Tls tls,
        Operations operations,
        Cluster cluster,
        Incidents incidents,
        Notify notifications,
        History history,
        Roaming roaming) {

    /**
     * OCPI: the url partners reach this service at (null: the scheme and host of each request, which is wrong
     * behind a proxy that rewrites them), the open-data requests allowed per client address and minute, and
     * the largest page of the Locations module, and how many pushes to one partner may be in flight at once
     * (for distinct EVSEs).
     */
    public record Roaming(String baseUrl, int openDataPerMinute, int pageLimit, int pushWindow) {}

    /** The back-office HTTP side. */
    public record Http(int port, String adminToken, String corsOrigins) {}

    /** The charger side: sessions, timers, limits and the rules' own id tag. */
    public record Ocpp(
            int port,
            int heartbeatIntervalS,
            int offlineAfterS,
            int wsPingIntervalS,
            int triggerStatusAfterS,
            int callTimeoutS,
            int instances,
            int maxFrameBytes,
            int maxSessions,
            int maxMessagesPerSecond,
            int messageBurst,
            int handshakeTimeoutS,
            String autoStartIdTag,
            int passwordIterations,
            boolean strict) {}

    /**
     * PostgreSQL: {@code pgUrl} null starts an embedded one under {@code dataDir}; {@code poolSize} is
     * DB_POOL_SIZE (each verticle instance opens half of it, at least 2); {@code timeoutS} the query deadline.
     */
    public record Database(String pgUrl, String dataDir, int poolSize, int timeoutS) {}

    /** The SSE stream's pings and the bounds of a client's memory. */
    public record Sse(int pingS, int maxQueueBytes, int replayBufferMax) {}

    /**
     * The status engine's batch size, and how long a small batch may wait for more facts while facts keep
     * coming (0: never).
     */
    public record Engine(int statusBatchMax, int statusBatchLingerMs) {}

    /** TLS for both ports (a PKCS#12 keystore or PEM files) and the CA of chargers' client certificates. */
    public record Tls(
            String keystorePath, String keystorePassword, String certPath, String keyPath, String clientCaPath) {
        /** The service's own key and certificate (security profile 2, HTTPS); null when TLS is off. */
        public KeyCertOptions keyCertOptions() {
            if (keystorePath != null) {
                return new PfxOptions().setPath(keystorePath).setPassword(keystorePassword);
            }
            if (certPath != null && keyPath != null) {
                return new PemKeyCertOptions().setCertPath(certPath).setKeyPath(keyPath);
            }
            return null;
        }
    }

    /**
     * Several instances as one service: {@code members} null = no cluster; otherwise the Hazelcast TCP/IP
     * members ({@code host:port,...}) or {@code kubernetes} (DNS discovery of the headless service named
     * {@code service}). {@code host} null: Hazelcast's own choice, the first non-loopback address.
     */
    public record Cluster(List<String> members, boolean kubernetes, String host, int port, String service) {
        public boolean enabled() {
            return kubernetes || !members.isEmpty();
        }
    }

    /**
     * Shutdown and logging: {@code logLevel} the root logger's level, {@code loggerLevels} a level per logger
     * name (LOG_LEVELS=io.chargerstatus.ocpp=DEBUG,...).
     */
    public record Operations(
            int shutdownDeadlineS, String logFormat, String logLevel, Map<String, String> loggerLevels) {}

    /**
     * The incident evaluator (one per cluster) and the deliverers: whether this instance runs them at all,
     * how often it evaluates, how long its lease lasts when its instance stops renewing it, and how many
     * history events one evaluation step reads at most.
     */
    public record Incidents(boolean enabled, int tickMs, int leaseS, int batchMax) {}

    /**
     * The history's monthly partitions: how many days are kept (older months are dropped whole), how often
     * the service makes partitions ahead and drops expired ones, and how many months ahead it makes; how often
     * the uptime roll-up follows the history, and how many events it reads at a time.
     */
    public record History(
            int retentionDays, int maintenanceMs, int monthsAhead, int rollupTickMs, int rollupBatchMax) {}

    /**
     * Webhook and e-mail delivery: the answer deadline, the growing retry delays (from {@code retryBaseMs},
     * doubling, at most {@code retryMaxMs}) until {@code giveUpAfterS}, the lease of a subscription, how often
     * cursors and the delivery log are written, how many log rows a subscription keeps, whether urls inside
     * the network are allowed, and the SMTP server.
     */
    public record Notify(
            int timeoutMs,
            int retryBaseMs,
            int retryMaxMs,
            int giveUpAfterS,
            int leaseS,
            int flushMs,
            int fetchGapMs,
            int logKeep,
            boolean allowPrivate,
            String smtpUrl,
            String smtpFrom) {}

    /** A setting that cannot be used; the message names the environment variable. No stack trace. */
    public static final class Invalid extends IllegalArgumentException {
        Invalid(String message) {
            super(message, null);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    private static final Set<String> LOG_FORMATS = Set.of("text", "json");
    private static final List<String> LOG_LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

    /** Loads defaults from the configuration file, applies overrides from {@code env}, and checks the result. */
    public static Config load(Map<String, String> env) {
        Map<String, Object> values = new HashMap<>(ConfigFile.read(env));
        for (String key : new HashMap<>(values).keySet()) {
            String override = env.get(envName(key));
            if (override != null && !override.isBlank()) {
                values.put(key, override.trim());
            }
        }
        return fromMap(values);
    }

    /** The settings and their defaults as conf/charger-status.json packed in the jar has them, in its order. */
    public static Map<String, Object> defaults() {
        return ConfigFile.packed();
    }

    /** The same configuration with another admin token (one made up at start-up when none is set). */
    public Config withAdminToken(String token) {
        return new Config(
                new Http(http.port(), token, http.corsOrigins()),
                ocpp,
                database,
                sse,
                engine,
                tls,
                operations,
                cluster,
                incidents,
                notifications,
                history,
                roaming);
    }

    /** Upper snake case of a camel-case key: {@code offlineAfterS} -> {@code OFFLINE_AFTER_S}. */
    public static String envName(String key) {
        return key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase();
    }

    private static Config fromMap(Map<String, Object> v) {
        int heartbeat = positive(v, "heartbeatIntervalS");
        String logLevel = string(v, "logLevel");
        if (logLevel != null && !LOG_LEVELS.contains(logLevel.toUpperCase())) {
            throw new Invalid(envName("logLevel") + " must be one of " + LOG_LEVELS + ", got " + logLevel);
        }
        Integer offline = v.get("offlineAfterS") == null ? null : positive(v, "offlineAfterS");
        String logFormat = string(v, "logFormat");
        if (logFormat != null && !LOG_FORMATS.contains(logFormat.toLowerCase())) {
            throw new Invalid(envName("logFormat") + " must be text or json, got " + logFormat);
        }
        return new Config(
                new Http(port(v, "httpPort"), string(v, "adminToken"), string(v, "corsOrigins")),
                new Ocpp(
                        port(v, "ocppPort"),
                        heartbeat,
                        offline == null ? 2 * heartbeat + 60 : offline,
                        positive(v, "wsPingIntervalS"),
                        positive(v, "triggerStatusAfterS"),
                        positive(v, "callTimeoutS"),
                        atLeast(v, "ocppInstances", 0),
                        positive(v, "maxFrameBytes"),
                        positive(v, "maxSessions"),
                        positive(v, "maxMessagesPerSecond"),
                        positive(v, "messageBurst"),
                        positive(v, "handshakeTimeoutS"),
                        string(v, "autoStartIdTag"),
                        atLeast(v, "passwordIterations", 1000),
                        bool(v, "ocppStrict")),
                new Database(pgUrl(v), string(v, "dataDir"), atLeast(v, "dbPoolSize", 1), positive(v, "dbTimeoutS")),
                new Sse(positive(v, "ssePingS"), positive(v, "sseMaxQueueBytes"), positive(v, "sseReplayBufferMax")),
                new Engine(positive(v, "statusBatchMax"), atLeast(v, "statusBatchLingerMs", 0)),
                new Tls(
                        string(v, "tlsKeystorePath"),
                        string(v, "tlsKeystorePassword"),
                        string(v, "tlsCertPath"),
                        string(v, "tlsKeyPath"),
                        string(v, "tlsClientCaPath")),
                new Operations(
                        positive(v, "shutdownDeadlineS"),
                        logFormat == null ? "text" : logFormat.toLowerCase(),
                        logLevel == null ? "INFO" : logLevel.toUpperCase(),
                        loggerLevels(string(v, "logLevels"))),
                cluster(v),
                new Incidents(
                        bool(v, "notificationsEnabled"),
                        positive(v, "incidentTickMs"),
                        positive(v, "incidentLeaseS"),
                        positive(v, "incidentBatchMax")),
                new Notify(
                        positive(v, "webhookTimeoutMs"),
                        positive(v, "webhookRetryBaseMs"),
                        positive(v, "webhookRetryMaxMs"),
                        positive(v, "webhookGiveUpAfterS"),
                        positive(v, "webhookLeaseS"),
                        positive(v, "webhookFlushMs"),
                        positive(v, "webhookFetchGapMs"),
                        positive(v, "webhookLogKeep"),
                        bool(v, "webhookAllowPrivate"),
                        smtpUrl(v),
                        string(v, "smtpFrom")),
                new History(
                        positive(v, "historyRetentionDays"),
                        positive(v, "historyMaintenanceMs"),
                        positive(v, "historyMonthsAhead"),
                        positive(v, "uptimeRollupTickMs"),
                        positive(v, "uptimeRollupBatchMax")),
                new Roaming(
                        baseUrl(v),
                        positive(v, "openDataPerMinute"),
                        positive(v, "ocpiPageLimit"),
                        positive(v, "ocpiPushWindow")));
    }

    /** OCPI_BASE_URL: an http(s) url without a trailing slash, or null. */
    private static String baseUrl(Map<String, Object> v) {
        String url = string(v, "ocpiBaseUrl");
        if (url == null || url.isBlank()) {
            return null;
        }
        if (!url.matches("^https?://[^\\s/?#]+(/[^\\s?#]*)?$")) {
            throw new Invalid("OCPI_BASE_URL must be an http(s) url such as https://cs.example.com, got " + url);
        }
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** smtp://user:pass@host:port or smtps://...; the password is never echoed. */
    private static String smtpUrl(Map<String, Object> v) {
        String url = string(v, "smtpUrl");
        if (url != null && !url.trim().matches("smtps?://([^@/\\s]+@)?[^@/:\\s]+(:\\d{1,5})?/?")) {
            throw new Invalid(envName("smtpUrl") + " must be smtp://user:password@host:port or smtps://..., got "
                    + url.replaceAll("(//[^:/@]*:)[^@]*@", "$1***@"));
        }
        return url == null ? null : url.trim();
    }

    /** {@code io.chargerstatus.ocpp=DEBUG,com.hazelcast=INFO}: a level per logger name. */
    private static Map<String, String> loggerLevels(String spec) {
        Map<String, String> levels = new LinkedHashMap<>();
        if (spec == null) {
            return levels;
        }
        for (String item : spec.split(",")) {
            if (item.isBlank()) {
                continue;
            }
            String[] pair = item.trim().split("=", 2);
            if (pair.length != 2
                    || !pair[0].trim().matches("[A-Za-z0-9_.$]+")
                    || !LOG_LEVELS.contains(pair[1].trim().toUpperCase())) {
                throw new Invalid(envName("logLevels") + " must be logger=LEVEL[,logger=LEVEL...] with a level of "
                        + LOG_LEVELS + ", got " + item.trim());
            }
            levels.put(pair[0].trim(), pair[1].trim().toUpperCase());
        }
        return levels;
    }

    /**
     * A PostgreSQL URI; a JDBC URL (what the bench and most tools take) is read as the URI it wraps. Anything
     * else is refused here, in one line, rather than as a parser's stack trace. The password is never echoed.
     */
    private static String pgUrl(Map<String, Object> v) {
        String url = string(v, "pgUrl");
        if (url == null) {
            return null;
        }
        String uri = url.trim().startsWith("jdbc:") ? url.trim().substring("jdbc:".length()) : url.trim();
        if (!uri.matches("postgres(ql)?://[^\\s]*")) {
            throw new Invalid(envName("pgUrl") + " must be postgresql://user:password@host:port/database, got "
                    + url.replaceAll("(//[^:/@]*:)[^@]*@", "$1***@"));
        }
        return uri;
    }

    private static Cluster cluster(Map<String, Object> v) {
        String members = string(v, "clusterMembers");
        boolean kubernetes = "kubernetes".equalsIgnoreCase(members);
        List<String> list = new ArrayList<>();
        if (members != null && !kubernetes) {
            for (String m : members.split(",")) {
                String member = m.trim();
                if (member.isEmpty()) {
                    continue;
                }
                int colon = member.lastIndexOf(':');
                if (colon <= 0
                        || !member.substring(colon + 1).matches("\\d{1,5}")
                        || Integer.parseInt(member.substring(colon + 1)) > 65535) {
                    throw new Invalid(envName("clusterMembers")
                            + " must be host:port[,host:port...] or kubernetes, got " + member);
                }
                list.add(member);
            }
        }
        return new Cluster(
                List.copyOf(list),
                kubernetes,
                string(v, "clusterHost"),
                port(v, "clusterPort"),
                string(v, "clusterService"));
    }
}
