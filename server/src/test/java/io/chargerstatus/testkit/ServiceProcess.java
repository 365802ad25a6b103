package io.chargerstatus.testkit;

import static io.chargerstatus.testkit.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chargerstatus.Main;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The service as a separate process, on the test classpath, so that it can be killed for real. */
public final class ServiceProcess implements AutoCloseable {
    public final Process process;
    public final int httpPort;
    public final int ocppPort;
    public final Path log;

    /** Starts the service on {@code pgUrl} with {@code env} added, and waits until it is ready. */
    public ServiceProcess(String pgUrl, String name, Map<String, String> env) throws Exception {
        httpPort = TestService.freePort();
        ocppPort = TestService.freePort();
        log = Path.of("target", "service-" + name + ".log");
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx512m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        Main.class.getName())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> all = new HashMap<>(Map.of(
                "HTTP_PORT",
                String.valueOf(httpPort),
                "OCPP_PORT",
                String.valueOf(ocppPort),
                "PG_URL",
                pgUrl,
                "ADMIN_TOKEN",
                TestService.ADMIN,
                "MAX_MESSAGES_PER_SECOND",
                "1000",
                "MESSAGE_BURST",
                "1000"));
        all.putAll(env);
        pb.environment().putAll(all);
        process = pb.start();
        Api api = new Api(httpPort, TestService.ADMIN);
        eventually(
                () -> {
                    assertTrue(process.isAlive(), "the service process exited; see " + log);
                    int status;
                    try {
                        status = api.get("/health/ready").status();
                    } catch (IllegalStateException notYet) {
                        status = 0;
                    }
                    assertEquals(200, status);
                },
                120);
    }

    /**
     * {@code count} service processes on {@code pgUrl} forming one cluster on loopback (each with its own
     * Hazelcast port, all listed as members), each with {@code env} added; named {@code name-0}, {@code name-1}...
     */
    public static List<ServiceProcess> cluster(String pgUrl, String name, int count, Map<String, String> env)
            throws Exception {
        int[] ports = new int[count];
        for (int i = 0; i < count; i++) {
            ports[i] = TestService.freePort();
        }
        String members = Arrays.stream(ports).mapToObj(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
        List<ServiceProcess> processes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Map<String, String> all = new HashMap<>(env);
            all.putAll(Map.of(
                    "CLUSTER_MEMBERS", members, "CLUSTER_HOST", "127.0.0.1", "CLUSTER_PORT", String.valueOf(ports[i])));
            try {
                processes.add(new ServiceProcess(pgUrl, name + "-" + i, all));
            } catch (Exception | AssertionError e) {
                for (ServiceProcess started : processes) { // not left running behind a failed start
                    started.kill();
                }
                throw e;
            }
        }
        return processes;
    }

    public TestService view() {
        return TestService.remote(httpPort, ocppPort);
    }

    /** SIGKILL: no drain, no shutdown hook, no goodbye to the cluster. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        process.waitFor();
    }
}
