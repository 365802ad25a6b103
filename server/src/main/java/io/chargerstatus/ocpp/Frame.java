package io.chargerstatus.ocpp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chargerstatus.infra.Schemas;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * OCPP-J framing: {@code [2,id,action,payload]}, {@code [3,id,payload]}, {@code [4,id,code,description,details]}.
 */
public sealed interface Frame {

    int CALL = 2;
    int CALL_RESULT = 3;
    int CALL_ERROR = 4;
    /** OCPP-J limits message ids to 36 characters. */
    int MAX_ID_LENGTH = 36;

    /** A CALL; the payload stays a JSON tree until it has passed its schema. */
    record Call(String id, String action, ObjectNode payloadTree) implements Frame {
        /** The payload as the handlers read it. */
        public JsonObject payload() {
            return new JsonObject(tree(payloadTree));
        }
    }

    record Result(String id, JsonObject payload) implements Frame {}

    record Error(String id, String code, String description) implements Frame {}

    /** A frame that cannot be handled; {@code id} is the message id when one could be read, else "-1". */
    final class Malformed extends RuntimeException {
        private final String id;
        private final String code;

        Malformed(String id, String code, String description) {
            super(description, null, false, false);
            this.id = id;
            this.code = code;
        }

        public String id() {
            return id;
        }

        public String code() {
            return code;
        }
    }

    /** Parses one text message; throws {@link Malformed} for anything that is not an OCPP-J frame. */
    static Frame parse(String text) {
        JsonNode root;
        try {
            root = Schemas.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new Malformed("-1", "FormationViolation", "not JSON");
        }
        if (root == null || !root.isArray()) {
            throw new Malformed("-1", "FormationViolation", "not a JSON array");
        }
        JsonNode type = root.get(0);
        JsonNode rawId = root.get(1);
        String id = rawId != null
                        && rawId.isTextual()
                        && !rawId.asText().isEmpty()
                        && rawId.asText().length() <= MAX_ID_LENGTH
                ? rawId.asText()
                : null;
        if (id == null) {
            throw new Malformed("-1", "FormationViolation", "the message id must be a string of 1 to 36 characters");
        }
        // PostgreSQL cannot store NUL in text: refused here, at the edge, so that it can never fail a batch
        // that holds other chargers' facts. Only the escape can carry one (raw control characters are not JSON).
        if (text.contains("\\u0000") && hasNul(root)) {
            throw new Malformed(id, "PropertyConstraintViolation", "text may not contain NUL (\\u0000) characters");
        }
        if (type == null || !type.isInt()) {
            throw new Malformed(id, "FormationViolation", "the message type id must be 2, 3 or 4");
        }
        switch (type.asInt()) {
            case CALL -> {
                if (root.size() != 4 || !root.get(2).isTextual() || !root.get(3).isObject()) {
                    throw new Malformed(id, "FormationViolation", "a CALL is [2, id, action, {payload}]");
                }
                return new Call(id, root.get(2).asText(), (ObjectNode) root.get(3));
            }
            case CALL_RESULT -> {
                if (root.size() != 3 || !root.get(2).isObject()) {
                    throw new Malformed(id, "FormationViolation", "a CALLRESULT is [3, id, {payload}]");
                }
                return new Result(id, new JsonObject(tree(root.get(2))));
            }
            case CALL_ERROR -> {
                if (root.size() < 4 || !root.get(2).isTextual()) {
                    throw new Malformed(
                            id, "FormationViolation", "a CALLERROR is [4, id, code, description, {details}]");
                }
                return new Error(id, root.get(2).asText(), root.get(3).asText());
            }
            default -> throw new Malformed(id, "ProtocolError", "unknown message type id " + type.asInt());
        }
    }

    /** Whether any string or field name in the tree holds a NUL character. */
    static boolean hasNul(JsonNode node) {
        if (node.isTextual()) {
            return node.textValue().indexOf('\0') >= 0;
        }
        if (node.isObject()) {
            var fields = node.fields();
            while (fields.hasNext()) {
                var field = fields.next();
                if (field.getKey().indexOf('\0') >= 0 || hasNul(field.getValue())) {
                    return true;
                }
            }
            return false;
        }
        if (node.isArray()) {
            for (JsonNode element : node) {
                if (hasNul(element)) {
                    return true;
                }
            }
        }
        return false;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> tree(JsonNode node) {
        return Schemas.MAPPER.convertValue(node, Map.class);
    }

    static String call(String id, String action, JsonObject payload) {
        return new JsonArray().add(CALL).add(id).add(action).add(payload).encode();
    }

    static String result(String id, JsonObject payload) {
        return new JsonArray().add(CALL_RESULT).add(id).add(payload).encode();
    }

    static String error(String id, String code, String description) {
        String text = description == null ? "" : description;
        return new JsonArray()
                .add(CALL_ERROR)
                .add(id)
                .add(code)
                .add(text.length() > 255 ? text.substring(0, 255) : text)
                .add(new JsonObject())
                .encode();
    }
}
