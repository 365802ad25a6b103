package io.chargerstatus.ocpp;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Whatever text a charger sends, parsing and checking it either succeeds or fails with the OCPP-J
 * error to answer: no other exception escapes to the session.
 */
class FrameFuzzTest {
    private static final List<String> VALID = List.of(
            "[2,\"1\",\"BootNotification\",{\"chargePointVendor\":\"ACME\",\"chargePointModel\":\"AC22\"}]",
            "[2,\"2\",\"StatusNotification\",{\"connectorId\":1,\"errorCode\":\"NoError\",\"status\":\"Charging\",\"timestamp\":\"2026-11-24T10:00:00Z\"}]",
            "[2,\"3\",\"MeterValues\",{\"connectorId\":1,\"meterValue\":[{\"timestamp\":\"2026-11-24T10:00:00Z\",\"sampledValue\":[{\"value\":\"1\"}]}]}]",
            "[2,\"4\",\"StopTransaction\",{\"transactionId\":1,\"meterStop\":10,\"timestamp\":\"2026-11-24T10:00:00Z\"}]",
            "[3,\"cs-1\",{\"status\":\"Accepted\"}]",
            "[4,\"cs-2\",\"NotImplemented\",\"no\",{}]");

    @Provide
    Arbitrary<String> mutatedFrames() {
        Arbitrary<String> base = Arbitraries.of(VALID);
        Arbitrary<String> noise = Arbitraries.strings().ofMaxLength(12);
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(200),
                Arbitraries.strings()
                        .withChars("[]{}\",:0123456789-.eEtrufalsn \\")
                        .ofMaxLength(120),
                base.flatMap(v -> Arbitraries.integers()
                        .between(0, v.length())
                        .flatMap(cut -> noise.map(n ->
                                v.substring(0, cut) + n + v.substring(Math.min(v.length(), cut + n.length() / 2))))),
                base.flatMap(v -> Arbitraries.integers().between(0, v.length()).map(cut -> v.substring(0, cut))),
                base.map(v -> v.replace("1", "1e309")).map(v -> v.replace("\"Charging\"", "[]")));
    }

    @Property(tries = 3000)
    @Label("parsing and checking random or mutated frames only ever fails with an OCPP-J error")
    void onlyOcppErrorsEscape(@ForAll("mutatedFrames") String text) {
        Frame frame;
        try {
            frame = Frame.parse(text);
        } catch (Frame.Malformed expected) {
            return;
        }
        if (frame instanceof Frame.Call call && OcppMessages.V16.chargerInitiated.contains(call.action())) {
            try {
                OcppMessages.V16.checkRequest(call.action(), call.payloadTree());
                call.payload();
            } catch (OcppError expected) {
                // answered with its code
            }
        }
        // Replies are serialisable whatever the id and description were.
        new JsonArray(Frame.error("x", "FormationViolation", text));
        new JsonArray(Frame.result("x", new JsonObject()));
    }
}
