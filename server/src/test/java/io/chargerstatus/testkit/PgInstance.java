package io.chargerstatus.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of a test's own ({@code initdb} + {@code pg_ctl} on a free port), for tests that stop,
 * restart or pause their database: the shared server on 5432 is never touched. Runs as the {@code postgres}
 * user when the tests run as root (PostgreSQL refuses to run as root).
 */
public final class PgInstance implements AutoCloseable {
    private final Path bin;
    private final Path dir;
    public final int port;

    private PgInstance(Path bin, Path dir, int port) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
    }

    /** The PostgreSQL binaries of this machine (Debian layout), or null when there are none. */
    public static Path binaries() {
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparing(Path::toString))
                    .orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    public static PgInstance start() throws Exception {
        Path bin = binaries();
        if (bin == null) {
            throw new IllegalStateException("no PostgreSQL binaries under /usr/lib/postgresql");
        }
        Path dir = Files.createTempDirectory("cs-fault-pg");
        if (root()) {
            run("chown", "postgres:postgres", dir.toString());
        }
        PgInstance pg = new PgInstance(bin, dir, TestService.freePort());
        pg.asPostgres(
                bin.resolve("initdb").toString(),
                "-D",
                dir.resolve("data").toString(),
                "-U",
                "postgres",
                "-A",
                "trust",
                "--no-sync",
                "-E",
                "UTF8");
        pg.startServer();
        return pg;
    }

    public String url() {
        return "postgresql://postgres@127.0.0.1:" + port + "/postgres";
    }

    /** Starts the server (again) and waits until it accepts connections. */
    public void startServer() throws Exception {
        asPostgres(
                bin.resolve("pg_ctl").toString(),
                "-D",
                dir.resolve("data").toString(),
                "-l",
                dir.resolve("log").toString(),
                "-w",
                "-t",
                "60",
                "-o",
                "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off",
                "start");
    }

    /** Stops the server, as an operator's fast shutdown does: open connections are cut. */
    public void stop() throws Exception {
        asPostgres(
                bin.resolve("pg_ctl").toString(),
                "-D",
                dir.resolve("data").toString(),
                "-m",
                "fast",
                "-w",
                "-t",
                "60",
                "stop");
    }

    /** Freezes the server and all its backends (SIGSTOP): connections stay open and nothing answers. */
    public void pause() throws Exception {
        signal("-STOP");
    }

    public void resume() throws Exception {
        signal("-CONT");
    }

    private void signal(String signal) throws Exception {
        long postmaster = Long.parseLong(Files.readAllLines(dir.resolve("data").resolve("postmaster.pid"))
                .get(0)
                .trim());
        List<String> command = new ArrayList<>(List.of("kill", signal, String.valueOf(postmaster)));
        ProcessHandle.of(postmaster).ifPresent(p -> p.descendants().forEach(c -> command.add(String.valueOf(c.pid()))));
        run(command.toArray(new String[0]));
    }

    @Override
    public void close() throws Exception {
        try {
            resume();
            stop();
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private void asPostgres(String... command) throws Exception {
        if (!root()) {
            run(command);
            return;
        }
        List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        wrapped.addAll(List.of(command));
        run(wrapped.toArray(new String[0]));
    }

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(90, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
    }
}
