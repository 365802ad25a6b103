package io.chargerstatus.store;

import io.vertx.core.json.JsonObject;

/**
 * The one shape of a status event, shared by the history, the SSE replay and the live stream: the contract's
 * fields by name, {@code connector} null for a charger-level change.
 */
public record StatusEvent(
        long seq,
        String chargerId,
        String accountId,
        String siteId,
        String status,
        String previousStatus,
        String faultCode,
        JsonObject connector,
        String timestamp,
        String receivedAt) {

    /** The event as the REST API and the SSE stream write it. */
    public JsonObject json() {
        return new JsonObject()
                .put("seq", seq)
                .put("chargerId", chargerId)
                .put("accountId", accountId)
                .put("siteId", siteId)
                .put("status", status)
                .put("previousStatus", previousStatus)
                .put("faultCode", faultCode)
                .put("connector", connector)
                .put("timestamp", timestamp)
                .put("receivedAt", receivedAt);
    }

    /** The {@code connector} object of a connector-level change; null for a charger-level one. */
    public static JsonObject connector(
            Integer connectorId, String status, String ocppStatus, String errorCode, String vendorErrorCode) {
        return connectorId == null
                ? null
                : new JsonObject()
                        .put("connectorId", connectorId)
                        .put("status", status)
                        .put("ocppStatus", ocppStatus)
                        .put("errorCode", errorCode)
                        .put("vendorErrorCode", vendorErrorCode);
    }
}
