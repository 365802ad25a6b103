package io.chargerstatus.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.DatabindCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Set;

/**
 * Loads the JSON Schemas under {@code src/main/resources} (OCPP messages, REST bodies) and checks
 * documents against them. Compiled once; thread-safe; shared by every event loop.
 */
public final class Schemas {
    /** Vert.x's own Jackson mapper: JSON trees and {@link JsonObject} maps convert through it. */
    public static final ObjectMapper MAPPER = DatabindCodec.mapper();

    private Schemas() {}

    /** A schema from the classpath, for the draft its {@code $schema} names (format assertions on). */
    public static JsonSchema load(String resource) {
        try (InputStream in = Schemas.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing schema " + resource);
            }
            JsonNode schema = MAPPER.readTree(in);
            SpecVersion.VersionFlag draft = schema.path("$schema").asText().contains("draft-04")
                    ? SpecVersion.VersionFlag.V4
                    : SpecVersion.VersionFlag.V202012;
            return JsonSchemaFactory.getInstance(draft)
                    .getSchema(
                            schema,
                            SchemaValidatorsConfig.builder()
                                    .formatAssertionsEnabled(true)
                                    .build());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read schema " + resource, e);
        }
    }

    /** The OpenAPI document of the REST API, the one source of its request bodies' schemas. */
    public static final String OPENAPI = "openapi.json";

    /**
     * The schema {@code components/schemas/<name>} of the OpenAPI document (OpenAPI 3.1 schemas are JSON
     * Schema 2020-12), so that what the document says a body is, is what the API checks.
     */
    public static JsonSchema fromOpenApi(String name) {
        try (InputStream in = Schemas.class.getClassLoader().getResourceAsStream(OPENAPI)) {
            if (in == null) {
                throw new IllegalStateException("missing " + OPENAPI);
            }
            JsonNode schema =
                    MAPPER.readTree(in).path("components").path("schemas").path(name);
            if (schema.isMissingNode()) {
                throw new IllegalStateException(OPENAPI + " has no schema " + name);
            }
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                    .getSchema(
                            schema,
                            SchemaValidatorsConfig.builder()
                                    .formatAssertionsEnabled(true)
                                    .build());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + OPENAPI, e);
        }
    }

    /** Violations of {@code schema} by a JSON tree; empty when valid. */
    public static Set<ValidationMessage> check(JsonSchema schema, JsonNode document) {
        return schema.validate(document);
    }

    /** Violations of {@code schema} by a Vert.x JSON object; empty when valid. */
    public static Set<ValidationMessage> check(JsonSchema schema, JsonObject document) {
        return schema.validate(MAPPER.valueToTree(document.getMap()));
    }

    /**
     * The violation that names the actual problem: a wrong type, value or missing field rather than the
     * enclosing {@code additionalProperties} or {@code properties} that also failed because of it.
     */
    public static ValidationMessage mostSpecific(Set<ValidationMessage> errors) {
        ValidationMessage fallback = null;
        for (ValidationMessage m : errors) {
            if (!"additionalProperties".equals(m.getType()) && !"properties".equals(m.getType())) {
                return m;
            }
            fallback = fallback == null ? m : fallback;
        }
        return fallback;
    }

    /**
     * A violation as a person reads it: {@code connectorId: string found, integer expected}, {@code required
     * property 'idTag' not found} for the document itself, instead of the validator's JSON-pointer form with its
     * leading colon ({@code /connectorId: ...}, {@code : required property ...}).
     */
    public static String describe(ValidationMessage m) {
        String message = m.getMessage();
        int colon = message.indexOf(": ");
        if (colon < 0) {
            return message;
        }
        String where = message.substring(0, colon).replaceFirst("^[$/]+", "").replace('/', '.');
        String what = message.substring(colon + 2);
        return where.isEmpty() ? what : where + ": " + what;
    }
}
