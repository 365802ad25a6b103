package io.chargerstatus.ocpp;

import static io.chargerstatus.testkit.Api.expect;
import static io.chargerstatus.testkit.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.chargerstatus.testkit.Api;
import io.chargerstatus.testkit.TestCharger;
import io.chargerstatus.testkit.TestDatabase;
import io.chargerstatus.testkit.TestService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * The field-tolerance rules of docs/field-tolerance.md, end to end: the corpus of frames real chargers sent
 * ({@code field-corpus/frames.json}, each case with its source) replayed against the default service and against
 * one with {@code OCPP_STRICT=true}, then what is still refused, and the 1.6 security extension's messages.
 */
@DisplayName("Chargers as they are: real firmware's frames, the tolerance rules, the security extension")
class FieldToleranceIT {
    private static TestService service;
    private static TestService strict;
    private static Api api;
    private static final ListAppender<ILoggingEvent> LOG = new ListAppender<>();

    @BeforeAll
    static void start() {
        service = TestService.start(Map.of());
        // A database of its own: two services that are not one cluster must not share one.
        strict = TestService.start(TestDatabase.fresh(), Map.of("OCPP_STRICT", "true"));
        api = service.api();
        LOG.start();
        ((Logger) LoggerFactory.getLogger("io.chargerstatus.ocpp.Deviations")).addAppender(LOG);
    }

    @AfterAll
    static void stop() throws Exception {
        ((Logger) LoggerFactory.getLogger("io.chargerstatus.ocpp.Deviations")).detachAppender(LOG);
        strict.close();
        service.close();
    }

    static Stream<Arguments> corpus() throws IOException {
        try (InputStream in = FieldToleranceIT.class.getResourceAsStream("/field-corpus/frames.json")) {
            JsonArray cases =
                    new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getJsonArray("cases");
            return cases.stream()
                    .map(c -> (JsonObject) c)
                    .map(c -> Arguments.of(c.getString("make") + ": " + c.getString("case"), c));
        }
    }

    static Stream<Arguments> tolerated() throws IOException {
        return corpus().filter(a -> ((JsonObject) a.get()[1]).containsKey("strict"));
    }

    private static String uniqueId(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static TestCharger connect(TestService s, Api on, JsonObject c) {
        String id = uniqueId("FIELD");
        on.charger(uniqueId("acct"), id);
        TestCharger cp =
                "2.0.1".equals(c.getString("ocpp")) ? TestCharger.connect201(s, id) : TestCharger.connect(s, id);
        if (c.getBoolean("boot")) {
            if ("2.0.1".equals(c.getString("ocpp"))) {
                cp.boot201();
            } else {
                cp.boot();
            }
        }
        return cp;
    }

    /** Sends the case's frames as they are; the replies, in order. */
    private static List<JsonArray> replay(TestCharger cp, JsonObject c) {
        List<JsonArray> replies = new ArrayList<>();
        for (Object f : c.getJsonArray("frames")) {
            JsonArray frame = ((JsonObject) f).getJsonArray("send");
            replies.add(cp.raw(frame.encode(), frame.getString(1)));
        }
        return replies;
    }

    private static Set<String> deviations(JsonObject row) {
        return row.getJsonArray("deviations").stream()
                .map(d -> ((JsonObject) d).getString("rule") + " " + ((JsonObject) d).getString("field"))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    @DisplayName("each real charger's frames are answered as expected, give the right status and show the deviations")
    void replayed(String name, JsonObject c) throws Exception {
        try (TestCharger cp = connect(service, api, c)) {
            List<JsonArray> replies = replay(cp, c);
            JsonArray frames = c.getJsonArray("frames");
            for (int i = 0; i < replies.size(); i++) {
                String expected = frames.getJsonObject(i).getString("expect");
                JsonArray reply = replies.get(i);
                if ("result".equals(expected)) {
                    assertEquals(3, reply.getInteger(0), "frame " + i + " accepted: " + reply.encode());
                } else {
                    assertEquals(4, reply.getInteger(0), "frame " + i + " refused: " + reply.encode());
                    assertEquals(expected, reply.getString(2), reply.encode());
                }
            }
            if (c.getBoolean("triggersBoot", false)) {
                JsonArray trigger = cp.nextCallFromService("TriggerMessage", 10);
                assertNotNull(trigger, "a charger that never booted is asked for a BootNotification");
                assertEquals("BootNotification", trigger.getJsonObject(3).getString("requestedMessage"));
            }
            Set<String> expected = c.getJsonArray("deviations").stream()
                    .map(String::valueOf)
                    .collect(Collectors.toCollection(TreeSet::new));
            eventually(() -> {
                JsonObject row = api.chargerRow(cp.id);
                assertEquals(c.getString("status"), row.getString("status"), row.encode());
                assertEquals(expected, deviations(row), "the deviations on the charger row");
                if (c.containsKey("vendor")) {
                    assertEquals(c.getString("vendor"), row.getString("vendor"));
                }
                if (c.containsKey("faultCode")) {
                    assertEquals(c.getString("faultCode"), row.getString("faultCode"));
                }
            });
            if (c.containsKey("securityEvent")) {
                JsonArray events = expect(200, api.get("/api/v1/chargers/" + cp.id + "/security-events"))
                        .array();
                assertEquals(
                        c.getString("securityEvent"), events.getJsonObject(0).getString("type"));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tolerated")
    @DisplayName("with OCPP_STRICT=true the same frames are refused as the schema says, and nothing is recorded")
    void strictMode(String name, JsonObject c) throws Exception {
        try (TestCharger cp = connect(strict, strict.api(), c)) {
            List<JsonArray> replies = replay(cp, c);
            assertTrue(
                    replies.stream()
                            .anyMatch(r -> r.getInteger(0) == 4
                                    && c.getString("strict").equals(r.getString(2))),
                    "refused with " + c.getString("strict") + ": " + replies);
            assertTrue(deviations(strict.api().chargerRow(cp.id)).isEmpty());
        }
    }

    @Test
    @DisplayName("what is structurally wrong, or beyond a rule's bounds, is still refused with its CALLERROR")
    void stillRefused() {
        JsonObject c = new JsonObject().put("ocpp", "1.6").put("boot", true);
        try (TestCharger cp = connect(service, api, c)) {
            JsonObject boot = new JsonObject()
                    .put("chargePointVendor", "ACME")
                    .put("chargePointModel", "AC22")
                    .put("chargePointSerialNumber", "S".repeat(256));
            assertRefused(cp, "BootNotification", boot, "PropertyConstraintViolation", "a serial over 255 characters");
            assertRefused(
                    cp,
                    "Authorize",
                    new JsonObject().put("idTag", "T".repeat(21)),
                    "PropertyConstraintViolation",
                    "an id tag that keys data keeps its 20 characters in Authorize");
            assertRefused(
                    cp,
                    "StartTransaction",
                    new JsonObject()
                            .put("connectorId", 1)
                            .put("idTag", "T".repeat(21))
                            .put("meterStart", 0)
                            .put("timestamp", Instant.now().toString()),
                    "PropertyConstraintViolation",
                    "and in StartTransaction");
            assertRefused(
                    cp,
                    "StatusNotification",
                    status("Available").put("timestamp", "2023-13-45T25:03:10"),
                    "PropertyConstraintViolation",
                    "a local time that is no time");
            assertRefused(
                    cp,
                    "StatusNotification",
                    status("Available").put("timestamp", "yesterday"),
                    "PropertyConstraintViolation",
                    "not a date-time at all");
            assertRefused(
                    cp,
                    "StatusNotification",
                    status("Available").put("info", 42),
                    "TypeConstraintViolation",
                    "a number where info's string belongs: not a rule's field");
            assertRefused(
                    cp,
                    "StatusNotification",
                    status("Chargin"),
                    "PropertyConstraintViolation",
                    "a status the spec does not have");
            assertRefused(
                    cp,
                    "StatusNotification",
                    new JsonObject().put("connectorId", 1).put("errorCode", "NoError"),
                    "ProtocolError",
                    "a missing required field");
            assertRefused(
                    cp,
                    "MeterValues",
                    new JsonObject().put("connectorId", 1).put("meterValue", new JsonObject()),
                    "TypeConstraintViolation",
                    "an object where an array belongs");
            assertRefused(
                    cp,
                    "StatusNotification",
                    status("Available").put("info", "i".repeat(60)).put("status", "Chargin"),
                    "PropertyConstraintViolation",
                    "a tolerable violation beside one that is not: refused for the one that is not");
            assertTrue(deviations(api.chargerRow(cp.id)).isEmpty(), "nothing refused is recorded as tolerated");
        }
    }

    private static JsonObject status(String status) {
        return new JsonObject()
                .put("connectorId", 1)
                .put("errorCode", "NoError")
                .put("status", status)
                .put("timestamp", Instant.now().toString());
    }

    private static void assertRefused(TestCharger cp, String action, JsonObject payload, String code, String why) {
        JsonArray reply = cp.call(action, payload);
        assertEquals(4, reply.getInteger(0), why + ": " + reply.encode());
        assertEquals(code, reply.getString(2), why + ": " + reply.encode());
    }

    @Test
    @DisplayName("a rule used again and again is counted on the row and in the metric, and logged once per session")
    void countedAndLoggedOnce() throws Exception {
        JsonObject c = new JsonObject().put("ocpp", "1.6").put("boot", true);
        double before = tolerated("no-offset");
        String id;
        try (TestCharger cp = connect(service, api, c)) {
            id = cp.id;
            for (int i = 0; i < 5; i++) {
                cp.ok(
                        "StatusNotification",
                        status(i % 2 == 0 ? "Preparing" : "Available").put("timestamp", "2026-12-01T10:00:0" + i));
            }
        }
        eventually(() -> {
            JsonArray all = api.chargerRow(id).getJsonArray("deviations");
            assertEquals(1, all.size(), all.encode());
            JsonObject d = all.getJsonObject(0);
            assertEquals("no-offset", d.getString("rule"));
            assertEquals("StatusNotification.timestamp", d.getString("field"));
            assertEquals(5, d.getLong("count"));
            assertEquals("2026-12-01T10:00:04", d.getString("detail"), "the last value the charger sent");
            assertFalse(Instant.parse(d.getString("lastSeenAt")).isBefore(Instant.parse(d.getString("firstSeenAt"))));
        });
        assertTrue(tolerated("no-offset") >= before + 5, "every use counted in the metric");
        long lines = LOG.list.stream()
                .filter(e -> e.getFormattedMessage().contains("charger " + id + " "))
                .count();
        assertEquals(1, lines, "one line per session, rule and field, not one per frame");
        ILoggingEvent line = LOG.list.stream()
                .filter(e -> e.getFormattedMessage().contains("charger " + id + " "))
                .findFirst()
                .orElseThrow();
        assertTrue(line.getFormattedMessage().contains("no-offset"), line.getFormattedMessage());
        assertTrue(line.getFormattedMessage().contains("StatusNotification.timestamp"), line.getFormattedMessage());
    }

    private static double tolerated(String rule) {
        String metrics = expect(200, api.get("/metrics")).body();
        Matcher m = Pattern.compile("charger_status_ocpp_tolerated_total\\{[^}]*rule=\"" + rule + "\"[^}]*} (\\S+)")
                .matcher(metrics);
        assertTrue(m.find(), "the counter of " + rule + " is exported");
        return Double.parseDouble(m.group(1));
    }

    @Test
    @DisplayName("a charger that never booted is asked once for a BootNotification, and its answer fills in the row")
    void noBootAskedOnce() throws Exception {
        String id = uniqueId("NOBOOT");
        api.charger(uniqueId("acct"), id);
        try (TestCharger cp = TestCharger.connect(service, id)) {
            cp.status(1, "Charging");
            JsonArray trigger = cp.nextCallFromService("TriggerMessage", 10);
            assertNotNull(trigger);
            assertEquals("BootNotification", trigger.getJsonObject(3).getString("requestedMessage"));
            assertEquals("Charging", api.chargerRow(id).getString("status"), "not Unknown while it has a session");
            assertNull(api.chargerRow(id).getString("vendor"));
            cp.status(1, "SuspendedEV");
            cp.boot(); // what the charger sends when triggered
            eventually(() -> {
                JsonObject row = api.chargerRow(id);
                assertEquals("ACME", row.getString("vendor"));
                assertEquals("1.2.3", row.getString("firmwareVersion"));
                assertEquals("Completed", row.getString("status"));
            });
            for (JsonArray call = cp.nextCallFromService(2); call != null; call = cp.nextCallFromService(2)) {
                assertFalse(
                        "BootNotification".equals(call.getJsonObject(3).getString("requestedMessage")),
                        "asked once only: " + call.encode());
            }
        }
        eventually(() -> assertEquals("Offline", api.chargerRow(id).getString("status")));
    }

    @Test
    @DisplayName(
            "the 1.6 security extension: events stored and listed, signed firmware moves the status, no NotImplemented")
    void securityExtension() throws Exception {
        JsonObject c = new JsonObject().put("ocpp", "1.6").put("boot", true);
        try (TestCharger cp = connect(service, api, c)) {
            cp.status(1, "Available");
            cp.ok(
                    "SecurityEventNotification",
                    new JsonObject().put("type", "InvalidMessages").put("timestamp", "2026-12-01T10:00:00Z"));
            cp.ok(
                    "SecurityEventNotification",
                    new JsonObject()
                            .put("type", "TamperDetectionActivated")
                            .put("timestamp", "2026-12-01T10:00:01Z")
                            .put("techInfo", "enclosure opened"));
            JsonArray events = expect(200, api.get("/api/v1/chargers/" + cp.id + "/security-events?limit=5"))
                    .array();
            assertEquals(2, events.size());
            assertEquals("TamperDetectionActivated", events.getJsonObject(0).getString("type"), "newest first");
            assertTrue(events.getJsonObject(0).getBoolean("critical"));
            assertEquals("enclosure opened", events.getJsonObject(0).getString("techInfo"));
            assertEquals("2026-12-01T10:00:01Z", events.getJsonObject(0).getString("timestamp"));
            assertFalse(events.getJsonObject(1).getBoolean("critical"));
            assertEquals(
                    1,
                    expect(200, api.get("/api/v1/chargers/" + cp.id + "/security-events?limit=1"))
                            .array()
                            .size());

            cp.ok(
                    "SignedFirmwareStatusNotification",
                    new JsonObject().put("status", "Downloading").put("requestId", 7));
            assertEquals("Unavailable", api.chargerRow(cp.id).getString("status"));
            cp.ok(
                    "SignedFirmwareStatusNotification",
                    new JsonObject().put("status", "SignatureVerified").put("requestId", 7));
            assertEquals("Unavailable", api.chargerRow(cp.id).getString("status"));
            cp.ok(
                    "SignedFirmwareStatusNotification",
                    new JsonObject().put("status", "InvalidSignature").put("requestId", 7));
            assertEquals("Available", api.chargerRow(cp.id).getString("status"));

            assertEquals(
                    new JsonObject(),
                    cp.ok(
                            "LogStatusNotification",
                            new JsonObject().put("status", "Uploaded").put("requestId", 3)));
            assertEquals(
                    "Rejected",
                    cp.ok("SignCertificate", new JsonObject().put("csr", "-----BEGIN CERTIFICATE REQUEST-----"))
                            .getString("status"));
            JsonArray notSupported = cp.call("SignedUpdateFirmware", new JsonObject());
            assertEquals("NotSupported", notSupported.getString(2), "a central system's message from a charger");
        }
        assertTrue(expect(200, api.get("/metrics"))
                .body()
                .contains("charger_status_ocpp_security_events_total{critical=\"true\"}"));
    }

    @Test
    @DisplayName("OCPP 2.0.1 security events are stored too, and SignCertificate is Rejected with a reason")
    void security201() {
        JsonObject c = new JsonObject().put("ocpp", "2.0.1").put("boot", true);
        try (TestCharger cp = connect(service, api, c)) {
            cp.ok(
                    "SecurityEventNotification",
                    new JsonObject().put("type", "SettingSystemTime").put("timestamp", "2026-12-01T10:00:00Z"));
            JsonObject event = expect(200, api.get("/api/v1/chargers/" + cp.id + "/security-events"))
                    .array()
                    .getJsonObject(0);
            assertEquals("SettingSystemTime", event.getString("type"));
            assertTrue(event.getBoolean("critical"));
            JsonObject answer =
                    cp.ok("SignCertificate", new JsonObject().put("csr", "-----BEGIN CERTIFICATE REQUEST-----"));
            assertEquals("Rejected", answer.getString("status"));
            assertNotNull(answer.getJsonObject("statusInfo").getString("additionalInfo"));
        }
    }
}
