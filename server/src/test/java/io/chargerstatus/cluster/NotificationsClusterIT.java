package io.chargerstatus.cluster;

import static io.chargerstatus.testkit.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chargerstatus.testkit.Api;
import io.chargerstatus.testkit.Receiver;
import io.chargerstatus.testkit.Reporter;
import io.chargerstatus.testkit.ServiceProcess;
import io.chargerstatus.testkit.TestCharger;
import io.chargerstatus.testkit.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The delivering instance of a two-instance cluster SIGKILLed while it streams status.changed to a receiver
 * and while chargers' incidents are pending: the survivor takes the subscription and the evaluation over;
 * every change reaches the receiver (duplicates only with the same webhook-id), first deliveries in seq order,
 * and each incident is opened once.
 */
@Tag("cluster")
@DisplayName("Notifications in a cluster: the delivering instance killed")
class NotificationsClusterIT {

    @Test
    @DisplayName("SIGKILL of the instance delivering: nothing owed is lost, order kept, incidents not doubled")
    void deliveringInstanceKilled() throws Exception {
        String pgUrl = TestDatabase.fresh();
        List<ServiceProcess> processes = new ArrayList<>();
        List<Reporter> reporters = new ArrayList<>();
        try (Receiver receiver = new Receiver()) {
            processes.addAll(ServiceProcess.cluster(
                    pgUrl,
                    "notify",
                    2,
                    Map.of(
                            "OFFLINE_AFTER_S", "15",
                            "WEBHOOK_ALLOW_PRIVATE", "true",
                            "WEBHOOK_LEASE_S", "3",
                            // Cursors written once a second: a kill leaves delivered messages unrecorded, to be sent
                            // again by the survivor.
                            "WEBHOOK_FLUSH_MS", "1000",
                            "WEBHOOK_RETRY_BASE_MS", "100",
                            "INCIDENT_LEASE_S", "3",
                            "INCIDENT_TICK_MS", "200")));
            Api api = processes.get(0).view().api();
            for (int i = 0; i < 2; i++) {
                for (int k = 0; k < 2; k++) {
                    String id = "NK-" + i + "-" + k;
                    api.charger("kill", id);
                    TestCharger cp = TestCharger.connect(processes.get(i).view(), id);
                    cp.boot();
                    reporters.add(new Reporter(cp));
                }
            }
            Api.expect(
                    200,
                    api.send(
                            "PUT",
                            "/api/v1/accounts/kill/alerting",
                            new JsonObject()
                                    .put("offlineAfterS", 1)
                                    .put("resolveAfterS", 1)
                                    .put("flapping", new JsonObject().put("entries", 50))
                                    .put("siteOffline", new JsonObject().put("min", 1000))
                                    .encode()));
            // A subscription is owed what happens from its creation on.
            long from = Long.parseLong(TestDatabase.sql(pgUrl, "SELECT last_seq FROM event_counter"));
            Api.expect(
                    201,
                    api.post(
                            "/api/v1/webhooks",
                            new JsonObject()
                                    .put("accountId", "kill")
                                    .put("url", receiver.url())
                                    .put(
                                            "events",
                                            new JsonArray()
                                                    .add("status.changed")
                                                    .add("incident.opened"))));
            reporters.forEach(Thread::start);
            eventually(() -> assertTrue(receiver.delivered("status.changed").size() >= 50), 60);

            int delivering = sent(processes.get(0).view().api()) > 0 ? 0 : 1;
            assertTrue(sent(processes.get(delivering).view().api()) > 0, "one instance delivers");
            processes.get(delivering).kill();
            for (Reporter r : reporters) {
                r.running.set(false);
            }
            ServiceProcess survivor = processes.get(1 - delivering);
            Api alive = survivor.view().api();
            // The killed instance's chargers are recorded Offline by the survivor, and make incidents.
            for (int k = 0; k < 2; k++) {
                String id = "NK-" + delivering + "-" + k;
                eventually(() -> assertEquals("Offline", alive.chargerRow(id).getString("status")), 60);
            }
            for (Reporter r : reporters) {
                r.join();
            }
            // Read again at each look: the survivor still records changes (the killed instance's chargers Offline).
            eventually(() -> assertEquals(history(pgUrl, from), firstDeliveries(receiver)), 90);

            // One Offline incident per killed charger, delivered (perhaps twice, then with the same id).
            eventually(
                    () -> {
                        Set<String> opened = new LinkedHashSet<>();
                        for (Receiver.Request r : receiver.delivered("incident.opened")) {
                            opened.add(r.json().getJsonObject("data").getString("chargerId"));
                        }
                        assertTrue(
                                opened.containsAll(List.of("NK-" + delivering + "-0", "NK-" + delivering + "-1")),
                                opened.toString());
                    },
                    60);
            for (int k = 0; k < 2; k++) {
                JsonArray incidents = Api.expect(
                                200, alive.get("/api/v1/incidents?chargerId=NK-" + delivering + "-" + k))
                        .array();
                assertEquals(1, incidents.size(), incidents.encode());
            }
            Map<String, String> idPerIncident = new HashMap<>();
            for (Receiver.Request r : receiver.delivered("incident.opened")) {
                String incident = r.json().getJsonObject("data").getString("id");
                String was = idPerIncident.putIfAbsent(incident, r.id());
                assertTrue(was == null || was.equals(r.id()), "a repeat has the same webhook-id");
            }
        } finally {
            for (Reporter r : reporters) {
                r.running.set(false);
            }
            for (ServiceProcess p : processes) {
                p.close();
            }
        }
    }

    private static List<Long> history(String pgUrl, long after) {
        List<Long> seqs = new ArrayList<>();
        Arrays.stream(TestDatabase.sql(
                                pgUrl,
                                "SELECT string_agg(seq::text, ',' ORDER BY seq) FROM status_events"
                                        + " WHERE applied AND account_id = 'kill' AND seq > " + after)
                        .split(","))
                .forEach(s -> seqs.add(Long.parseLong(s)));
        return seqs;
    }

    /** The seqs of status.changed deliveries, each the first time it came, in the order they came. */
    private static List<Long> firstDeliveries(Receiver receiver) {
        Set<String> ids = new LinkedHashSet<>();
        List<Long> seqs = new ArrayList<>();
        for (Receiver.Request r : receiver.delivered("status.changed")) {
            long seq = r.json().getJsonObject("data").getLong("seq");
            assertEquals("msg_status_" + seq, r.id());
            if (ids.add(r.id())) {
                seqs.add(seq);
            }
        }
        return seqs;
    }

    private static double sent(Api api) {
        for (String line : api.get("/metrics").body().split("\n")) {
            if (line.startsWith("charger_status_notifications_sent_total{") && line.contains("channel=\"webhook\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return -1;
    }
}
