package io.chargerstatus.infra;

import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * One log line per event that matters, on stderr: plain text by default, JSON lines when
 * {@code LOG_FORMAT=json} (what log collectors on Kubernetes parse). Everything (Vert.x, Netty,
 * Flyway through SLF4J) goes through java.util.logging, so the format is the same for all.
 */
public final class Logging {
    private Logging() {}

    /** Installs the formatter on the root logger; {@code format} is "json" or anything else for text. */
    public static void install(String format) {
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        AsyncHandler handler =
                new AsyncHandler("json".equalsIgnoreCase(format) ? new JsonFormatter() : new TextFormatter());
        root.addHandler(handler);
        root.setLevel(Level.INFO);
    }

    /**
     * Formats on the caller's thread, writes on a daemon thread: an event loop never waits for stderr.
     * The queue is bounded; when a storm outruns the console, lines are dropped and the drop is reported
     * once the queue has room again, rather than blocking a session.
     */
    static final class AsyncHandler extends Handler {
        private static final int CAPACITY = 65_536;
        private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(CAPACITY);
        private final AtomicLong dropped = new AtomicLong();

        AsyncHandler(Formatter formatter) {
            setFormatter(formatter);
            setLevel(Level.ALL);
            Thread writer = new Thread(this::drain, "log-writer");
            writer.setDaemon(true);
            writer.start();
        }

        @Override
        public void publish(LogRecord record) {
            if (!isLoggable(record)) {
                return;
            }
            if (!queue.offer(getFormatter().format(record))) {
                dropped.incrementAndGet();
            }
        }

        private void drain() {
            PrintStream err = System.err;
            List<String> batch = new ArrayList<>();
            while (true) {
                try {
                    batch.add(queue.take());
                } catch (InterruptedException e) {
                    return;
                }
                queue.drainTo(batch, 1024);
                long lost = dropped.getAndSet(0);
                StringBuilder out = new StringBuilder();
                batch.forEach(out::append);
                if (lost > 0) {
                    out.append(Instant.now())
                            .append(" WARNING Logging - ")
                            .append(lost)
                            .append(" log lines dropped: the console could not keep up")
                            .append(System.lineSeparator());
                }
                err.print(out);
                err.flush();
                batch.clear();
            }
        }

        @Override
        public void flush() {
            long deadline = System.currentTimeMillis() + 2000;
            while (!queue.isEmpty() && System.currentTimeMillis() < deadline) {
                Thread.onSpinWait();
            }
        }

        @Override
        public void close() {
            flush();
        }
    }

    /** {@code 2026-11-24T10:00:00.123Z INFO OcppVerticle - session opened: charger CP-1 ...}. */
    static final class TextFormatter extends Formatter {
        @Override
        public String format(LogRecord r) {
            String line = Instant.ofEpochMilli(r.getMillis()) + " "
                    + r.getLevel().getName() + " " + shortName(r.getLoggerName()) + " - "
                    + escapeControls(formatMessage(r)) + System.lineSeparator();
            return r.getThrown() == null ? line : line + stackTrace(r.getThrown());
        }
    }

    /** {@code {"ts":"...","level":"INFO","logger":"...","message":"...","error":"..."}} per line. */
    static final class JsonFormatter extends Formatter {
        @Override
        public String format(LogRecord r) {
            JsonObject line = new JsonObject()
                    .put("ts", Instant.ofEpochMilli(r.getMillis()).toString())
                    .put("level", r.getLevel().getName())
                    .put("logger", r.getLoggerName())
                    .put("thread", Thread.currentThread().getName())
                    .put("message", formatMessage(r));
            if (r.getThrown() != null) {
                line.put("error", stackTrace(r.getThrown()));
            }
            return line.encode() + System.lineSeparator();
        }
    }

    /**
     * One record, one line: control characters (a CR/LF in a charger id taken from a URL, say) are written as
     * {@code \\uXXXX}, so no input can forge a log line of its own.
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

    private static String shortName(String logger) {
        return logger == null ? "" : logger.substring(logger.lastIndexOf('.') + 1);
    }

    private static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }
}
