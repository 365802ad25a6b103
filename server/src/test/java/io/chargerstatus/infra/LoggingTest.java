package io.chargerstatus.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.ContextInitializer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

@DisplayName("Log lines: JSON with fields of their own, text with control characters escaped")
class LoggingTest {

    @Test
    @DisplayName("LOG_FORMAT=json: one JSON object per line, with chargerId, event and instance as fields")
    void jsonFields() throws Exception {
        String out = capture(
                "json",
                () -> LoggerFactory.getLogger("test")
                        .atInfo()
                        .addKeyValue("chargerId", "CP-1")
                        .addKeyValue("event", "session_opened")
                        .log("session opened: charger CP-1"));
        JsonObject line = new JsonObject(out.lines()
                .filter(l -> l.contains("session opened"))
                .findFirst()
                .orElseThrow());
        assertEquals("CP-1", line.getString("chargerId"));
        assertEquals("session_opened", line.getString("event"));
        assertEquals("INFO", line.getString("level"));
        assertFalse(line.getString("instance", "").isEmpty());
    }

    @Test
    @DisplayName("text: a line break in logged input is written as \\u000a, so it cannot forge a line")
    void textEscapes() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        LoggingEvent event = new LoggingEvent(
                "test", context.getLogger("test"), Level.INFO, "charger X\n2026 SEVERE forged", null, null);
        assertEquals("charger X\\u000a2026 SEVERE forged", new Logging.EscapedMessage().convert(event));
        assertEquals("a\\u000d\\u000ab", Logging.escapeControls("a\r\nb"));
    }

    /** What {@code logging} writes with Logging installed in {@code format}; the test configuration is restored. */
    private static String capture(String format, Runnable logging) throws Exception {
        PrintStream err = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            Logging.install(format);
            logging.run();
            Logging.stop(); // flushes the async appender
            return bytes.toString(StandardCharsets.UTF_8);
        } finally {
            System.setErr(err);
            LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
            context.reset();
            new ContextInitializer(context).autoConfig();
        }
    }
}
