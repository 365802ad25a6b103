package io.chargerstatus.roaming;

import io.chargerstatus.uptime.OpeningHours;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * OCPI 2.2.1 Location, EVSE and Connector objects (mod_locations) from a site and its ports. Pure; checked
 * against the specification's field definitions in LocationsTest. A site is published only with its address,
 * city, country and coordinates; a port only with its connector's standard, format, power type, voltage and
 * amperage (the fields OCPI requires); what cannot be published is left out, never sent half-filled.
 */
public final class Locations {
    /** OCPI's CiString(36) for a location id or an EVSE uid. */
    static final int ID_MAX = 36;

    private Locations() {}

    /** The CPO an account publishes as. */
    public record Cpo(String countryCode, String partyId) {}

    /** A site's location data. */
    public record Site(
            String id,
            String name,
            String address,
            String city,
            String postalCode,
            String country,
            String latitude,
            String longitude,
            String timezone,
            Object openingHours,
            Instant updatedAt) {
        boolean publishable() {
            return address != null && city != null && country != null && latitude != null && longitude != null;
        }
    }

    /** A port: its static EVSE data (null standard: none given) and its status now. */
    public record Port(
            String chargerId,
            int connectorId,
            String evseId,
            String standard,
            String format,
            String powerType,
            Integer maxVoltage,
            Integer maxAmperage,
            Integer maxElectricPower,
            Instant staticUpdatedAt,
            String status,
            Instant statusSince) {
        boolean publishable() {
            return standard != null && format != null && powerType != null && maxVoltage != null && maxAmperage != null;
        }
    }

    /** The location id of a site: its id when it fits OCPI's 36 characters, else a stable digest of it. */
    public static String locationId(String siteId) {
        return fit(siteId);
    }

    /** An EVSE's uid: {@code <charger>-<port>}, or a stable digest of it when that is longer than 36. */
    public static String evseUid(String chargerId, int connectorId) {
        return fit(chargerId + "-" + connectorId);
    }

    private static String fit(String id) {
        if (id.length() <= ID_MAX) {
            return id;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, ID_MAX);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The EVSE id as set, else one in eMI3 form ({@code <country>*<party>*E<charger><port>}, the charger id's
     * letters and digits upper-cased) when that fits 48 characters, else none (the field is optional).
     */
    static String evseId(Cpo cpo, Port port) {
        if (port.evseId() != null) {
            return port.evseId();
        }
        String local = port.chargerId().toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9]", "");
        String id = cpo.countryCode() + "*" + cpo.partyId() + "*E" + local + "*" + port.connectorId();
        return local.isEmpty() || id.length() > 48 ? null : id;
    }

    /**
     * OCPI's DateTime: UTC, to the millisecond (OCPI allows fractional seconds; two changes of one EVSE within a
     * second keep distinct, ordered times), at most 24 characters of the 25 allowed.
     */
    public static String time(Instant at) {
        return at.truncatedTo(ChronoUnit.MILLIS).toString();
    }

    public static Instant lastUpdated(Port port) {
        Instant s = port.staticUpdatedAt();
        Instant t = port.statusSince();
        return t == null || t.isBefore(s) ? s : t;
    }

    public static JsonObject connector(Port port) {
        JsonObject c = new JsonObject()
                .put("id", "1")
                .put("standard", port.standard())
                .put("format", port.format())
                .put("power_type", port.powerType())
                .put("max_voltage", port.maxVoltage())
                .put("max_amperage", port.maxAmperage());
        if (port.maxElectricPower() != null) {
            c.put("max_electric_power", port.maxElectricPower());
        }
        return c.put("last_updated", time(port.staticUpdatedAt()));
    }

    public static JsonObject evse(Cpo cpo, Port port) {
        JsonObject e = new JsonObject().put("uid", evseUid(port.chargerId(), port.connectorId()));
        String evseId = evseId(cpo, port);
        if (evseId != null) {
            e.put("evse_id", evseId);
        }
        return e.put("status", port.status())
                .put("connectors", new JsonArray().add(connector(port)))
                .put("last_updated", time(lastUpdated(port)));
    }

    /** The Location of a site with its publishable ports; null when the site itself cannot be published. */
    public static JsonObject location(Cpo cpo, Site site, List<Port> ports) {
        if (!site.publishable()) {
            return null;
        }
        Instant updated = site.updatedAt();
        JsonArray evses = new JsonArray();
        for (Port p : ports) {
            if (p.publishable()) {
                evses.add(evse(cpo, p));
                Instant u = lastUpdated(p);
                updated = u.isAfter(updated) ? u : updated;
            }
        }
        JsonObject l = new JsonObject()
                .put("country_code", cpo.countryCode())
                .put("party_id", cpo.partyId())
                .put("id", locationId(site.id()))
                .put("publish", true);
        if (site.name() != null) {
            l.put("name", site.name());
        }
        l.put("address", site.address()).put("city", site.city());
        if (site.postalCode() != null) {
            l.put("postal_code", site.postalCode());
        }
        return l.put("country", site.country())
                .put(
                        "coordinates",
                        new JsonObject().put("latitude", site.latitude()).put("longitude", site.longitude()))
                .put("evses", evses)
                .put("time_zone", site.timezone())
                .put("opening_times", openingTimes(site.openingHours()))
                .put("last_updated", time(updated));
    }

    /**
     * The site's opening hours as OCPI Hours: 24/7, or the regular hours per weekday (1 = Monday). OCPI's
     * period_end is an hour of the day (up to 23:59), so a range to 24:00 ends at 23:59.
     */
    static JsonObject openingTimes(Object hours) {
        OpeningHours parsed = OpeningHours.parse(hours);
        if (parsed.always()) {
            return new JsonObject().put("twentyfourseven", true);
        }
        JsonArray regular = new JsonArray();
        for (Map.Entry<java.time.DayOfWeek, List<int[]>> day : parsed.days().entrySet()) {
            for (int[] range : day.getValue()) {
                regular.add(new JsonObject()
                        .put("weekday", day.getKey().getValue())
                        .put("period_begin", hhmm(range[0]))
                        .put("period_end", hhmm(Math.min(range[1], 1439))));
            }
        }
        return new JsonObject().put("twentyfourseven", false).put("regular_hours", regular);
    }

    private static String hhmm(int minutes) {
        return String.format("%02d:%02d", minutes / 60, minutes % 60);
    }
}
