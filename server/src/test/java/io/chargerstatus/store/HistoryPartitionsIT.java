package io.chargerstatus.store;

import static io.chargerstatus.testkit.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chargerstatus.testkit.Api;
import io.chargerstatus.testkit.Await;
import io.chargerstatus.testkit.MutableClock;
import io.chargerstatus.testkit.TestCharger;
import io.chargerstatus.testkit.TestDatabase;
import io.chargerstatus.testkit.TestService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The history in monthly partitions (migration V10, engine/HistoryMaintenance, docs/uptime.md). */
@DisplayName("The history in monthly partitions: made ahead, stray rows moved, old months dropped whole")
class HistoryPartitionsIT {
    private static final Map<String, String> FAST =
            Map.of("HISTORY_MAINTENANCE_MS", "200", "HISTORY_MONTHS_AHEAD", "2");

    private static String partition(YearMonth m) {
        return "status_events_p" + m.format(DateTimeFormatter.ofPattern("yyyyMM"));
    }

    private static boolean exists(TestService s, String table) {
        return TestDatabase.sql(
                        s.pgUrl,
                        "SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                                + " WHERE i.inhparent = 'status_events'::regclass AND c.relname = '" + table + "'")
                .equals("1");
    }

    @Test
    @DisplayName("months ahead are made; a row outside every month is moved out of the default partition into its own")
    void aheadAndStray() throws Exception {
        try (TestService s = TestService.start(TestDatabase.fresh(), FAST)) {
            YearMonth now = YearMonth.now(ZoneOffset.UTC);
            Await.eventually(() -> {
                for (int i = 0; i <= 2; i++) {
                    assertTrue(exists(s, partition(now.plusMonths(i))), partition(now.plusMonths(i)));
                }
            });
            // A row the default partition caught (a clock years ahead): kept, and given its month.
            expect(
                    201,
                    s.api()
                            .post(
                                    "/api/v1/accounts",
                                    new JsonObject().put("id", "far").put("name", "far")));
            TestDatabase.sql(
                    s.pgUrl,
                    "INSERT INTO status_events (seq, charger_id, account_id, status, ts, received_at)"
                            + " VALUES (999999, 'FAR-1', 'far', 'Available', '2031-05-05T10:00:00Z',"
                            + " '2031-05-05T10:00:00Z') RETURNING seq");
            Await.eventually(() -> assertEquals(
                    "status_events_p203105",
                    TestDatabase.sql(s.pgUrl, "SELECT tableoid::regclass FROM status_events WHERE seq = 999999")));
            assertEquals("0", TestDatabase.sql(s.pgUrl, "SELECT count(*) FROM status_events_default"));
        }
    }

    @Test
    @DisplayName("HISTORY_RETENTION_DAYS drops whole months; newer months, the charger and its history go on")
    void retention() throws Exception {
        Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        MutableClock clock = new MutableClock(start);
        Map<String, String> settings = new java.util.HashMap<>(FAST);
        settings.put("HISTORY_RETENTION_DAYS", "60");
        try (TestService s = TestService.start(TestDatabase.fresh(), settings, clock)) {
            Api api = s.api();
            api.charger("keep", "KEEP-1");
            TestCharger cp = TestCharger.connect(s, "KEEP-1");
            cp.boot();
            cp.status(1, "Available", "NoError", null, start);
            String old = partition(YearMonth.from(start.atOffset(ZoneOffset.UTC)));
            Await.eventually(() -> assertTrue(exists(s, old)));
            String inOld = "SELECT count(*) FROM " + old + " WHERE charger_id = 'KEEP-1'";
            assertTrue(Integer.parseInt(TestDatabase.sql(s.pgUrl, inOld)) > 0, "the first events are in " + old);

            // Four months on: the first month is older than 60 days and goes, as a whole.
            Instant later = start.plus(Duration.ofDays(120));
            clock.set(later);
            cp.status(1, "Charging", "NoError", null, later);
            Await.eventually(() -> assertTrue(!exists(s, old), old + " dropped"));
            JsonArray history =
                    expect(200, api.get("/api/v1/chargers/KEEP-1/history")).array();
            assertTrue(history.size() >= 1, history.encode());
            for (Object o : history) {
                assertTrue(
                        Instant.parse(((JsonObject) o).getString("receivedAt"))
                                .isAfter(later.minus(Duration.ofDays(61))),
                        "only the kept months: " + o);
            }
            assertEquals(
                    "Charging",
                    api.chargerRow("KEEP-1")
                            .getJsonArray("connectors")
                            .getJsonObject(0)
                            .getString("status"));
            cp.close();
        }
    }

    @Test
    @DisplayName("the 24-hour chart reads only its own day, with statuses set weeks before in older months")
    void chartAcrossMonths() throws Exception {
        try (TestService s = TestService.start(TestDatabase.fresh(), FAST)) {
            Api api = s.api();
            api.charger("chart", "C-FAULT");
            api.charger("chart", "C-STEADY");
            Instant now = Instant.now();
            String longAgo = now.minus(Duration.ofDays(100)).toString();
            String weeksAgo = now.minus(Duration.ofDays(40)).toString();
            String twoHoursAgo = now.minus(Duration.ofHours(2)).toString();
            // Made as the engine writes them: C-FAULT Faulted 40 days ago, Available two hours ago;
            // C-STEADY Charging since 100 days ago, nothing since.
            TestDatabase.sql(
                    s.pgUrl,
                    "INSERT INTO status_events (seq, charger_id, account_id, status, previous_status, ts, received_at)"
                            + " VALUES (900001, 'C-STEADY', 'chart', 'Charging', 'Unknown', '" + longAgo + "', '"
                            + longAgo + "'), (900002, 'C-FAULT', 'chart', 'Faulted', 'Unknown', '" + weeksAgo
                            + "', '" + weeksAgo + "'), (900003, 'C-FAULT', 'chart', 'Available', 'Faulted', '"
                            + twoHoursAgo + "', '" + twoHoursAgo + "') RETURNING seq");
            TestDatabase.sql(
                    s.pgUrl,
                    "UPDATE chargers SET status = CASE id WHEN 'C-FAULT' THEN 'Available' ELSE 'Charging' END,"
                            + " created_at = '" + longAgo + "' WHERE account_id = 'chart' RETURNING id");
            JsonArray points = expect(200, api.get("/api/v1/status-history?accountId=chart&step=3600"))
                    .json()
                    .getJsonArray("points");
            JsonObject first = points.getJsonObject(0).getJsonObject("counts");
            JsonObject last = points.getJsonObject(points.size() - 1).getJsonObject("counts");
            assertEquals(1, first.getInteger("Faulted"), first.encode());
            assertEquals(1, first.getInteger("Charging"), first.encode());
            assertEquals(1, last.getInteger("Available"), last.encode());
            assertEquals(1, last.getInteger("Charging"), last.encode());
            assertEquals(0, last.getInteger("Faulted"), last.encode());
        }
    }
}
