package io.chargerstatus.api;

import com.networknt.schema.JsonSchema;
import com.networknt.schema.ValidationMessage;
import io.chargerstatus.infra.Schemas;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/** Request bodies of the REST API, each checked against its schema in the OpenAPI document (one source). */
public enum BodySchemas {
    ACCOUNT("AccountRequest"),
    SITE("SiteRequest"),
    CHARGER("ChargerRequest"),
    CHARGER_PATCH("ChargerPatchRequest"),
    ID_TAG("IdTagRequest"),
    REMOTE_START("RemoteStartRequest"),
    REMOTE_STOP("RemoteStopRequest"),
    CHANGE_AVAILABILITY("ChangeAvailabilityRequest"),
    UPDATE_FIRMWARE("UpdateFirmwareRequest"),
    RESET("ResetRequest"),
    TRIGGER_STATUS("TriggerStatusRequest"),
    UNLOCK_CONNECTOR("UnlockConnectorRequest"),
    GET_CONFIGURATION("GetConfigurationRequest"),
    CHANGE_CONFIGURATION("ChangeConfigurationRequest"),
    GET_VARIABLES("GetVariablesRequest"),
    SET_VARIABLES("SetVariablesRequest"),
    ALERTING("AlertingRequest"),
    ACKNOWLEDGE("AcknowledgeRequest"),
    MAINTENANCE_WINDOW("MaintenanceWindowRequest"),
    WEBHOOK("WebhookRequest"),
    OUTAGE_EXCLUSION("OutageExclusionRequest"),
    ACCOUNT_OCPI("AccountOcpiRequest"),
    CONNECTOR_STATIC("ConnectorStaticRequest"),
    OCPI_PARTY("OcpiPartyRequest"),
    OCPI_REGISTER("OcpiRegisterRequest");

    private final JsonSchema schema;
    private final String name;

    BodySchemas(String name) {
        schema = Schemas.fromOpenApi(name);
        this.name = name;
    }

    /** The body schema of this name in the OpenAPI document's components (a command's, say). */
    public static BodySchemas named(String openApiName) {
        for (BodySchemas b : values()) {
            if (b.name.equals(openApiName)) {
                return b;
            }
        }
        throw new IllegalArgumentException("no request body schema " + openApiName);
    }

    /** The request's JSON body, checked; a 400 {@link ApiError} naming the first problem otherwise. */
    public JsonObject read(RoutingContext ctx) {
        JsonObject body;
        try {
            // No body at all is length -1, an empty one 0: both mean "no options" for these two.
            body = ctx.body().length() <= 0 && (this == TRIGGER_STATUS || this == GET_CONFIGURATION)
                    ? new JsonObject()
                    : ctx.body().asJsonObject();
        } catch (DecodeException | ClassCastException e) {
            throw ApiError.badRequest("the body must be a JSON object");
        }
        if (body == null) {
            throw ApiError.badRequest("a JSON body is required");
        }
        // PostgreSQL cannot store NUL in text: refused here rather than failing the statement with a 500.
        if (ctx.body().length() > 0 && ctx.body().asString().contains("\\u0000")) {
            throw ApiError.badRequest("text may not contain NUL (\\u0000) characters");
        }
        Set<ValidationMessage> errors = Schemas.check(schema, body);
        if (!errors.isEmpty()) {
            throw ApiError.badRequest(Schemas.describe(Schemas.mostSpecific(errors)));
        }
        return body;
    }
}
