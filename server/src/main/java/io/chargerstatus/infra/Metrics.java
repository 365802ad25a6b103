package io.chargerstatus.infra;

import com.sun.management.UnixOperatingSystemMXBean;
import io.chargerstatus.status.Change;
import io.chargerstatus.status.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.core.metrics.Info;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * The service's own meters, on the registry that Vert.x's metrics also use. Tags are low-cardinality
 * (status, action, outcome, code): never a charger id. Every meter has a description for promtool.
 */
public final class Metrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<Status, AtomicInteger> perStatus = new EnumMap<>(Status.class);
    private final AtomicInteger connected = new AtomicInteger();
    private final AtomicInteger sseClients = new AtomicInteger();
    private final DistributionSummary batchSize;
    private final Map<String, Counter> messages = new ConcurrentHashMap<>();
    private final Map<String, Counter> callErrors = new ConcurrentHashMap<>();
    private final Map<String, Counter> transitions = new ConcurrentHashMap<>();
    private final Timer eventLatency;
    private final Counter tooBig;
    private final Counter lockouts;
    private final Counter refusedReports;
    private final Counter throttled;
    private final Counter commitsFailed;
    private final Counter sseCut;

    /** The OCPP-J error codes, each counted from zero. */
    private static final List<String> CALL_ERROR_CODES = List.of(
            "FormationViolation",
            "ProtocolError",
            "PropertyConstraintViolation",
            "TypeConstraintViolation",
            "OccurenceConstraintViolation",
            "NotImplemented",
            "NotSupported",
            "SecurityError",
            "GenericError",
            "InternalError");

    /** Why an upgrade may be refused, each counted from zero. */
    private static final List<String> REFUSAL_REASONS = List.of(
            "not_found",
            "unknown_charger",
            "auth",
            "auth_backoff",
            "auth_busy",
            "certificate",
            "subprotocol",
            "capacity",
            "abandoned",
            "error");

    private final Timer commitTime;

    private final Counter sseGapsFilled;

    private final Map<String, Counter> tolerated = new ConcurrentHashMap<>();
    private final AtomicLong openFiles = new AtomicLong(-1);
    private final AtomicLong maxFiles = new AtomicLong(-1);
    private final AtomicLong residentBytes = new AtomicLong(-1);
    private final Map<Boolean, Counter> securityEvents = new ConcurrentHashMap<>();

    /** The field-tolerance rules (docs/field-tolerance.md), each counted from zero. */
    public static final List<String> TOLERANCE_RULES =
            List.of("no-boot", "long-string", "no-offset", "number-as-string");

    public Metrics() {
        // Names promtool's lint refuses: an abbreviated unit (its seconds twin process_cpu_usage stays) and
        // a gauge ending in _count.
        registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")));
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
            }
        });
        for (Status s : Status.values()) {
            AtomicInteger n = new AtomicInteger();
            perStatus.put(s, n);
            Gauge.builder("charger_status_chargers", n, AtomicInteger::get)
                    .description("Chargers currently in each back-office status")
                    .tag("status", s.name())
                    .register(registry);
        }
        Gauge.builder("charger_status_ocpp_connected_chargers", connected, AtomicInteger::get)
                .description("Chargers with an open OCPP WebSocket session")
                .register(registry);
        Gauge.builder("charger_status_sse_clients", sseClients, AtomicInteger::get)
                .description("Server-Sent Events subscribers attached")
                .register(registry);
        sseGapsFilled = Counter.builder("charger_status_sse_gaps_filled_total")
                .description("Ranges of events an SSE hub read from the history because the bus had not delivered them "
                        + "in time")
                .register(registry);
        batchSize = DistributionSummary.builder("charger_status_batch_facts")
                .description("Facts committed per status-engine transaction")
                .register(registry);
        commitTime = Timer.builder("charger_status_commit")
                .description("Time to commit one status-engine batch to PostgreSQL")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
        // The names of Micrometer's FileDescriptorMetrics, read by readProcess() off the event loop (listing
        // /proc/self/fd of 20,000 sessions is no work for a scrape on an event loop).
        Gauge.builder("process.files.open", openFiles, AtomicLong::get)
                .description("Open file descriptors of the process: each charger session holds one")
                .baseUnit("files")
                .register(registry);
        Gauge.builder("process.files.max", maxFiles, AtomicLong::get)
                .description(
                        "The process's limit of open file descriptors (sessions are sized against it: MAX_SESSIONS)")
                .baseUnit("files")
                .register(registry);
        Gauge.builder("process.memory.rss", residentBytes, AtomicLong::get)
                .description("Resident set size of the process (heap, off-heap buffers, threads, code), from /proc")
                .baseUnit("bytes")
                .register(registry);
        // Counters exist from the start, at zero, so that rate() and alerts see them before their first event.
        // Every pair of statuses too: increase() over a series that first appears at 10 sees no increase, and an
        // alert on a mass outage missed the first 60 chargers going Offline that way.
        for (Status from : Status.values()) {
            for (Status to : Status.values()) {
                if (from != to) {
                    transitionCounter(from.name(), to.name());
                }
            }
        }
        for (String rule : TOLERANCE_RULES) {
            tolerated.put(
                    rule,
                    Counter.builder("charger_status_ocpp_tolerated_total")
                            .description(
                                    "Charger messages the schema refused and a field-tolerance rule admitted, by rule")
                            .tag("rule", rule)
                            .register(registry));
        }
        for (boolean critical : new boolean[] {true, false}) {
            securityEvents.put(
                    critical,
                    Counter.builder("charger_status_ocpp_security_events_total")
                            .description("SecurityEventNotifications received from chargers, critical or not (the OCPP "
                                    + "security event list)")
                            .tag("critical", String.valueOf(critical))
                            .register(registry));
        }
        tooBig = Counter.builder("charger_status_ocpp_messages_too_big_total")
                .description("Charger messages over MAX_FRAME_BYTES, answered by closing the session with 1009")
                .register(registry);
        lockouts = Counter.builder("charger_status_ocpp_auth_lockouts_total")
                .description(
                        "Charger upgrades refused with 429 after repeated wrong passwords (per charger id or address)")
                .register(registry);
        refusedReports = Counter.builder("charger_status_reports_refused_total")
                .description(
                        "Status reports refused (InternalError) because the database was unavailable; re-asked later")
                .register(registry);
        throttled = Counter.builder("charger_status_ocpp_throttled_total")
                .description("Times a charger's socket was paused for exceeding MAX_MESSAGES_PER_SECOND")
                .register(registry);
        commitsFailed = Counter.builder("charger_status_commits_failed_total")
                .description("Status-engine batches whose commit failed (database away, or a fact it refused)")
                .register(registry);
        sseCut = Counter.builder("charger_status_sse_clients_cut_total")
                .description("SSE subscribers disconnected for being too slow or for an unfinished replay")
                .register(registry);
        for (String code : CALL_ERROR_CODES) {
            callError(code, 0);
        }
        for (String reason : REFUSAL_REASONS) {
            refusal(reason);
        }
        // An Info metric of the Prometheus client itself: Micrometer would strip a gauge's "_info" suffix.
        String version = Metrics.class.getPackage().getImplementationVersion();
        Info.builder()
                .name("charger_status_build_info")
                .help("The running build: its version and the Java runtime, as labels; always 1")
                .labelNames("version", "java")
                .register(registry.getPrometheusRegistry())
                .setLabelValues(version == null ? "dev" : version, System.getProperty("java.version"));
        eventLatency = Timer.builder("charger_status_event_latency")
                .description(
                        "Time from a charger's message arriving to its status event being written to SSE subscribers")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /**
     * The chargers per status of the whole service, as counted in the database (every instance of a
     * cluster reports the same figures: aggregate them with max, not sum). A status absent from
     * {@code counts} has none.
     */
    public void chargersPerStatus(Map<Status, Integer> counts) {
        perStatus.forEach((status, n) -> n.set(counts.getOrDefault(status, 0)));
    }

    /** The size of the cluster this instance belongs to (1 when alone). */
    public void clusterMembers(IntSupplier members) {
        Gauge.builder("charger_status_cluster_members", members::getAsInt)
                .description("Instances in the cluster as this instance sees it (1 without a cluster)")
                .register(registry);
    }

    public void transition(Change change) {
        transitionCounter(
                        String.valueOf(change.previousStatus()), change.status().name())
                .increment();
    }

    private Counter transitionCounter(String from, String to) {
        return transitions.computeIfAbsent(
                from + '|' + to,
                k -> Counter.builder("charger_status_transitions_total")
                        .description("Charger-level status changes by previous and new status")
                        .tag("from", from)
                        .tag("to", to)
                        .register(registry));
    }

    public void commitTime(long nanos) {
        commitTime.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void batchSize(int facts) {
        batchSize.record(facts);
    }

    /** An OCPP message; direction in/out, outcome ok / the CALLERROR code / timeout. */
    public void ocppMessage(String action, String direction, String outcome) {
        // Looked up in a map of our own: building and registering a meter id per message showed in profiles.
        messages.computeIfAbsent(
                        action + '|' + direction + '|' + outcome,
                        k -> Counter.builder("charger_status_ocpp_messages_total")
                                .description("OCPP messages by action, direction and outcome")
                                .tag("action", action)
                                .tag("direction", direction)
                                .tag("outcome", outcome)
                                .register(registry))
                .increment();
    }

    public void callError(String code) {
        callError(code, 1);
    }

    private void callError(String code, int count) {
        callErrors
                .computeIfAbsent(
                        code,
                        k -> Counter.builder("charger_status_ocpp_callerrors_total")
                                .description("CALLERRORs sent to chargers, by OCPP error code")
                                .tag("code", code)
                                .register(registry))
                .increment(count);
    }

    /** Sessions open in this process, across all OCPP verticles (for the MAX_SESSIONS cap). */
    public int connectedChargers() {
        return connected.get();
    }

    public void upgradeRefused(String reason) {
        refusal(reason).increment();
    }

    private Counter refusal(String reason) {
        return Counter.builder("charger_status_ocpp_upgrades_refused_total")
                .description("Charger WebSocket upgrades refused, by reason")
                .tag("reason", reason)
                .register(registry);
    }

    /** A session closed with 1009 because a message, whole or fragmented, exceeded MAX_FRAME_BYTES. */
    /**
     * Reads the process gauges (open files, their limit, resident memory) from /proc and the JVM. Blocking, if
     * briefly: called on a worker before each scrape. Gauges stay at -1 where the platform has no /proc.
     */
    public void readProcess() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix) {
            maxFiles.set(unix.getMaxFileDescriptorCount());
            openFiles.set(unix.getOpenFileDescriptorCount());
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    residentBytes.set(Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024);
                }
            }
        } catch (IOException | RuntimeException noProc) {
            // not Linux: the gauge stays at -1
        }
    }

    /** One use of a field-tolerance rule. */
    public void tolerated(String rule) {
        tolerated.get(rule).increment();
    }

    /** A security event a charger reported. */
    public void securityEvent(boolean critical) {
        securityEvents.get(critical).increment();
    }

    public void messageTooBig() {
        tooBig.increment();
    }

    /** A charger password check refused without running the hash, because of earlier failures. */
    public void authLockedOut() {
        lockouts.increment();
    }

    /** A charger report refused while the database was unavailable; the charger is asked again once it is back. */
    public void reportRefused() {
        refusedReports.increment();
    }

    public void commitFailed() {
        commitsFailed.increment();
    }

    /** A range of events an SSE hub read from the history because it did not arrive on the bus in time. */
    public void sseGapFilled() {
        sseGapsFilled.increment();
    }

    public void sseClientCut() {
        sseCut.increment();
    }

    /** Exports whether the database is available (1) or not (0), as the watchdog last found it. */
    public void databaseUp(BooleanSupplier up) {
        Gauge.builder("charger_status_database_up", () -> up.getAsBoolean() ? 1 : 0)
                .description("1 while the database is available (the watchdog's probe and commits answer), 0 otherwise")
                .register(registry);
    }

    public void throttled() {
        throttled.increment();
    }

    public void sessionOpened() {
        connected.incrementAndGet();
    }

    public void sessionClosed() {
        connected.decrementAndGet();
    }

    public void sseClientAttached() {
        sseClients.incrementAndGet();
    }

    public void sseClientDetached() {
        sseClients.decrementAndGet();
    }

    public void eventLatency(Duration latency) {
        eventLatency.record(latency);
    }
}
