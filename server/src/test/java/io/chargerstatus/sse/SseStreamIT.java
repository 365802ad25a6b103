package io.chargerstatus.sse;

import static io.chargerstatus.testkit.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chargerstatus.testkit.Api;
import io.chargerstatus.testkit.SseClient;
import io.chargerstatus.testkit.TestCharger;
import io.chargerstatus.testkit.TestService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The SSE stream: resumable, filtered by account, kept alive")
class SseStreamIT {
    private static TestService service;
    private static Api api;

    @BeforeAll
    static void start() {
        service = TestService.start(Map.of("SSE_PING_S", "1"));
        api = service.api();
    }

    @AfterAll
    static void stop() throws Exception {
        service.close();
    }

    private static final String[] CYCLE = {"Preparing", "Charging", "SuspendedEV", "Finishing", "Available"};

    @Test
    @DisplayName("a client resuming with Last-Event-ID while changes go on gets every event once, in order")
    void resumeWithoutGapOrDuplicate() throws Exception {
        String account = "acct-" + UUID.randomUUID().toString().substring(0, 8);
        String id = "CP-" + UUID.randomUUID().toString().substring(0, 8);
        api.charger(account, id);
        TestCharger cp = TestCharger.connect(service, id);
        cp.boot();
        int changes = 60;
        List<Long> first = new ArrayList<>();
        List<JsonObject> live = new ArrayList<>();
        SseClient a = SseClient.open(service, TestService.ADMIN, "?accountId=" + account, null);
        CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < changes; i++) {
                cp.status(1 + i % 2, CYCLE[i % CYCLE.length]);
            }
        });
        for (int i = 0; i < 15; i++) {
            JsonObject e = a.next(30_000);
            assertNotNull(e);
            first.add(e.getLong("seq"));
            live.add(e);
        }
        a.close();
        long resumeAfter = first.get(first.size() - 1);
        List<Long> second = new ArrayList<>();
        try (SseClient b = SseClient.open(service, TestService.ADMIN, "?accountId=" + account, resumeAfter)) {
            producer.get(30, TimeUnit.SECONDS);
            JsonObject e;
            while ((e = b.next(1500)) != null) {
                second.add(e.getLong("seq"));
            }
        }
        JsonArray history = expect(200, api.get("/api/v1/chargers/" + id + "/history?limit=1000"))
                .array();
        List<Long> all = new ArrayList<>();
        for (int i = history.size() - 1; i >= 0; i--) {
            all.add(history.getJsonObject(i).getLong("seq"));
        }
        List<Long> expectedAfter = all.subList(all.indexOf(resumeAfter) + 1, all.size());
        assertEquals(expectedAfter, second, "resumed stream = history after the last id seen, no gap, no duplicate");
        assertTrue(first.size() + second.size() >= changes / 2, "the walk produced events");
        // A live event is the same as the history's (instants in whole microseconds, as stored): a resumed
        // client or a webhook message sent again says what the live stream said.
        Map<Long, JsonObject> stored = new HashMap<>();
        history.forEach(h -> stored.put(((JsonObject) h).getLong("seq"), (JsonObject) h));
        live.forEach(e -> assertEquals(stored.get(e.getLong("seq")), e));
        cp.close();
    }

    @Test
    @DisplayName("?lastEventId= replays like the header; other accounts' events are not streamed")
    void queryParameterAndAccountFilter() throws Exception {
        String mine = "acct-" + UUID.randomUUID().toString().substring(0, 8);
        String other = "acct-" + UUID.randomUUID().toString().substring(0, 8);
        String cpMine = "CP-" + UUID.randomUUID().toString().substring(0, 8);
        String cpOther = "CP-" + UUID.randomUUID().toString().substring(0, 8);
        api.charger(mine, cpMine);
        api.charger(other, cpOther);
        TestCharger a = TestCharger.connect(service, cpMine);
        TestCharger b = TestCharger.connect(service, cpOther);
        a.boot();
        b.boot();
        a.status(1, "Charging");
        b.status(1, "Faulted", "GroundFailure", null, Instant.now());
        try (SseClient sse =
                SseClient.open(service, TestService.ADMIN, "?accountId=" + mine + "&lastEventId=0", null)) {
            JsonObject e1 = sse.next(3000);
            JsonObject e2 = sse.next(3000);
            assertEquals("Available", e1.getString("status"));
            assertEquals("Charging", e2.getString("status"));
            assertTrue(e2.getLong("seq") > e1.getLong("seq"));
            assertNull(sse.next(500), "nothing of the other account");
        }
        a.close();
        b.close();
    }

    @Test
    @DisplayName("a ': ping' comment keeps the stream alive")
    void ping() throws Exception {
        try (SseClient sse = SseClient.open(service, TestService.ADMIN, null, null)) {
            String comment;
            do {
                comment = sse.comments.poll(3, TimeUnit.SECONDS);
                assertNotNull(comment, "a comment within the ping interval");
            } while (!comment.equals("ping"));
        }
    }

    @Test
    @DisplayName("the stream needs a token (header or ?access_token=) and a valid Last-Event-ID")
    void refusals() {
        assertEquals(401, SseClient.open(service, null, null, null).status);
        assertEquals(401, SseClient.open(service, "wrong", null, null).status);
        try (SseClient ok = SseClient.open(service, null, "?access_token=" + TestService.ADMIN, null)) {
            assertEquals(200, ok.status);
        }
        assertEquals(400, SseClient.open(service, TestService.ADMIN, "?lastEventId=abc", null).status);
        assertEquals(404, SseClient.open(service, TestService.ADMIN, "?accountId=no-such-account", null).status);
    }
}
