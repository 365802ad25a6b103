package io.chargerstatus.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("Configuration: defaults from conf/, environment overrides, checked before anything starts")
class ConfigTest {

    @Test
    @DisplayName("the defaults of conf/charger-status.json, in groups")
    void defaults() {
        Config c = Config.load(Map.of());
        assertEquals(8080, c.http().port());
        assertEquals(9000, c.ocpp().port());
        assertEquals(
                2 * 300 + 60, c.ocpp().offlineAfterS(), "OFFLINE_AFTER_S defaults to twice the heartbeat plus 60 s");
        assertNull(c.database().pgUrl());
        assertEquals(5, c.database().timeoutS());
        assertEquals("text", c.operations().logFormat());
        assertNull(c.tls().keyCertOptions(), "TLS is off without a keystore or PEM files");
        assertEquals(2, c.engine().statusBatchLingerMs());
        assertEquals(
                0, Config.load(Map.of("STATUS_BATCH_LINGER_MS", "0")).engine().statusBatchLingerMs(), "0: off");
    }

    @Test
    @DisplayName("every key is overridden by its upper-snake-case environment variable")
    void overrides() {
        Config c = Config.load(Map.of(
                "HTTP_PORT",
                "8081",
                "HEARTBEAT_INTERVAL_S",
                "60",
                "LOG_FORMAT",
                "JSON",
                "TLS_CERT_PATH",
                "c.pem",
                "TLS_KEY_PATH",
                "k.pem"));
        assertEquals(8081, c.http().port());
        assertEquals(180, c.ocpp().offlineAfterS());
        assertEquals("json", c.operations().logFormat());
        assertEquals("OFFLINE_AFTER_S", Config.envName("offlineAfterS"));
        assertEquals(true, c.tls().keyCertOptions() != null);
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "HTTP_PORT | abc | HTTP_PORT must be an integer, got abc",
                "OCPP_PORT | 70000 | OCPP_PORT must be a port number (0 to 65535), got 70000",
                "CALL_TIMEOUT_S | 0 | CALL_TIMEOUT_S must be at least 1, got 0",
                "STATUS_BATCH_LINGER_MS | -1 | STATUS_BATCH_LINGER_MS must be at least 0, got -1",
                "LOG_FORMAT | xml | LOG_FORMAT must be text or json, got xml",
                "LOG_LEVEL | LOUD | LOG_LEVEL must be one of [TRACE, DEBUG, INFO, WARN, ERROR, OFF], got LOUD",
                "LOG_LEVELS | io.chargerstatus | LOG_LEVELS must be logger=LEVEL[,logger=LEVEL...] with a level of [TRACE, DEBUG, INFO, WARN, ERROR, OFF], got io.chargerstatus",
                "OCPP_STRICT | yes | OCPP_STRICT must be true or false, got yes",
                "PG_URL | http://admin:s3cret@db/x | PG_URL must be postgresql://user:password@host:port/database, got http://admin:***@db/x",
                "CONFIG_FILE | /nonexistent.json | CONFIG_FILE names no readable file: /nonexistent.json"
            })
    @DisplayName("a bad value is refused with a message naming the variable")
    void invalid(String variable, String value, String message) {
        Config.Invalid e = assertThrows(Config.Invalid.class, () -> Config.load(Map.of(variable, value)));
        assertEquals(message, e.getMessage());
        assertEquals(0, e.getStackTrace().length, "an expected failure carries no stack trace");
    }

    @Test
    @DisplayName(
            "no CLUSTER_MEMBERS: a single instance; a member list or kubernetes: a cluster; anything else is refused")
    void cluster() {
        assertEquals(false, Config.load(Map.of()).cluster().enabled());
        Config.Cluster listed = Config.load(Map.of(
                        "CLUSTER_MEMBERS", "10.0.0.5:5701, 10.0.0.6:5702",
                        "CLUSTER_HOST", "10.0.0.5",
                        "CLUSTER_PORT", "5701"))
                .cluster();
        assertEquals(true, listed.enabled());
        assertEquals(List.of("10.0.0.5:5701", "10.0.0.6:5702"), listed.members());
        assertEquals("10.0.0.5", listed.host());
        Config.Cluster kubernetes =
                Config.load(Map.of("CLUSTER_MEMBERS", "kubernetes")).cluster();
        assertEquals(true, kubernetes.kubernetes());
        assertEquals("charger-status-cluster", kubernetes.service());
        Config.Invalid noPort =
                assertThrows(Config.Invalid.class, () -> Config.load(Map.of("CLUSTER_MEMBERS", "10.0.0.5")));
        assertEquals(
                "CLUSTER_MEMBERS must be host:port[,host:port...] or kubernetes, got 10.0.0.5", noPort.getMessage());
        assertThrows(Config.Invalid.class, () -> Config.load(Map.of("CLUSTER_MEMBERS", "a:99999")));
        assertThrows(Config.Invalid.class, () -> Config.load(Map.of("CLUSTER_PORT", "70000")));
    }

    @Test
    @DisplayName("a JDBC URL in PG_URL is read as the PostgreSQL URI it wraps; OCPP_STRICT and log levels are read")
    void jdbcAndLevels() {
        Config c = Config.load(Map.of(
                "PG_URL", "jdbc:postgresql://db:5432/cs",
                "OCPP_STRICT", "true",
                "LOG_LEVEL", "warn",
                "LOG_LEVELS", "io.chargerstatus.ocpp=DEBUG, com.hazelcast=info"));
        assertEquals("postgresql://db:5432/cs", c.database().pgUrl());
        assertTrue(c.ocpp().strict());
        assertFalse(Config.load(Map.of()).ocpp().strict(), "tolerant by default");
        assertEquals("WARN", c.operations().logLevel());
        assertEquals(
                Map.of("io.chargerstatus.ocpp", "DEBUG", "com.hazelcast", "INFO"),
                c.operations().loggerLevels());
    }

    @Test
    @DisplayName("CONFIG_FILE: an unknown key and malformed JSON are refused in one line naming the file")
    void configFile(@TempDir Path dir) throws Exception {
        Path typo = dir.resolve("typo.json");
        Files.writeString(typo, "{\"httpPort\": 8081, \"heartbeatIntervallS\": 60}");
        Config.Invalid unknown =
                assertThrows(Config.Invalid.class, () -> Config.load(Map.of("CONFIG_FILE", typo.toString())));
        assertTrue(
                unknown.getMessage().startsWith("unknown setting \"heartbeatIntervallS\" in " + typo),
                unknown.getMessage());
        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\"httpPort\": 8081,\n \"ocppPort\" 9001}");
        Config.Invalid malformed =
                assertThrows(Config.Invalid.class, () -> Config.load(Map.of("CONFIG_FILE", broken.toString())));
        assertTrue(
                malformed.getMessage().startsWith(broken + " is not a JSON object of settings: "),
                malformed.getMessage());
        assertTrue(malformed.getMessage().contains("(line 2, column"), malformed.getMessage());
        assertFalse(malformed.getMessage().contains("\n"), "one line");
        Path good = dir.resolve("good.json");
        Files.writeString(good, "{\"httpPort\": 8081}");
        assertEquals(
                8081, Config.load(Map.of("CONFIG_FILE", good.toString())).http().port());
    }
}
