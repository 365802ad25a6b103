package io.chargerstatus.api;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Request bodies of the REST API, each described by a JSON Schema under {@code api/}. */
public enum BodySchemas {
  ACCOUNT("account"), SITE("site"), CHARGER("charger"), CHARGER_PATCH("charger-patch"), ID_TAG("id-tag"),
  REMOTE_START("command-remote-start"), REMOTE_STOP("command-remote-stop"),
  CHANGE_AVAILABILITY("command-change-availability"), UPDATE_FIRMWARE("command-update-firmware"),
  RESET("command-reset"), TRIGGER_STATUS("command-trigger-status");

  private final Validator validator;

  BodySchemas(String name) {
    try (InputStream in = BodySchemas.class.getClassLoader().getResourceAsStream("api/" + name + ".json")) {
      JsonObject schema = new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      validator = Validator.create(JsonSchema.of(schema), new JsonSchemaOptions()
          .setDraft(Draft.DRAFT202012).setBaseUri("urn:charger-status:api:" + name).setOutputFormat(OutputFormat.Basic));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The request's JSON body, checked; a 400 {@link ApiError} naming the first problem otherwise. */
  public JsonObject read(RoutingContext ctx) {
    JsonObject body;
    try {
      body = ctx.body().length() == 0 && this == TRIGGER_STATUS ? new JsonObject() : ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      throw ApiError.badRequest("the body must be a JSON object");
    }
    if (body == null) {
      throw ApiError.badRequest("a JSON body is required");
    }
    OutputUnit result = validator.validate(body);
    if (!Boolean.TRUE.equals(result.getValid())) {
      List<OutputUnit> errors = result.getErrors();
      OutputUnit first = errors == null || errors.isEmpty() ? result : errors.get(errors.size() - 1);
      String where = first.getInstanceLocation() == null || first.getInstanceLocation().isEmpty()
          ? "body" : first.getInstanceLocation();
      throw ApiError.badRequest(where + ": " + first.getError());
    }
    return body;
  }
}
