package io.chargerstatus.notify;

import static io.chargerstatus.testkit.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chargerstatus.testkit.Api;
import io.chargerstatus.testkit.Await;
import io.chargerstatus.testkit.Receiver;
import io.chargerstatus.testkit.TestCharger;
import io.chargerstatus.testkit.TestDatabase;
import io.chargerstatus.testkit.TestService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Incidents and notifications end to end: real chargers (the test's OCPP client), a real HTTP receiver, the
 * Standard Webhooks reference library (npm standardwebhooks) checking the signatures, a real SMTP server (npm
 * smtp-server) receiving the e-mail. Rules and retry delays are shortened through the settings.
 */
@DisplayName("Incidents and notifications: signed webhooks and e-mail, once, in order, nothing lost")
class NotificationsIT {
    private static final Path NODE = Path.of("src/test/notify");
    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final List<String> MAILS = new CopyOnWriteArrayList<>();
    private static Process smtp;
    private static TestService service;
    private static Api api;

    @BeforeAll
    static void start() throws Exception {
        assertTrue(npmInstalled(), "node and npm are needed (.ci/run installs them)");
        int smtpPort = TestService.freePort();
        smtp = new ProcessBuilder("node", "smtp.mjs", String.valueOf(smtpPort))
                .directory(NODE.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(smtp.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("listening", out.readLine());
        Thread reader = new Thread(
                () -> {
                    try {
                        for (String line; (line = out.readLine()) != null; ) {
                            MAILS.add(line);
                        }
                    } catch (IOException ignored) {
                        // the server stopped
                    }
                },
                "smtp-output");
        reader.setDaemon(true);
        reader.start();
        service = TestService.start(
                TestDatabase.fresh(),
                Map.ofEntries(
                        Map.entry("WEBHOOK_ALLOW_PRIVATE", "true"),
                        Map.entry("INCIDENT_TICK_MS", "200"),
                        Map.entry("WEBHOOK_RETRY_BASE_MS", "100"),
                        Map.entry("WEBHOOK_RETRY_MAX_MS", "400"),
                        Map.entry("WEBHOOK_FLUSH_MS", "100"),
                        Map.entry("WEBHOOK_TIMEOUT_MS", "1000"),
                        Map.entry("SMTP_URL", "smtp://127.0.0.1:" + smtpPort),
                        Map.entry("SMTP_FROM", "noc@charger-status.test")));
        api = service.api();
        for (String account : List.of("ops", "retry", "slow", "remind", "decom")) {
            expect(
                    201,
                    api.post(
                            "/api/v1/accounts",
                            new JsonObject().put("id", account).put("name", account)));
            expect(
                    200,
                    api.send(
                            "PUT",
                            "/api/v1/accounts/" + account + "/alerting",
                            new JsonObject()
                                    .put("offlineAfterS", 1)
                                    .put("faultedAfterS", 1)
                                    .put("unavailableAfterS", 1)
                                    .put("resolveAfterS", 1)
                                    .put("flapping", new JsonObject().put("entries", 50))
                                    .put("siteOffline", new JsonObject().put("min", 1000))
                                    .put("remindAfterS", account.equals("remind") ? 1 : 86_400)
                                    .encode()));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        service.close();
        smtp.destroy();
        smtp.waitFor(10, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("a charger Offline past the debounce pages once, signed (verified by the reference library), "
            + "by webhook and e-mail, and again when it is back; acknowledged with a note")
    void offlineOnceAndBack() throws Exception {
        try (Receiver receiver = new Receiver()) {
            JsonObject hook = expect(
                            201,
                            api.post(
                                    "/api/v1/webhooks",
                                    new JsonObject()
                                            .put("accountId", "ops")
                                            .put("url", receiver.url())
                                            .put(
                                                    "events",
                                                    new JsonArray()
                                                            .add("incident.opened")
                                                            .add("incident.resolved")
                                                            .add("status.changed"))
                                            .put("secret", SECRET)))
                    .json();
            assertEquals(SECRET, hook.getString("secret"));
            expect(
                    201,
                    api.post(
                            "/api/v1/webhooks",
                            new JsonObject()
                                    .put("accountId", "ops")
                                    .put("url", "mailto:oncall@example.com")
                                    .put(
                                            "events",
                                            new JsonArray()
                                                    .add("incident.opened")
                                                    .add("incident.resolved"))));
            JsonArray listed =
                    expect(200, api.get("/api/v1/webhooks?accountId=ops")).array();
            assertEquals(2, listed.size());
            assertFalse(listed.encode().contains("whsec_"), "secrets are shown only when made");

            String id = api.newCharger("NT", "ops", false, null);
            TestCharger cp = TestCharger.connect(service, id);
            cp.boot();
            cp.status(1, "Available");
            cp.close();
            Await.eventually(() -> assertEquals("Offline", api.chargerRow(id).getString("status")));
            String offlineSince = api.chargerRow(id).getString("statusSince");

            Await.eventually(
                    () -> assertEquals(1, receiver.delivered("incident.opened").size()), 30);
            JsonObject opened =
                    receiver.delivered("incident.opened").get(0).json().getJsonObject("data");
            assertEquals("Offline", opened.getString("kind"));
            assertEquals(id, opened.getString("chargerId"));
            assertEquals(offlineSince, opened.getString("startedAt"), "startedAt is when the bad state began");
            assertEquals("open", opened.getString("state"));

            TestCharger back = TestCharger.connect(service, id);
            back.boot();
            back.status(1, "Available");
            Await.eventually(
                    () -> assertEquals(
                            1, receiver.delivered("incident.resolved").size()),
                    30);
            JsonObject resolved =
                    receiver.delivered("incident.resolved").get(0).json().getJsonObject("data");
            assertEquals(opened.getString("id"), resolved.getString("id"));
            assertEquals("resolved", resolved.getString("state"));
            assertNotNull(resolved.getString("backAt"));
            assertEquals(1, receiver.delivered("incident.opened").size(), "paged once");

            JsonObject incident = expect(200, api.get("/api/v1/incidents/" + opened.getString("id")))
                    .json();
            assertEquals("resolved", incident.getString("state"));
            JsonArray ofCharger =
                    expect(200, api.get("/api/v1/incidents?chargerId=" + id)).array();
            assertEquals(1, ofCharger.size());
            JsonObject acked = expect(
                            200,
                            api.post(
                                    "/api/v1/incidents/" + opened.getString("id") + "/acknowledge",
                                    new JsonObject().put("note", "site power restored")))
                    .json();
            assertEquals("site power restored", acked.getString("note"));
            assertEquals("admin", acked.getString("acknowledgedBy"));
            assertNotNull(acked.getString("acknowledgedAt"));

            // Every change of the account, in seq order, with the same id on any repeat.
            Await.eventually(() -> assertTrue(
                    statusSeqs(receiver).size() >= 4, statusSeqs(receiver).toString()));
            assertIncreasing(statusSeqs(receiver));

            // The reference implementation verifies every signature the service wrote.
            Path file = Files.createTempFile("webhooks", ".json");
            JsonArray all = new JsonArray();
            receiver.requests.forEach(r -> all.add(r.forVerifier()));
            Files.writeString(file, all.encode());
            Process verify = new ProcessBuilder(
                            "node", "verify.mjs", file.toAbsolutePath().toString(), SECRET)
                    .directory(NODE.toFile())
                    .redirectErrorStream(true)
                    .start();
            String said = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertTrue(verify.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, verify.exitValue(), said);
            assertEquals("verified " + receiver.requests.size(), said);

            // The e-mail, through a real SMTP server.
            Await.eventually(() -> assertTrue(mail("Offline resolved: " + id) != null, MAILS.toString()), 30);
            JsonObject mail = mail("Offline opened: " + id);
            assertNotNull(mail, MAILS.toString());
            assertEquals(List.of("oncall@example.com"), mail.getJsonArray("to").getList());
            assertEquals("noc@charger-status.test", mail.getString("from"));
            assertTrue(mail.getString("data").contains(opened.getString("id")));

            JsonArray log = expect(200, api.get("/api/v1/webhooks/" + hook.getString("id") + "/deliveries?limit=1000"))
                    .array();
            assertTrue(
                    log.stream()
                            .anyMatch(e -> "delivered".equals(((JsonObject) e).getString("outcome"))
                                    && Integer.valueOf(200).equals(((JsonObject) e).getInteger("httpStatus"))),
                    log.encode());
            back.close();
        }
    }

    @Test
    @DisplayName("a receiver answering 503 for a while then 200 gets every change, in order; the log shows the "
            + "retries; the test endpoint reports what it answered")
    void deadReceiverThenBack() throws Exception {
        try (Receiver receiver = new Receiver()) {
            receiver.answer = 503;
            JsonObject hook = subscribe("retry", receiver, "status.changed");
            String id = api.newCharger("RT", "retry", false, null);
            TestCharger cp = TestCharger.connect(service, id);
            cp.boot();
            String[] walk = {"Available", "Preparing", "Charging", "Finishing", "Available", "Faulted", "Available"};
            for (String status : walk) {
                cp.status(1, status);
            }
            String path = "/api/v1/webhooks/" + hook.getString("id") + "/deliveries";
            Await.eventually(
                    () -> assertTrue(
                            expect(200, api.get(path)).array().stream()
                                    .anyMatch(e -> "retrying".equals(((JsonObject) e).getString("outcome"))
                                            && Integer.valueOf(503).equals(((JsonObject) e).getInteger("httpStatus"))
                                            && ((JsonObject) e).getString("nextAttemptAt") != null),
                            expect(200, api.get(path)).body()),
                    30);
            JsonObject test = expect(200, api.post("/api/v1/webhooks/" + hook.getString("id") + "/test", null))
                    .json();
            assertFalse(test.getBoolean("delivered"));
            assertEquals(503, test.getInteger("httpStatus"));

            receiver.answer = 200;
            List<Long> history = new ArrayList<>();
            expect(200, api.get("/api/v1/chargers/" + id + "/history?limit=1000"))
                    .array()
                    .forEach(e -> history.add(0, ((JsonObject) e).getLong("seq")));
            Await.eventually(() -> assertEquals(history, statusSeqs(receiver)), 30);
            assertIncreasing(statusSeqs(receiver));
            assertAsInHistory(receiver, id);
            assertTrue(expect(200, api.post("/api/v1/webhooks/" + hook.getString("id") + "/test", null))
                    .json()
                    .getBoolean("delivered"));
            cp.close();
        }
    }

    @Test
    @DisplayName("a receiver that never answers delays only its own messages: another subscriber gets every "
            + "change meanwhile, and the hung one gets them all once it answers again")
    void hungReceiverDelaysOnlyItself() throws Exception {
        try (Receiver hung = new Receiver();
                Receiver fine = new Receiver()) {
            hung.hang = true;
            subscribe("slow", hung, "status.changed");
            subscribe("slow", fine, "status.changed");
            String id = api.newCharger("SL", "slow", false, null);
            TestCharger cp = TestCharger.connect(service, id);
            cp.boot();
            for (String status : new String[] {"Available", "Preparing", "Charging", "Finishing", "Available"}) {
                cp.status(1, status);
            }
            List<Long> history = new ArrayList<>();
            expect(200, api.get("/api/v1/chargers/" + id + "/history?limit=1000"))
                    .array()
                    .forEach(e -> history.add(0, ((JsonObject) e).getLong("seq")));
            Await.eventually(() -> assertEquals(history, statusSeqs(fine)), 30);
            assertTrue(hung.delivered.isEmpty());
            assertFalse(hung.requests.isEmpty(), "the hung receiver was tried");
            assertAsInHistory(fine, id);
            hung.hang = false;
            Await.eventually(() -> assertEquals(history, statusSeqs(hung)), 30);
            assertAsInHistory(hung, id);
            cp.close();
        }
    }

    @Test
    @DisplayName("no incident inside a maintenance window or for an Unavailable asked for through "
            + "change-availability, while the same outage of another charger opens one")
    void silenced() throws Exception {
        try (Receiver receiver = new Receiver()) {
            subscribe("ops", receiver, "incident.opened");
            String windowed = api.newCharger("MW", "ops", false, null);
            String asked = api.newCharger("CA", "ops", false, null);
            String control = api.newCharger("CT", "ops", false, null);
            expect(
                    201,
                    api.post(
                            "/api/v1/maintenance-windows",
                            new JsonObject()
                                    .put("accountId", "ops")
                                    .put("chargerId", windowed)
                                    .put(
                                            "from",
                                            java.time.Instant.now()
                                                    .minusSeconds(60)
                                                    .toString())
                                    .put(
                                            "to",
                                            java.time.Instant.now()
                                                    .plusSeconds(3600)
                                                    .toString())
                                    .put("note", "firmware campaign")));
            assertEquals(
                    1,
                    expect(200, api.get("/api/v1/maintenance-windows?accountId=ops"))
                            .array()
                            .size());
            TestCharger w = TestCharger.connect(service, windowed);
            w.boot();
            w.status(1, "Available");
            w.close();
            TestCharger a = TestCharger.connect(service, asked);
            a.boot();
            a.status(1, "Available");
            expect(
                    200,
                    api.post(
                            "/api/v1/chargers/" + asked + "/commands/change-availability",
                            new JsonObject().put("connectorId", 0).put("available", false)));
            a.status(0, "Unavailable");
            Await.eventually(
                    () -> assertEquals("Unavailable", api.chargerRow(asked).getString("status")));
            TestCharger c = TestCharger.connect(service, control);
            c.boot();
            c.status(1, "Available");
            c.status(0, "Unavailable");
            Await.eventually(
                    () -> assertTrue(
                            receiver.delivered("incident.opened").stream()
                                    .anyMatch(r -> control.equals(
                                            r.json().getJsonObject("data").getString("chargerId"))),
                            receiver.delivered.toString()),
                    30);
            // The control's Unavailable began after the others' bad states: had they opened, they would be here.
            Set<String> paged = new LinkedHashSet<>();
            receiver.delivered("incident.opened")
                    .forEach(r -> paged.add(r.json().getJsonObject("data").getString("chargerId")));
            assertFalse(paged.contains(asked), paged.toString());
            assertFalse(paged.contains(windowed), paged.toString());
            a.close();
            c.close();
        }
    }

    @Test
    @DisplayName("urls inside the network, other schemes, bad secrets and e-mail for every change are refused "
            + "with 400 (internal urls unless WEBHOOK_ALLOW_PRIVATE)")
    void refused() throws Exception {
        try (TestService strict = TestService.start(TestDatabase.url(), Map.of("NOTIFICATIONS_ENABLED", "false"))) {
            Api plain = strict.api();
            // NOTIFICATIONS_ENABLED=false: this instance runs neither the evaluator nor the deliverer.
            assertFalse(plain.get("/metrics").body().contains("charger_status_incidents_open"));
            assertTrue(api.get("/metrics").body().contains("charger_status_incidents_open{kind=\"Offline\"}"));
            expect(
                    201,
                    plain.post(
                            "/api/v1/accounts",
                            new JsonObject().put("id", "ssrf").put("name", "s")));
            for (String url : List.of(
                    "http://127.0.0.1:8080/hook",
                    "http://localhost/hook",
                    "http://10.1.2.3/hook",
                    "http://169.254.169.254/latest/meta-data",
                    "http://[::1]/hook",
                    "http://192.168.0.10/hook")) {
                Api.Response r = plain.post("/api/v1/webhooks", webhook("ssrf", url));
                assertEquals(400, r.status(), url);
                assertTrue(r.body().contains("inside the network"), r.body());
            }
            assertEquals(
                    400,
                    plain.post("/api/v1/webhooks", webhook("ssrf", "ftp://example.com/x"))
                            .status());
            assertEquals(
                    400,
                    plain.post("/api/v1/webhooks", webhook("ssrf", "http://user:pw@example.com/"))
                            .status());
        }
        assertEquals(
                400,
                api.post(
                                "/api/v1/webhooks",
                                new JsonObject()
                                        .put("accountId", "ops")
                                        .put("url", "mailto:ops@example.com")
                                        .put("events", new JsonArray().add("status.changed")))
                        .status());
        assertEquals(
                400,
                api.post(
                                "/api/v1/webhooks",
                                webhook("ops", "http://127.0.0.1:1/").put("secret", "plain"))
                        .status());
        assertEquals(
                400,
                api.post(
                                "/api/v1/webhooks",
                                webhook("ops", "http://127.0.0.1:1/").put("events", new JsonArray().add("nope")))
                        .status());
        assertEquals(
                404,
                api.post("/api/v1/webhooks", webhook("nobody", "http://127.0.0.1:1/"))
                        .status());
        assertEquals(
                400,
                api.send("PUT", "/api/v1/accounts/ops/alerting", "{\"offlineAfterS\":-1}")
                        .status());
        assertEquals(404, api.get("/api/v1/incidents/inc_nope").status());
    }

    @Test
    @DisplayName("an open incident nobody acknowledged is sent again as incident.reminder until acknowledged; "
            + "an account token sees only its own incidents and subscriptions; a deleted subscription is gone")
    void remindersAndScoping() throws Exception {
        try (Receiver receiver = new Receiver()) {
            JsonObject hook = subscribe("remind", receiver, "incident.opened", "incident.reminder");
            String first = api.newCharger("RM", "remind", false, null);
            TestCharger cp = TestCharger.connect(service, first);
            cp.boot();
            cp.status(1, "Available");
            cp.close();
            Await.eventually(
                    () -> assertEquals(1, receiver.delivered("incident.opened").size()), 30);
            String id = receiver.delivered("incident.opened")
                    .get(0)
                    .json()
                    .getJsonObject("data")
                    .getString("id");
            Await.eventually(() -> assertTrue(reminders(receiver, id).size() >= 2, receiver.delivered.toString()), 30);
            assertEquals(
                    reminders(receiver, id).size(),
                    new LinkedHashSet<>(reminders(receiver, id)).size(),
                    "each reminder is a message of its own");
            expect(200, api.post("/api/v1/incidents/" + id + "/acknowledge", null));
            int reminded =
                    expect(200, api.get("/api/v1/incidents/" + id)).json().getInteger("reminders");
            // A second incident and two of its reminders: the acknowledged one, reminded every second before,
            // would have been reminded again meanwhile.
            String second = api.newCharger("RM", "remind", false, null);
            TestCharger other = TestCharger.connect(service, second);
            other.boot();
            other.status(1, "Available");
            other.close();
            Await.eventually(
                    () -> assertEquals(2, receiver.delivered("incident.opened").size()), 30);
            String secondId = receiver.delivered("incident.opened")
                    .get(1)
                    .json()
                    .getJsonObject("data")
                    .getString("id");
            Await.eventually(() -> assertTrue(reminders(receiver, secondId).size() >= 2), 30);
            assertEquals(
                    reminded,
                    expect(200, api.get("/api/v1/incidents/" + id)).json().getInteger("reminders"));

            String token = expect(201, api.post("/api/v1/accounts/remind/tokens", null))
                    .json()
                    .getString("token");
            Api scoped = service.api(token);
            JsonArray own = expect(200, scoped.get("/api/v1/incidents")).array();
            assertTrue(own.size() >= 2
                    && own.stream().allMatch(i -> "remind".equals(((JsonObject) i).getString("accountId"))));
            assertEquals(
                    0,
                    expect(200, scoped.get("/api/v1/incidents?state=resolved"))
                            .array()
                            .size(),
                    "both are still open");
            assertEquals(404, scoped.get("/api/v1/incidents?accountId=ops").status());
            assertEquals(404, scoped.get("/api/v1/accounts/ops/alerting").status());
            JsonObject opsHook = subscribe("ops", receiver, "incident.opened");
            assertEquals(
                    404,
                    scoped.get("/api/v1/webhooks/" + opsHook.getString("id") + "/deliveries")
                            .status());
            assertEquals(
                    404,
                    scoped.delete("/api/v1/webhooks/" + opsHook.getString("id")).status());
            assertEquals(1, expect(200, scoped.get("/api/v1/webhooks")).array().size());

            expect(204, scoped.delete("/api/v1/webhooks/" + hook.getString("id")));
            assertEquals(
                    404,
                    scoped.get("/api/v1/webhooks/" + hook.getString("id") + "/deliveries")
                            .status());
            expect(204, api.delete("/api/v1/webhooks/" + opsHook.getString("id")));
        }
    }

    @Test
    @DisplayName("decommissioning a charger resolves its open incident (incident.resolved is sent); none opens "
            + "for it afterwards")
    void decommissionedResolves() throws Exception {
        try (Receiver receiver = new Receiver()) {
            subscribe("decom", receiver, "incident.opened", "incident.resolved");
            String gone = offlineCharger("decom");
            awaitIncidents(receiver, "incident.opened", gone, 1);
            String id = about(receiver, "incident.opened", gone).get(0).getString("id");

            expect(204, api.delete("/api/v1/chargers/" + gone));
            awaitIncidents(receiver, "incident.resolved", gone, 1);
            JsonObject resolved =
                    expect(200, api.get("/api/v1/incidents/" + id)).json();
            assertEquals("resolved", resolved.getString("state"), resolved.encode());

            // A later charger's incident is evaluated after anything the decommissioned one could still cause.
            String later = offlineCharger("decom");
            awaitIncidents(receiver, "incident.opened", later, 1);
            assertEquals(1, about(receiver, "incident.opened", gone).size(), "nothing opened after it left");
            assertEquals(
                    1,
                    expect(200, api.get("/api/v1/incidents?accountId=decom&chargerId=" + gone))
                            .array()
                            .size());
        }
    }

    /** A new charger of the account that boots, reports, and loses its session: Offline from then on. */
    private static String offlineCharger(String account) throws Exception {
        String id = api.newCharger("DC", account, false, null);
        TestCharger cp = TestCharger.connect(service, id);
        cp.boot();
        cp.status(1, "Available");
        cp.close();
        return id;
    }

    private static void awaitIncidents(Receiver receiver, String type, String chargerId, int count)
            throws InterruptedException {
        Await.eventually(
                () -> assertEquals(count, about(receiver, type, chargerId).size()), 30);
    }

    /** The incidents of one charger delivered as messages of {@code type}. */
    private static List<JsonObject> about(Receiver receiver, String type, String chargerId) {
        return receiver.delivered(type).stream()
                .map(r -> r.json().getJsonObject("data"))
                .filter(i -> chargerId.equals(i.getString("chargerId")))
                .toList();
    }

    private static List<String> reminders(Receiver receiver, String incidentId) {
        return receiver.delivered("incident.reminder").stream()
                .filter(r -> incidentId.equals(r.json().getJsonObject("data").getString("id")))
                .map(Receiver.Request::id)
                .toList();
    }

    private static JsonObject webhook(String account, String url) {
        return new JsonObject()
                .put("accountId", account)
                .put("url", url)
                .put("events", new JsonArray().add("incident.opened"));
    }

    private static JsonObject subscribe(String account, Receiver receiver, String... events) {
        JsonArray list = new JsonArray();
        for (String e : events) {
            list.add(e);
        }
        return expect(
                        201,
                        api.post(
                                "/api/v1/webhooks",
                                new JsonObject()
                                        .put("accountId", account)
                                        .put("url", receiver.url())
                                        .put("events", list)
                                        .put("secret", SECRET)))
                .json();
    }

    /** The seqs of the status.changed messages delivered, first delivery of each, in delivery order. */
    private static List<Long> statusSeqs(Receiver receiver) {
        Set<String> ids = new LinkedHashSet<>();
        List<Long> seqs = new ArrayList<>();
        for (Receiver.Request r : receiver.delivered("status.changed")) {
            long seq = r.json().getJsonObject("data").getLong("seq");
            assertEquals("msg_status_" + seq, r.id(), "the same webhook-id for the same change");
            if (ids.add(r.id())) {
                seqs.add(seq);
            }
        }
        return seqs;
    }

    /**
     * Each status.changed message about the charger says what its history says of that seq, to the microsecond,
     * whether it was sent from the changes published lately or read from the history.
     */
    private static void assertAsInHistory(Receiver receiver, String chargerId) {
        Map<Long, JsonObject> history = new HashMap<>();
        expect(200, api.get("/api/v1/chargers/" + chargerId + "/history?limit=1000"))
                .array()
                .forEach(e -> history.put(((JsonObject) e).getLong("seq"), (JsonObject) e));
        for (Receiver.Request r : receiver.delivered("status.changed")) {
            JsonObject message = r.json();
            JsonObject data = message.getJsonObject("data");
            if (chargerId.equals(data.getString("chargerId"))) {
                assertEquals(history.get(data.getLong("seq")), data);
                assertEquals(data.getString("receivedAt"), message.getString("timestamp"));
            }
        }
    }

    private static void assertIncreasing(List<Long> seqs) {
        for (int i = 1; i < seqs.size(); i++) {
            assertTrue(seqs.get(i) > seqs.get(i - 1), seqs.toString());
        }
    }

    private static JsonObject mail(String subject) {
        for (String line : MAILS) {
            JsonObject m = new JsonObject(line);
            if (m.getString("data").contains("Subject: [charger-status] " + subject)) {
                return m;
            }
        }
        return null;
    }

    private static boolean npmInstalled() throws InterruptedException {
        try {
            if (Files.isDirectory(NODE.resolve("node_modules").resolve("standardwebhooks"))
                    && Files.isDirectory(NODE.resolve("node_modules").resolve("smtp-server"))) {
                return true;
            }
            Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
                    .directory(NODE.toFile())
                    .inheritIO()
                    .start();
            return npm.waitFor(300, TimeUnit.SECONDS) && npm.exitValue() == 0;
        } catch (IOException notInstalled) {
            return false;
        }
    }
}
