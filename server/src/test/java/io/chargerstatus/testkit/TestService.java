package io.chargerstatus.testkit;

import io.chargerstatus.Service;
import io.chargerstatus.infra.Config;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** A real service instance on free ports and a test database, as the tests drive it. */
public final class TestService implements AutoCloseable {
    public static final String ADMIN = "test-admin-token";

    public final Service service;
    public final int httpPort;
    public final int ocppPort;
    public final String pgUrl;

    private TestService(Service service, int httpPort, int ocppPort, String pgUrl) {
        this.service = service;
        this.httpPort = httpPort;
        this.ocppPort = ocppPort;
        this.pgUrl = pgUrl;
    }

    /** Starts on the run's database with the default configuration plus {@code overrides} (environment names). */
    public static TestService start(Map<String, String> overrides) {
        return start(TestDatabase.url(), overrides);
    }

    public static TestService start(String pgUrl, Map<String, String> overrides) {
        return start(pgUrl, overrides, Clock.systemUTC());
    }

    public static TestService start(String pgUrl, Map<String, String> overrides, Clock clock) {
        int http = freePort();
        int ocpp = freePort();
        Map<String, String> env = new HashMap<>();
        env.put("HTTP_PORT", String.valueOf(http));
        env.put("OCPP_PORT", String.valueOf(ocpp));
        env.put("PG_URL", pgUrl);
        env.put("ADMIN_TOKEN", ADMIN);
        env.put("TRIGGER_STATUS_AFTER_S", "1");
        env.put("CALL_TIMEOUT_S", "3");
        env.putAll(overrides);
        try {
            Service service = Service.start(Config.load(env), clock)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(60, TimeUnit.SECONDS);
            return new TestService(service, http, ocpp, pgUrl);
        } catch (Exception e) {
            throw new IllegalStateException("service did not start", e);
        }
    }

    /** A view of a service running in another process: its ports, for test chargers and API calls. */
    public static TestService remote(int httpPort, int ocppPort) {
        return new TestService(null, httpPort, ocppPort, null);
    }

    public String ocppUrl(String chargerId) {
        return "ws://127.0.0.1:" + ocppPort + "/ocpp/" + chargerId;
    }

    public Api api() {
        return new Api(httpPort, ADMIN);
    }

    public Api api(String token) {
        return new Api(httpPort, token);
    }

    @Override
    public void close() throws Exception {
        if (service != null) {
            service.stop(Duration.ofSeconds(20));
        }
    }

    /**
     * A port no one listens on, and that no other call of this JVM has handed out: the OS may give the same
     * ephemeral port to two binds in a row, and two Vert.x servers on one port in one Vert.x instance
     * silently share it (an HTTP and an OCPP server on the same port flaked tests). It is taken below the
     * kernel's ephemeral range: a port from that range, free when handed out, can meanwhile become the local
     * end of some outgoing connection (a cluster member started later then could not bind its Hazelcast port
     * and ClusterIT timed out).
     */
    public static synchronized int freePort() {
        int high = ephemeralLow();
        while (true) {
            int port = LOWEST_PORT + PORTS.nextInt(high - LOWEST_PORT);
            if (HANDED_OUT.contains(port)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket(port)) {
                HANDED_OUT.add(port);
                return port;
            } catch (IOException inUse) {
                // someone listens there: another one
            }
        }
    }

    private static final int LOWEST_PORT = 15_000;
    private static final Random PORTS = new Random();

    /** The first port of the kernel's ephemeral range (32768 where it cannot be read). */
    private static int ephemeralLow() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range"));
            int low = Integer.parseInt(range.trim().split("\\s+")[0]);
            return low > LOWEST_PORT + 1000 ? low : 32_768;
        } catch (IOException | RuntimeException unreadable) {
            return 32_768;
        }
    }

    private static final Set<Integer> HANDED_OUT = new HashSet<>();
}
