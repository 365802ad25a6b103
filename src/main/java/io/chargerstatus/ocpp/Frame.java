package io.chargerstatus.ocpp;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * OCPP-J framing: {@code [2,id,action,payload]}, {@code [3,id,payload]}, {@code [4,id,code,description,details]}.
 */
public sealed interface Frame {

  int CALL = 2;
  int CALL_RESULT = 3;
  int CALL_ERROR = 4;
  /** OCPP-J limits message ids to 36 characters. */
  int MAX_ID_LENGTH = 36;

  record Call(String id, String action, JsonObject payload) implements Frame { }

  record Result(String id, JsonObject payload) implements Frame { }

  record Error(String id, String code, String description) implements Frame { }

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
    JsonArray a;
    try {
      a = new JsonArray(text);
    } catch (DecodeException | ClassCastException e) {
      throw new Malformed("-1", "FormationViolation", "not a JSON array");
    }
    Object type = a.size() > 0 ? a.getValue(0) : null;
    Object rawId = a.size() > 1 ? a.getValue(1) : null;
    String id = rawId instanceof String s && !s.isEmpty() && s.length() <= MAX_ID_LENGTH ? s : null;
    if (id == null) {
      throw new Malformed("-1", "FormationViolation", "the message id must be a string of 1 to 36 characters");
    }
    if (!(type instanceof Integer t)) {
      throw new Malformed(id, "FormationViolation", "the message type id must be 2, 3 or 4");
    }
    switch (t) {
      case CALL -> {
        if (a.size() != 4 || !(a.getValue(2) instanceof String action) || !(a.getValue(3) instanceof JsonObject payload)) {
          throw new Malformed(id, "FormationViolation", "a CALL is [2, id, action, {payload}]");
        }
        return new Call(id, action, payload);
      }
      case CALL_RESULT -> {
        if (a.size() != 3 || !(a.getValue(2) instanceof JsonObject payload)) {
          throw new Malformed(id, "FormationViolation", "a CALLRESULT is [3, id, {payload}]");
        }
        return new Result(id, payload);
      }
      case CALL_ERROR -> {
        if (a.size() < 4 || !(a.getValue(2) instanceof String code)) {
          throw new Malformed(id, "FormationViolation", "a CALLERROR is [4, id, code, description, {details}]");
        }
        return new Error(id, code, String.valueOf(a.getValue(3)));
      }
      default -> throw new Malformed(id, "ProtocolError", "unknown message type id " + t);
    }
  }

  static String call(String id, String action, JsonObject payload) {
    return new JsonArray().add(CALL).add(id).add(action).add(payload).encode();
  }

  static String result(String id, JsonObject payload) {
    return new JsonArray().add(CALL_RESULT).add(id).add(payload).encode();
  }

  static String error(String id, String code, String description) {
    String text = description == null ? "" : description;
    return new JsonArray().add(CALL_ERROR).add(id).add(code)
        .add(text.length() > 255 ? text.substring(0, 255) : text).add(new JsonObject()).encode();
  }
}
