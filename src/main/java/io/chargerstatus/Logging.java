package io.chargerstatus;

import io.vertx.core.json.JsonObject;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.ConsoleHandler;
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
  private Logging() {
  }

  /** Installs the formatter on the root logger; {@code format} is "json" or anything else for text. */
  public static void install(String format) {
    Logger root = Logger.getLogger("");
    for (Handler h : root.getHandlers()) {
      root.removeHandler(h);
    }
    ConsoleHandler console = new ConsoleHandler();
    console.setLevel(Level.ALL);
    console.setFormatter("json".equalsIgnoreCase(format) ? new JsonFormatter() : new TextFormatter());
    root.addHandler(console);
    root.setLevel(Level.INFO);
  }

  /** {@code 2026-11-24T10:00:00.123Z INFO OcppVerticle - session opened: charger CP-1 ...}. */
  static final class TextFormatter extends Formatter {
    @Override
    public String format(LogRecord r) {
      String line = Instant.ofEpochMilli(r.getMillis()) + " " + r.getLevel().getName() + " " + shortName(r.getLoggerName())
          + " - " + formatMessage(r) + System.lineSeparator();
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

  private static String shortName(String logger) {
    return logger == null ? "" : logger.substring(logger.lastIndexOf('.') + 1);
  }

  private static String stackTrace(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }
}
