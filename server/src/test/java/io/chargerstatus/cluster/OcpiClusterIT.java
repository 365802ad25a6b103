package io.chargerstatus.cluster;

import static io.chargerstatus.testkit.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chargerstatus.roaming.OcpiStatus;
import io.chargerstatus.status.ChargerPorts;
import io.chargerstatus.testkit.Api;
import io.chargerstatus.testkit.OcpiPartner;
import io.chargerstatus.testkit.Reporter;
import io.chargerstatus.testkit.ServiceProcess;
import io.chargerstatus.testkit.TestCharger;
import io.chargerstatus.testkit.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The instance pushing to a roaming partner SIGKILLed while chargers keep changing: the survivor takes the
 * partner's subscription over at its last written cursor; every OCPI status change of the history reaches the
 * partner (a repeat only with the same message id), in order per EVSE.
 */
@Tag("cluster")
@DisplayName("OCPI live push in a cluster: the pushing instance killed")
class OcpiClusterIT {

    @Test
    @DisplayName("SIGKILL of the instance pushing: no change lost, order per EVSE kept")
    void pushingInstanceKilled() throws Exception {
        String pgUrl = TestDatabase.fresh();
        List<ServiceProcess> processes = new ArrayList<>();
        List<Reporter> reporters = new ArrayList<>();
        try (OcpiPartner partner = new OcpiPartner("DE", "EMP")) {
            processes.addAll(ServiceProcess.cluster(
                    pgUrl,
                    "ocpi",
                    2,
                    Map.of(
                            "OFFLINE_AFTER_S", "15",
                            "WEBHOOK_ALLOW_PRIVATE", "true",
                            "WEBHOOK_LEASE_S", "3",
                            // Cursors written once a second: a kill leaves pushed changes unrecorded, to be pushed
                            // again.
                            "WEBHOOK_FLUSH_MS", "1000",
                            "WEBHOOK_RETRY_BASE_MS", "100")));
            Api api = processes.get(0).view().api();
            Api.expect(
                    201,
                    api.post(
                            "/api/v1/accounts",
                            new JsonObject().put("id", "okill").put("name", "Kill")));
            Api.expect(
                    201,
                    api.post(
                            "/api/v1/sites",
                            new JsonObject()
                                    .put("id", "yard")
                                    .put("accountId", "okill")
                                    .put("timezone", "UTC")
                                    .put("address", "Yard 1")
                                    .put("city", "Delft")
                                    .put("country", "NLD")
                                    .put(
                                            "coordinates",
                                            new JsonObject()
                                                    .put("latitude", "52.01158")
                                                    .put("longitude", "4.35706"))));
            Api.expect(
                    200,
                    api.send(
                            "PUT",
                            "/api/v1/accounts/okill/ocpi",
                            new JsonObject()
                                    .put("countryCode", "NL")
                                    .put("partyId", "KIL")
                                    .encode()));
            List<String> chargers = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                for (int k = 0; k < 2; k++) {
                    String id = "OK-" + i + "-" + k;
                    chargers.add(id);
                    Api.expect(
                            201,
                            api.post(
                                    "/api/v1/chargers",
                                    new JsonObject()
                                            .put("id", id)
                                            .put("accountId", "okill")
                                            .put("siteId", "yard")
                                            .put("secured", false)));
                    Api.expect(
                            200,
                            api.send(
                                    "PUT",
                                    "/api/v1/chargers/" + id + "/connectors/1",
                                    new JsonObject()
                                            .put("standard", "IEC_62196_T2")
                                            .put("format", "SOCKET")
                                            .put("powerType", "AC_3_PHASE")
                                            .put("maxVoltage", 400)
                                            .put("maxAmperage", 32)
                                            .encode()));
                }
            }
            // The partner registers before any charger has a session: every change is owed to it.
            String tokenA = Api.expect(
                            201,
                            api.post(
                                    "/api/v1/ocpi/parties",
                                    new JsonObject().put("accountId", "okill").put("name", "eMSP")))
                    .json()
                    .getString("tokenA");
            HttpResponse<String> registered = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + processes.get(0).httpPort
                                            + "/ocpi/2.2.1/credentials"))
                                    .header(
                                            "Authorization",
                                            "Token "
                                                    + Base64.getEncoder()
                                                            .encodeToString(tokenA.getBytes(StandardCharsets.UTF_8)))
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(
                                            partner.credentials("b-token").encode()))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(200, registered.statusCode(), registered.body());
            long from = Long.parseLong(TestDatabase.sql(pgUrl, "SELECT last_seq FROM event_counter"));

            for (int i = 0; i < 2; i++) {
                for (int k = 0; k < 2; k++) {
                    TestCharger cp = TestCharger.connect(processes.get(i).view(), "OK-" + i + "-" + k);
                    cp.boot();
                    reporters.add(new Reporter(cp, "Available", "Preparing"));
                }
            }
            reporters.forEach(Thread::start);
            eventually(() -> assertTrue(partner.delivered.size() >= 60), 60);

            int pushing = sent(processes.get(0).view().api()) > 0 ? 0 : 1;
            assertTrue(sent(processes.get(pushing).view().api()) > 0, "one instance pushes");
            processes.get(pushing).kill();
            for (Reporter r : reporters) {
                r.running.set(false);
            }
            for (Reporter r : reporters) {
                r.join();
            }
            ServiceProcess survivor = processes.get(1 - pushing);
            Api alive = survivor.view().api();
            for (int k = 0; k < 2; k++) {
                String id = "OK-" + pushing + "-" + k;
                eventually(() -> assertEquals("Offline", alive.chargerRow(id).getString("status")), 60);
            }
            // Read again at each look: the survivor still records changes (the killed instance's chargers Offline).
            for (String id : chargers) {
                eventually(() -> assertEquals(expected(pgUrl, from, id), firstDelivered(partner, id + "-1")), 90);
            }
            assertTrue(partner.problems.isEmpty(), partner.problems.toString());
            // A repeat carries the same message id and the same body.
            Map<String, JsonObject> bodies = new HashMap<>();
            for (OcpiPartner.Push p : partner.delivered) {
                JsonObject was = bodies.putIfAbsent(p.messageId(), p.body());
                assertTrue(was == null || was.equals(p.body()), "a repeat is the same message");
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

    /** The message ids the history owes for a charger's port 1: one per change of its OCPI status. */
    private static List<String> expected(String pgUrl, long after, String chargerId) {
        String rows = TestDatabase.sql(
                pgUrl,
                "SELECT string_agg(concat_ws('|', seq, status, coalesce(connector_id::text, ''),"
                        + " coalesce(connector_status, ''), coalesce(ocpp_status, '')), ';' ORDER BY seq)"
                        + " FROM status_events WHERE applied AND charger_id = '" + chargerId + "' AND seq > " + after);
        ChargerPorts state = new ChargerPorts();
        String last = "PLANNED";
        List<String> ids = new ArrayList<>();
        for (String row : rows.split(";")) {
            String[] f = row.split("\\|", -1);
            state.apply(
                    f[1],
                    f[2].isEmpty() ? null : Integer.valueOf(f[2]),
                    f[3].isEmpty() ? null : f[3],
                    f[4].isEmpty() ? null : f[4],
                    null);
            String status = OcpiStatus.of(state, 1);
            if (!status.equals(last)) {
                ids.add("msg_ocpi_" + f[0] + "_1");
                last = status;
            }
        }
        return ids;
    }

    /** The message ids of an EVSE's PATCHes, each the first time it came, in the order they came. */
    private static List<String> firstDelivered(OcpiPartner partner, String evse) {
        Set<String> ids = new LinkedHashSet<>();
        for (OcpiPartner.Push p : partner.delivered) {
            if (p.method().equals("PATCH") && evse.equals(p.evse())) {
                ids.add(p.messageId());
            }
        }
        return new ArrayList<>(ids);
    }

    private static double sent(Api api) {
        for (String line : api.get("/metrics").body().split("\n")) {
            if (line.startsWith("charger_status_notifications_sent_total{") && line.contains("channel=\"ocpi\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return -1;
    }
}
