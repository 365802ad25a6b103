package io.chargerstatus.roaming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.networknt.schema.JsonSchema;
import io.chargerstatus.infra.Schemas;
import io.chargerstatus.status.ChargerPorts;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The OCPI objects against the specification's field definitions (src/test/resources/ocpi, written from
 * OCPI 2.2.1 mod_locations), the contract's status mapping, and the credentials token header.
 */
@DisplayName("OCPI 2.2.1 Locations, statuses and tokens")
class LocationsTest {
    private static final JsonSchema LOCATION = Schemas.load("ocpi/location.schema.json");
    private static final Locations.Cpo CPO = new Locations.Cpo("NL", "CSX");
    private static final Instant T = Instant.parse("2026-12-01T10:15:30.250Z");

    private static Locations.Site site(String id, Object hours) {
        return new Locations.Site(
                id,
                "Depot",
                "Main street 1",
                "Utrecht",
                "3511AB",
                "NLD",
                "52.09074",
                "5.12142",
                "Europe/Amsterdam",
                hours,
                T);
    }

    private static Locations.Port port(String charger, int n, String status, Instant since) {
        return new Locations.Port(
                charger, n, null, "IEC_62196_T2", "SOCKET", "AC_3_PHASE", 400, 32, 22_000, T, status, since);
    }

    private static void valid(JsonObject location) {
        Set<?> errors = Schemas.check(LOCATION, location);
        assertTrue(errors.isEmpty(), errors + " in " + location.encodePrettily());
    }

    @Test
    @DisplayName("a site with ports is a Location that meets the specification's field definitions")
    void location() {
        JsonObject l = Locations.location(
                CPO,
                site("depot", null),
                List.of(port("CP-1", 1, "AVAILABLE", T.plusSeconds(60)), port("CP-1", 2, "CHARGING", null)));
        valid(l);
        assertEquals("depot", l.getString("id"));
        assertEquals(true, l.getJsonObject("opening_times").getBoolean("twentyfourseven"));
        JsonArray evses = l.getJsonArray("evses");
        assertEquals("CP-1-1", evses.getJsonObject(0).getString("uid"));
        assertEquals("NL*CSX*ECP1*1", evses.getJsonObject(0).getString("evse_id"));
        assertEquals("2026-12-01T10:16:30.250Z", evses.getJsonObject(0).getString("last_updated"), "its status change");
        assertEquals("2026-12-01T10:16:30.250Z", l.getString("last_updated"), "its newest EVSE");
        assertEquals(
                22_000,
                evses.getJsonObject(1)
                        .getJsonArray("connectors")
                        .getJsonObject(0)
                        .getInteger("max_electric_power"));
    }

    @Test
    @DisplayName("long ids become stable 36-character digests; an eMI3 id that would exceed 48 is left out")
    void longIds() {
        String longSite = "a-site-id-that-is-much-longer-than-thirty-six-characters";
        String longCharger = "CHARGER-WITH-AN-ID-FAR-LONGER-THAN-ANY-EVSE-ID-MAY-BE";
        JsonObject l = Locations.location(CPO, site(longSite, null), List.of(port(longCharger, 1, "UNKNOWN", null)));
        valid(l);
        assertEquals(36, l.getString("id").length());
        assertEquals(Locations.locationId(longSite), l.getString("id"), "stable");
        JsonObject evse = l.getJsonArray("evses").getJsonObject(0);
        assertEquals(36, evse.getString("uid").length());
        assertNull(evse.getString("evse_id"));
    }

    @Test
    @DisplayName("opening hours become OCPI regular hours (1 = Monday, 24:00 -> 23:59)")
    void hours() {
        JsonObject hours = new JsonObject()
                .put("MON", new JsonArray().add(new JsonArray().add("06:00").add("22:00")))
                .put("SUN", new JsonArray().add(new JsonArray().add("08:00").add("24:00")));
        JsonObject l = Locations.location(CPO, site("depot", hours), List.of());
        valid(l);
        JsonObject times = l.getJsonObject("opening_times");
        assertEquals(false, times.getBoolean("twentyfourseven"));
        assertEquals(
                new JsonArray()
                        .add(new JsonObject()
                                .put("weekday", 1)
                                .put("period_begin", "06:00")
                                .put("period_end", "22:00"))
                        .add(new JsonObject()
                                .put("weekday", 7)
                                .put("period_begin", "08:00")
                                .put("period_end", "23:59")),
                times.getJsonArray("regular_hours"));
    }

    @Test
    @DisplayName("a site without an address or coordinates is not published; nor is a port without its data")
    void unpublishable() {
        Locations.Site bare = new Locations.Site("s", null, null, null, null, null, null, null, "UTC", null, T);
        assertNull(Locations.location(CPO, bare, List.of()));
        Locations.Port noData =
                new Locations.Port("CP-9", 1, null, null, null, null, null, null, null, T, "AVAILABLE", null);
        JsonObject l = Locations.location(CPO, site("depot", null), List.of(noData));
        valid(l);
        assertEquals(0, l.getJsonArray("evses").size());
    }

    @ParameterizedTest(name = "{0} ({1}) -> {2}")
    @DisplayName("the contract's status mapping; BLOCKED never")
    @CsvSource({
        "Available,Available,AVAILABLE",
        "Preparing,Preparing,CHARGING",
        "Charging,Charging,CHARGING",
        "Finishing,Finishing,CHARGING",
        "Completed,SuspendedEV,CHARGING",
        "Paused,SuspendedEVSE,CHARGING",
        "Faulted,Faulted,OUTOFORDER",
        "Unavailable,Reserved,RESERVED",
        "Unavailable,Unavailable,INOPERATIVE",
        "Offline,,UNKNOWN"
    })
    void mapping(String status, String ocpp, String ocpi) {
        assertEquals(ocpi, OcpiStatus.of(status, ocpp));
    }

    @Test
    @DisplayName("charger-level states hold for every port: never had a session, Offline, firmware, connector 0")
    void chargerLevel() {
        ChargerPorts c = new ChargerPorts();
        assertEquals("PLANNED", OcpiStatus.of(c, 1), "never had a session");
        c.apply("Available", 1, "Available", "Available", null);
        c.apply("Charging", 2, "Charging", "Charging", null);
        assertEquals("AVAILABLE", OcpiStatus.of(c, 1));
        assertEquals("CHARGING", OcpiStatus.of(c, 2));
        assertEquals("UNKNOWN", OcpiStatus.of(c, 3), "commissioned, not reported yet");
        c.apply("Unavailable", null, null, null, null); // a firmware update: a charger-level fact
        assertEquals("INOPERATIVE", OcpiStatus.of(c, 1));
        assertEquals("INOPERATIVE", OcpiStatus.of(c, 2));
        c.apply("Faulted", 0, "Faulted", "Faulted", "PowerMeterFailure");
        assertEquals("OUTOFORDER", OcpiStatus.of(c, 1));
        c.apply("Charging", 0, "Available", "Available", null);
        assertEquals("CHARGING", OcpiStatus.of(c, 2));
        c.apply("Offline", null, null, null, null);
        assertEquals("UNKNOWN", OcpiStatus.of(c, 1));
        assertEquals("UNKNOWN", OcpiStatus.of(c, 2));
    }

    @Test
    @DisplayName("credentials tokens: Base64 as 2.2.1 asks (the specification's own example), plain as 2.1.1 sent it")
    void tokens() {
        assertEquals("example-token", OcpiTokens.of("Token ZXhhbXBsZS10b2tlbgo="));
        assertEquals("abc-123", OcpiTokens.of(OcpiTokens.header("abc-123")));
        assertEquals("plain token!", OcpiTokens.of("Token plain token!"));
        assertEquals("not_base64*", OcpiTokens.of("Token not_base64*"));
        assertNull(OcpiTokens.of("Bearer abc"));
        assertNull(OcpiTokens.of(null));
        assertNull(OcpiTokens.of("Token "));
        String encoded = Base64.getEncoder().encodeToString("tok".getBytes(StandardCharsets.UTF_8));
        assertEquals("Token " + encoded, OcpiTokens.header("tok"));
    }
}
