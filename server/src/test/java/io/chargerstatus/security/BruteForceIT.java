package io.chargerstatus.security;

import static io.chargerstatus.testkit.Api.expect;
import static io.chargerstatus.testkit.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chargerstatus.infra.Passwords;
import io.chargerstatus.testkit.Api;
import io.chargerstatus.testkit.MutableClock;
import io.chargerstatus.testkit.TestCharger;
import io.chargerstatus.testkit.TestDatabase;
import io.chargerstatus.testkit.TestService;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Password guessing on charger upgrades (security profile 1) costs the guesser, not the other chargers. */
@Tag("fault")
@DisplayName("A charger password brute force: backoff per charger id, no hashing while blocked, others unaffected")
class BruteForceIT {
    private static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-11-26T12:00:00Z"));
    private static TestService service;
    private static Api api;

    @BeforeAll
    static void start() {
        service = TestService.start(TestDatabase.fresh(), Map.of(), CLOCK);
        api = service.api();
        api.charger("guarded", "bystander");
        expect(
                201,
                api.post(
                        "/api/v1/chargers",
                        new JsonObject()
                                .put("id", "target")
                                .put("accountId", "guarded")
                                .put("password", "right-password-1")));
    }

    @AfterAll
    static void stop() throws Exception {
        service.close();
    }

    @Test
    @DisplayName(
            "after five wrong passwords the id is blocked (429, no hash run) until its backoff ends; the right password then works")
    void backoff() {
        for (int i = 0; i < 6; i++) {
            assertEquals(
                    401, TestCharger.upgradeStatus(service, "target", basic("target", "guess-" + i)), "guess " + i);
        }
        for (int i = 0; i < 20; i++) {
            assertEquals(429, TestCharger.upgradeStatus(service, "target", basic("target", "guess-more-" + i)));
        }
        assertEquals(
                429,
                TestCharger.upgradeStatus(service, "target", basic("target", "right-password-1")),
                "blocked is blocked, whatever the password");
        TestCharger bystander = TestCharger.connect(service, "bystander");
        bystander.boot();
        bystander.status(1, "Charging");
        assertEquals("Charging", api.chargerRow("bystander").getString("status"));
        bystander.close();
        assertTrue(
                api.get("/metrics").body().contains("charger_status_ocpp_auth_lockouts_total 21.0"),
                "blocked attempts are counted");

        CLOCK.set(CLOCK.instant().plusSeconds(2));
        assertEquals(101, TestCharger.upgradeStatus(service, "target", basic("target", "right-password-1")));
    }

    @Test
    @DisplayName("a password stored with fewer iterations is re-hashed at the configured cost on its next success")
    void rehash() throws Exception {
        String old = Passwords.hash("legacy-password", 20_000);
        api.charger("guarded", "legacy");
        TestDatabase.sql(service.pgUrl, "UPDATE chargers SET password_hash = '" + old + "' WHERE id = 'legacy'");
        assertEquals(101, TestCharger.upgradeStatus(service, "legacy", basic("legacy", "legacy-password")));
        eventually(() -> assertEquals(
                service.service.config().ocpp().passwordIterations(),
                Passwords.iterations(
                        TestDatabase.sql(service.pgUrl, "SELECT password_hash FROM chargers WHERE id = 'legacy'"))));
        assertEquals(101, TestCharger.upgradeStatus(service, "legacy", basic("legacy", "legacy-password")));
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes());
    }
}
