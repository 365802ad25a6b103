package io.chargerstatus.bench;

import static io.chargerstatus.bench.Measure.round;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** bench/results/latest.md: a run's figures as Markdown tables. */
final class Report {
    private final JsonObject results;

    Report(JsonObject results) {
        this.results = results;
    }

    /** One Markdown table row: {@code | a | b | c |} and a line end. */
    static String row(Object... cells) {
        StringBuilder b = new StringBuilder("|");
        for (Object cell : cells) {
            b.append(' ').append(cell).append(" |");
        }
        return b.append('\n').toString();
    }

    String markdown() {
        JsonObject m = results.getJsonObject("machine");
        List<String> lines = new ArrayList<>(List.of(
                "Run of " + results.getString("date") + " on " + m.getInteger("cores") + " cores, "
                        + (m.getLong("memoryBytes") >> 30) + " GiB, " + m.getString("jvm") + ", "
                        + m.getLong("openFilesPerProcess")
                        + " open files per process; simulators on the same machine.",
                ""));
        if (results.containsKey("sessions")) {
            lines.add(singleMarkdown());
        } else if (results.containsKey("sustained")) {
            JsonObject su = results.getJsonObject("sustained");
            lines.add("Sustained status changes only (service JVM: "
                    + results.getJsonObject("parameters").getString("serviceJvm")
                    + "):\n\n| figure | value |\n|---|---|\n"
                    + costMarkdown(su).replace(" | | |", " |"));
            lines.add(ceilingMarkdown(su).replace(" | | |", " |"));
        }
        if (results.containsKey("notify")) {
            lines.add(NotifyPhase.markdown(results.getJsonObject("notify")));
        }
        if (results.containsKey("roaming")) {
            lines.add(RoamingPhase.markdown(results.getJsonObject("roaming")));
        }
        if (results.containsKey("uptime")) {
            lines.add(UptimePhase.markdown(results.getJsonObject("uptime")));
        }
        if (results.containsKey("retention")) {
            lines.add(RetentionPhase.markdown(results.getJsonObject("retention")));
        }
        if (results.containsKey("cluster")) {
            lines.add(clusterMarkdown());
        }
        if (results.containsKey("clusterError")) {
            lines.add("Cluster phase failed: " + results.getString("clusterError"));
        }
        return String.join("\n", lines);
    }

    private String clusterMarkdown() {
        JsonObject c = results.getJsonObject("cluster");
        JsonObject s = c.getJsonObject("sessions");
        JsonObject st = c.getJsonObject("storm");
        JsonObject su = c.getJsonObject("sustained");
        JsonObject f = c.getJsonObject("failover");
        List<String> perInstance = new ArrayList<>();
        for (Object o : s.getJsonArray("perInstance")) {
            JsonObject i = (JsonObject) o;
            perInstance.add(i.getLong("held") + " sessions, " + i.getLong("heapBytesPerSession") + " B heap and "
                    + i.getLong("rssBytesPerSession") + " B RSS per session");
        }
        return String.join(
                "\n",
                "Cluster of 3 instances on the same machine and database:",
                "",
                "| figure | cluster | single instance, same run | ratio |",
                "|---|---|---|---|",
                "| sessions held (all Available: " + s.getBoolean("allAvailable") + ") | " + s.getLong("held") + " | "
                        + s.getLong("singleInstanceHeld") + " | "
                        + (s.getLong("singleInstanceHeld") == null
                                ? ""
                                : round((double) s.getLong("held") / s.getLong("singleInstanceHeld")))
                        + " |",
                "| per instance | " + String.join("; ", perInstance) + " | | |",
                "| reconnect storm, " + st.getInteger("chargers") + " chargers, streamed to 3 SSE clients | "
                        + st.getDouble("seconds") + " s, " + st.getDouble("msPerCharger") + " ms per charger | "
                        + st.getDouble("singleInstanceMsPerCharger") + " ms per charger | "
                        + st.getDouble("ratioToSingle")
                        + " |",
                "| sustained status changes per second (offered " + su.getInteger("targetPerSecond") + ") | "
                        + su.getDouble("statusPerSecond") + " | " + su.getDouble("singleInstancePerSecond") + " | "
                        + su.getDouble("ratioToSingle") + " |",
                "| charger -> SSE latency on another instance's stream, p50 / p99 / p99.9 | "
                        + su.getDouble("remoteStreamP50Ms") + " / " + su.getDouble("remoteStreamP99Ms") + " / "
                        + su.getDouble("remoteStreamP999Ms") + " ms | | |",
                "| failover: one instance SIGKILLed under that load, its " + f.getLong("killedChargers")
                        + " chargers all Offline after | " + f.getDouble("secondsUntilAllOffline")
                        + " s (OFFLINE_AFTER_S "
                        + f.getInteger("offlineAfterS") + ") | | |",
                "| changes lost (reports acknowledged: " + f.getLong("statusReportsAcknowledged")
                        + ", connector events in the history: " + f.getLong("connectorEventsInHistory") + ") | "
                        + f.getLong("changesLost") + " | | |",
                "");
    }

    private String singleMarkdown() {
        JsonObject s = results.getJsonObject("sessions");
        JsonObject st = results.getJsonObject("storm");
        JsonObject su = results.getJsonObject("sustained");
        return String.join(
                "\n",
                "One instance:",
                "",
                "| figure | charger-status | baseline | ratio |",
                "|---|---|---|---|",
                "| concurrent sessions held | " + s.getLong("held") + " (all Available: " + s.getBoolean("allAvailable")
                        + ") | " + s.getLong("baselineEchoHeld") + " (bare WebSocket echo) | "
                        + s.getDouble("ratioToEcho") + " |",
                "| heap per session | " + s.getLong("heapBytesPerSession") + " B (" + (s.getLong("heapBytesHeld") >> 20)
                        + " MiB held) | | |",
                "| RSS per session | " + s.getLong("rssBytesPerSession") + " B (" + (s.getLong("rssBytesHeld") >> 20)
                        + " MiB held) | | |",
                "| reconnect storm, " + st.getInteger("chargers") + " chargers x " + st.getInteger("connectors")
                        + " connectors, committed and streamed | " + st.getDouble("seconds") + " s ("
                        + st.getLong("events") + " events) | | |",
                "| sustained status changes per second (target " + su.getInteger("targetPerSecond") + ") | "
                        + su.getDouble("statusPerSecond") + " | " + su.getDouble("baselineInsertRowsPerSecond")
                        + " rows/s bare batched insert | "
                        + su.getDouble("ratioToInsert") + " |",
                "| same, against the echo ceiling | " + su.getDouble("statusPerSecond") + " | "
                        + su.getDouble("baselineEchoMessagesPerSecond") + " msg/s bare WebSocket echo | "
                        + su.getDouble("ratioToEcho") + " |",
                "| charger -> SSE latency p50 / p99 / p99.9 at that rate | " + su.getDouble("p50Ms") + " / "
                        + su.getDouble("p99Ms") + " / " + su.getDouble("p999Ms") + " ms | | |",
                "| at half the target (" + su.getJsonObject("halfRate").getInteger("targetPerSecond")
                        + "/s): achieved, p50 / p99 / p99.9 | "
                        + su.getJsonObject("halfRate").getDouble("perSecond") + "/s, "
                        + su.getJsonObject("halfRate").getDouble("p50Ms") + " / "
                        + su.getJsonObject("halfRate").getDouble("p99Ms") + " / "
                        + su.getJsonObject("halfRate").getDouble("p999Ms") + " ms | | |",
                costMarkdown(su),
                ceilingMarkdown(su),
                ocpp201Markdown(),
                "");
    }

    /** The warm-up run (not counted) and what the service sustains when offered twice the target. */
    private static String ceilingMarkdown(JsonObject su) {
        JsonObject w = su.getJsonObject("warmUp");
        JsonObject c = su.getJsonObject("ceiling");
        if (w == null || c == null) {
            return "";
        }
        return String.join(
                "\n",
                "| warm-up run at the target, not counted: achieved, p99 | " + w.getDouble("perSecond") + "/s, "
                        + w.getDouble("p99Ms") + " ms | | |",
                "| offered " + c.getInteger("targetPerSecond") + "/s (the ceiling): achieved, p99, ratio to the echo | "
                        + c.getDouble("perSecond") + "/s, " + c.getDouble("p99Ms") + " ms, "
                        + c.getDouble("ratioToEcho")
                        + " | | |");
    }

    /** The cost of one change at the target rate, min / median / max over the runs. */
    private static String costMarkdown(JsonObject su) {
        JsonObject spread = su.getJsonObject("spread");
        if (spread == null) {
            return "";
        }
        return String.join(
                "\n",
                spreadRow(
                        spread,
                        "perSecond",
                        "sustained changes/s over " + SinglePhase.REPEATS + " runs, min / median / max",
                        "/s"),
                spreadRow(spread, "p99Ms", "p99 charger -> SSE latency over the runs", " ms"),
                spreadRow(spread, "serviceCpuUsPerChange", "service CPU per status change", " µs"),
                spreadRow(
                        spread,
                        "postgresCpuUsPerChange",
                        "PostgreSQL CPU per status change (all its processes)",
                        " µs"),
                spreadRow(spread, "allocatedBytesPerChange", "service allocation per status change", " B"));
    }

    private static String spreadRow(JsonObject spread, String figure, String label, String unit) {
        JsonObject f = spread.getJsonObject(figure);
        return "| " + label + " | " + f.getDouble("min") + " / " + f.getDouble("median") + " / " + f.getDouble("max")
                + unit + " | | |";
    }

    private String ocpp201Markdown() {
        JsonObject v = results.getJsonObject("ocpp201");
        if (v == null) {
            return "";
        }
        return String.join(
                "\n",
                "| OCPP 2.0.1: sessions held (all Available: " + v.getBoolean("allAvailable") + ") | "
                        + v.getLong("held") + " | the 1.6 figure above | " + v.getDouble("heldRatioTo16") + " |",
                "| OCPP 2.0.1: heap per session | " + v.getLong("heapBytesPerSession") + " B | the 1.6 figure above | "
                        + v.getDouble("heapPerSessionRatioTo16") + " |",
                "| OCPP 2.0.1: sustained status changes per second, p99 | " + v.getDouble("statusPerSecond") + ", "
                        + v.getDouble("p99Ms") + " ms | the 1.6 figure above | " + v.getDouble("statusRatioTo16")
                        + " |");
    }
}
