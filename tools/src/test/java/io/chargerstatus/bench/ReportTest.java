package io.chargerstatus.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The bench's Markdown report")
class ReportTest {

    @Test
    @DisplayName("a table row: every cell between bars, a dash where a run has no figure")
    void rows() {
        assertEquals("| 1 | on | 2.5 |\n", Report.row(1, "on", 2.5));
        JsonObject notify = new JsonObject()
                .put(
                        "runs",
                        new JsonArray()
                                .add(new JsonObject()
                                        .put("targetPerSecond", 10000)
                                        .put("notifications", "off")
                                        .put("subscribers", "")
                                        .put("perSecond", 8843.32)
                                        .put("p99Ms", 189.0)
                                        .put("serviceCpuUsPerChange", 87.96)
                                        .put("postgresCpuUsPerChange", 50.41))
                                .add(new JsonObject()
                                        .put("targetPerSecond", 5000)
                                        .put("notifications", "on")
                                        .put("subscribers", "fast")
                                        .put("perSecond", 6021.95)
                                        .put("machineBusy", 0.97)
                                        .put("p99Ms", 364.0)
                                        .put("serviceCpuUsPerChange", 144.3)
                                        .put("postgresCpuUsPerChange", 62.09)
                                        .put("fastLagDuringRun", new JsonObject().put("lagP99Ms", 2088.0))
                                        .put("fastCatchUpS", 0.0)))
                .put("costRatio", 1.46)
                .put(
                        "halfRate",
                        new JsonObject()
                                .put("perSecond", 5000)
                                .put("costRatio", 1.26)
                                .put("p99Ratio", 3.47)
                                .put("evaluatorOnlyCostRatio", 1.05)
                                .put("evaluatorOnlyP99Ratio", 1.1))
                .put(
                        "postFloor",
                        new JsonObject()
                                .put("posts", 50000)
                                .put("postsPerSecond", 31932.56)
                                .put("clientCpuUsPerPost", 15.39)
                                .put("shareOfChange", 0.12));
        String md = NotifyPhase.markdown(notify);
        assertTrue(md.contains("| 1 | 10000 | off | — | 8843.32 | — | 189.0 | 87.96 | 50.41 | — | — | — |\n"), md);
        assertTrue(
                md.contains(
                        "At half the rate (5000/s offered; how busy the machine was is in the table): cost ratio 1.26"),
                md);
        assertTrue(md.contains("15.39 µs of its thread's CPU, 0.12 of a change's cost"), md);
        assertTrue(
                md.contains("| 2 | 5000 | on | fast | 6021.95 | 0.97 | 364.0 | 144.3 | 62.09 | 2088.0 | 0.0 | — |\n"),
                md);
    }
}
