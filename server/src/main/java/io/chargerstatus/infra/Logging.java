package io.chargerstatus.infra;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.pattern.DynamicConverter;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import net.logstash.logback.encoder.LogstashEncoder;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * One log line per event that matters, on stderr, through SLF4J and Logback: plain text by default, JSON
 * lines with {@code LOG_FORMAT=json} (what log collectors on Kubernetes parse), with {@code chargerId},
 * {@code event} and the like as fields of their own and the {@code instance} on every line. Vert.x,
 * Netty, Flyway and zonky log through SLF4J; java.util.logging is bridged to it.
 *
 * <p>Lines are written by Logback's async appender, which never blocks an event loop (a storm that
 * outruns the console drops lines instead); {@link #stop} flushes it, after the service has stopped, so
 * that the shutdown's own lines are kept.
 */
public final class Logging {
    private Logging() {}

    /**
     * Configures Logback from the settings: LOG_FORMAT, LOG_LEVEL (the root's), LOG_LEVELS (per logger). A
     * configuration file of one's own ({@code -Dlogback.configurationFile=...}, Logback's standard override) is
     * left as it is: it wins.
     */
    public static void install(Config.Operations settings) {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        if (System.getProperty("logback.configurationFile") != null) {
            return;
        }
        install(context, settings.logFormat());
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.toLevel(settings.logLevel(), Level.INFO));
        settings.loggerLevels()
                .forEach((logger, level) -> context.getLogger(logger).setLevel(Level.toLevel(level)));
    }

    /** Configures Logback at INFO; {@code format} is "json" or anything else for text. */
    public static void install(String format) {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        install((LoggerContext) LoggerFactory.getILoggerFactory(), format);
    }

    private static void install(LoggerContext context, String format) {
        context.reset();

        Encoder<ILoggingEvent> encoder = "json".equalsIgnoreCase(format) ? json(context) : text(context);
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("console");
        console.setTarget("System.err");
        console.setEncoder(encoder);
        console.start();

        AsyncAppender async = new AsyncAppender();
        async.setContext(context);
        async.setName("async");
        async.setQueueSize(65_536);
        async.setDiscardingThreshold(0); // keep every level until the queue is full
        async.setNeverBlock(true); // then drop, rather than block a session's event loop
        async.setMaxFlushTime(5000); // what stop() waits for the queue to be written
        async.addAppender(console);
        async.start();

        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(async);
        // initdb's and the server's own output, line by line: the start-up line of Database says it all.
        context.getLogger("io.zonky.test.db.postgres").setLevel(Level.WARN);
        // Every PostgreSQL pool's TCP client registers Vert.x's one client-connections gauge; Micrometer keeps
        // the first and warned at every start that the others were ignored. Nothing is lost; not a warning.
        context.getLogger("io.micrometer.core.instrument.MeterRegistry").setLevel(Level.ERROR);
        // Hazelcast's banner, partition tables and connection chatter: membership changes are logged by
        // Membership, one line each, naming the members.
        context.getLogger("com.hazelcast").setLevel(Level.WARN);
        // Flyway's six to fourteen lines per start: Database logs the schema version reached in one.
        context.getLogger("org.flywaydb").setLevel(Level.WARN);
    }

    /**
     * From now on, only warnings and errors of the service: what the demo does so that its banner (address,
     * tokens) stays the last thing on the console instead of scrolling away under session lines.
     */
    public static void quiet() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.getLogger("io.chargerstatus").setLevel(Level.WARN);
        }
    }

    /** Writes what is queued and stops logging: the last call of a process. */
    public static void stop() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.stop();
        }
    }

    private static Encoder<ILoggingEvent> text(LoggerContext context) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        @SuppressWarnings("unchecked")
        Map<String, Supplier<DynamicConverter<?>>> rules = (Map<String, Supplier<DynamicConverter<?>>>)
                context.getObject(CoreConstants.PATTERN_RULE_REGISTRY_FOR_SUPPLIERS);
        if (rules == null) {
            rules = new HashMap<>();
            context.putObject(CoreConstants.PATTERN_RULE_REGISTRY_FOR_SUPPLIERS, rules);
        }
        rules.put("escapedMessage", EscapedMessage::new);
        encoder.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSS'Z',UTC} %level %logger{0} - %escapedMessage%n%ex");
        encoder.start();
        return encoder;
    }

    private static Encoder<ILoggingEvent> json(LoggerContext context) {
        LogstashEncoder encoder = new LogstashEncoder();
        encoder.setContext(context);
        encoder.setCustomFields("{\"instance\":\"" + instance() + "\"}");
        encoder.start();
        return encoder;
    }

    private static String instance() {
        String pod = System.getenv("HOSTNAME");
        if (pod != null && !pod.isBlank()) {
            return pod.replaceAll("[^A-Za-z0-9._-]", "");
        }
        try {
            return InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "");
        } catch (Exception e) {
            return "unknown";
        }
    }

    /** The message with control characters escaped: one record, one line, whatever the input. */
    public static final class EscapedMessage extends MessageConverter {
        @Override
        public String convert(ILoggingEvent event) {
            return escapeControls(super.convert(event));
        }
    }

    /**
     * One record, one line: control characters (a CR/LF in a charger id taken from a URL, say) are written as
     * a backslash-u escape with four hex digits (a line feed is {@code \\u000a}), so no input can forge a log line.
     */
    public static String escapeControls(String message) {
        if (message == null || message.chars().noneMatch(Character::isISOControl)) {
            return message;
        }
        StringBuilder out = new StringBuilder(message.length() + 16);
        for (char c : message.toCharArray()) {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
