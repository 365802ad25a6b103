package io.chargerstatus.api;

import io.vertx.core.json.JsonObject;

/** The one shape of a status event, shared by the history, the replay and the live stream. */
public final class Events {
    private Events() {}

    public static JsonObject json(
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
}
