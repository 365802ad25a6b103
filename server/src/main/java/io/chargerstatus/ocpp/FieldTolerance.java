package io.chargerstatus.ocpp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.ValidationMessage;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The deviations from the official schemas that real firmware makes and this service accepts (unless
 * {@code OCPP_STRICT}): each a named rule, documented in {@code docs/field-tolerance.md} with the makes that need
 * it. A rule only ever admits what the schema refused for one reason at one field; a payload with any other
 * violation is refused as before, with the code of that violation.
 *
 * <p>Rules that change a value (a date-time without an offset, a number where a string belongs) repair the
 * payload tree in place, so the handlers read what the schema describes. An over-long informational string is
 * kept whole, up to {@link #LONG_STRING_MAX} characters: an operator chasing a vendor wants the real serial.
 * Identifiers that key data (id tags in Authorize and StartTransaction, connector ids, transaction ids) keep their
 * limits: a longer one would be a different key.
 */
public final class FieldTolerance {
    /** The longest informational string accepted (a CiString255 of the later editions). */
    public static final int LONG_STRING_MAX = 255;

    /** The rules, named as the metric, the log and the charger row name them. */
    public enum Rule {
        /** A session whose first CALL is not a BootNotification (applied by the session, not here). */
        NO_BOOT("no-boot"),
        /** An informational string over the schema's maxLength, up to {@link #LONG_STRING_MAX}. */
        LONG_STRING("long-string"),
        /** A date-time without an offset (read as UTC), or with an hours-only offset ({@code +02}). */
        NO_OFFSET("no-offset"),
        /** A JSON number where the schema asks for a string (sampled meter values). */
        NUMBER_AS_STRING("number-as-string");

        public final String id;

        Rule(String id) {
            this.id = id;
        }
    }

    /**
     * One use of a rule: the field as a path without array indexes ({@code meterValue[].sampledValue[].value})
     * and what the charger sent, short enough to show (a length, a value).
     */
    public record Use(Rule rule, String field, String detail) {}

    /** OCPP 1.6J: BootNotification's descriptive fields, a status's info, an id tag the charger ends with. */
    static final FieldTolerance V16 = new FieldTolerance(
            Map.of(
                    "BootNotification",
                    Set.of(
                            "chargePointVendor",
                            "chargePointModel",
                            "chargePointSerialNumber",
                            "chargeBoxSerialNumber",
                            "firmwareVersion",
                            "iccid",
                            "imsi",
                            "meterType",
                            "meterSerialNumber"),
                    "StatusNotification",
                    Set.of("info", "vendorErrorCode"),
                    // The transaction must close whatever tag the charger's previous back office gave it.
                    "StopTransaction",
                    Set.of("idTag")),
            Map.of(
                    "MeterValues", Set.of("meterValue[].sampledValue[].value"),
                    "StopTransaction", Set.of("transactionData[].sampledValue[].value")));

    /** OCPP 2.0.1: the station's description in BootNotification (its sampled values are numbers already). */
    static final FieldTolerance V201 = new FieldTolerance(
            Map.of(
                    "BootNotification",
                    Set.of(
                            "chargingStation.vendorName",
                            "chargingStation.model",
                            "chargingStation.serialNumber",
                            "chargingStation.firmwareVersion",
                            "chargingStation.modem.iccid",
                            "chargingStation.modem.imsi")),
            Map.of());

    /** A local date-time ({@code 2023-05-01T14:03:10}, fractions allowed) and an optional hours-only offset. */
    private static final Pattern LOCAL_DATE_TIME =
            Pattern.compile("(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?)([+-]\\d{2})?");

    private final Map<String, Set<String>> longStrings;
    private final Map<String, Set<String>> numbersAsStrings;

    private FieldTolerance(Map<String, Set<String>> longStrings, Map<String, Set<String>> numbersAsStrings) {
        this.longStrings = longStrings;
        this.numbersAsStrings = numbersAsStrings;
    }

    /** What the rules made of a payload's violations: the uses that admitted some, and the ones refused. */
    record Admission(List<Use> uses, Set<ValidationMessage> refused) {}

    /**
     * Sorts the schema's violations of a request into those a rule admits (repairing {@code payload} where the
     * rule says so) and those it refuses; the payload is accepted only when none is refused.
     */
    Admission admit(String action, ObjectNode payload, Set<ValidationMessage> errors) {
        List<Use> uses = new ArrayList<>();
        Set<ValidationMessage> refused = new LinkedHashSet<>();
        for (ValidationMessage e : errors) {
            Use use = admit(action, payload, e);
            if (use == null) {
                refused.add(e);
            } else {
                uses.add(use);
            }
        }
        return new Admission(uses, refused);
    }

    private Use admit(String action, ObjectNode payload, ValidationMessage e) {
        JsonNodePath at = e.getInstanceLocation();
        JsonNode value = e.getInstanceNode();
        String field = field(at);
        switch (e.getType()) {
            case "maxLength" -> {
                if (value != null
                        && value.isTextual()
                        && value.asText().length() <= LONG_STRING_MAX
                        && longStrings.getOrDefault(action, Set.of()).contains(field)) {
                    return new Use(Rule.LONG_STRING, field, value.asText().length() + " characters");
                }
            }
            case "format" -> {
                String repaired = value != null && value.isTextual() ? withOffset(value.asText()) : null;
                if (repaired != null && replace(payload, at, TextNode.valueOf(repaired))) {
                    return new Use(Rule.NO_OFFSET, field, value.asText());
                }
            }
            case "type" -> {
                if (value != null
                        && value.isNumber()
                        && numbersAsStrings.getOrDefault(action, Set.of()).contains(field)
                        && replace(payload, at, TextNode.valueOf(value.asText()))) {
                    return new Use(Rule.NUMBER_AS_STRING, field, value.asText());
                }
            }
            default -> {}
        }
        return null;
    }

    /**
     * The RFC 3339 form of a date-time that lacks only its offset ({@code Z} appended: UTC, as the contract
     * says) or has one of hours only ({@code +02} -> {@code +02:00}); null for anything else.
     */
    static String withOffset(String text) {
        Matcher m = LOCAL_DATE_TIME.matcher(text);
        if (!m.matches()) {
            return null;
        }
        String repaired = m.group(1) + (m.group(2) == null ? "Z" : m.group(2) + ":00");
        try {
            DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(repaired); // 2023-13-45T25:61:00 stays refused
            return repaired;
        } catch (DateTimeParseException notADate) {
            return null;
        }
    }

    /** A field's path without array indexes, as the rules and the charger row name it. */
    static String field(JsonNodePath path) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < path.getNameCount(); i++) {
            Object element = path.getElement(i);
            if (element instanceof Integer) {
                b.append("[]");
            } else {
                b.append(b.length() == 0 ? "" : ".").append(element);
            }
        }
        return b.toString();
    }

    /** Puts {@code value} where {@code path} points in {@code root}; false when the path leads nowhere. */
    private static boolean replace(ObjectNode root, JsonNodePath path, JsonNode value) {
        int n = path.getNameCount();
        if (n == 0) {
            return false;
        }
        JsonNode parent = root;
        for (int i = 0; i < n - 1 && parent != null; i++) {
            Object element = path.getElement(i);
            parent = element instanceof Integer index ? parent.get(index) : parent.get(String.valueOf(element));
        }
        Object last = path.getElement(n - 1);
        if (parent instanceof ObjectNode object && last instanceof String name && object.has(name)) {
            object.set(name, value);
            return true;
        }
        if (parent instanceof ArrayNode array && last instanceof Integer index && index < array.size()) {
            array.set(index, value);
            return true;
        }
        return false;
    }
}
