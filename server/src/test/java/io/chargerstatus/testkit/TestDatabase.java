package io.chargerstatus.testkit;

import io.vertx.pgclient.PgConnectOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One database per test run, so that runs never see each other's data: created on the PostgreSQL at
 * 127.0.0.1:5432 (user postgres, trust auth) or, when that does not answer, on an embedded one.
 * Dropped when the JVM exits.
 */
public final class TestDatabase {
    private static String url;

    private TestDatabase() {}

    /** A {@code postgresql://} URL of a fresh database, made once per JVM. */
    public static synchronized String url() {
        if (url == null) {
            url = create();
        }
        return url;
    }

    /** Another fresh database, for a test that needs an empty one of its own. */
    public static String fresh() {
        return create();
    }

    private static String create() {
        String host = "127.0.0.1";
        int port = 5432;
        if (!answers(host, port)) {
            port = embeddedPort();
        }
        String name = "cs_test_" + System.currentTimeMillis() + "_"
                + ThreadLocalRandom.current().nextInt(1_000_000);
        String admin = "jdbc:postgresql://" + host + ":" + port + "/postgres";
        execute(admin, "CREATE DATABASE " + name);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> execute(admin, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")));
        return "postgresql://postgres@" + host + ":" + port + "/" + name;
    }

    private static EmbeddedPostgres embedded;

    private static synchronized int embeddedPort() {
        if (embedded == null) {
            try {
                embedded = EmbeddedPostgres.builder()
                        .setDataDirectory(Files.createTempDirectory("cs-test-pg"))
                        .start();
            } catch (IOException e) {
                throw new IllegalStateException(
                        "no PostgreSQL on 127.0.0.1:5432 and the embedded one did not start", e);
            }
        }
        return embedded.getPort();
    }

    private static boolean answers(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void execute(String jdbcUrl, String sql) {
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", null);
                Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /**
     * Runs one statement on the database of a {@code postgresql://} URL (what TestService and PgInstance
     * hand out); returns the first column of the first row, or null when there is none.
     */
    public static String sql(String pgUrl, String statement) {
        PgConnectOptions o = PgConnectOptions.fromUri(pgUrl);
        try (Connection c = DriverManager.getConnection(
                        "jdbc:postgresql://" + o.getHost() + ":" + o.getPort() + "/" + o.getDatabase(),
                        o.getUser(),
                        o.getPassword());
                Statement st = c.createStatement()) {
            if (!st.execute(statement)) {
                return null;
            }
            ResultSet rs = st.getResultSet();
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException(statement + ": " + e.getMessage(), e);
        }
    }
}
