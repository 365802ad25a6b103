package io.chargerstatus.incident;

import io.chargerstatus.incident.IncidentModel.Kind;
import java.time.Instant;
import java.util.List;

/** An incident as the contract shows it ({@code backAt}: when the good state that resolved it began). */
public record Incident(
        String id,
        String accountId,
        String siteId,
        String chargerId,
        Integer connectorId,
        Kind kind,
        Instant startedAt,
        Instant openedAt,
        Instant backAt,
        Instant resolvedAt,
        String status,
        String faultCode,
        List<String> chargers) {

    Incident resolved(Instant back, Instant at) {
        return new Incident(
                id,
                accountId,
                siteId,
                chargerId,
                connectorId,
                kind,
                startedAt,
                openedAt,
                back,
                at,
                status,
                faultCode,
                chargers);
    }

    Incident withChargers(List<String> list) {
        return new Incident(
                id,
                accountId,
                siteId,
                chargerId,
                connectorId,
                kind,
                startedAt,
                openedAt,
                backAt,
                resolvedAt,
                status,
                faultCode,
                List.copyOf(list));
    }
}
