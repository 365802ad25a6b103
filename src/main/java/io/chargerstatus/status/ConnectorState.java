package io.chargerstatus.status;

import java.time.Instant;

/**
 * What the service knows of one connector.
 *
 * @param since      when the connector entered {@code status} (the charger's timestamp, see {@link StatusModel#effectiveTime})
 * @param reportedAt the effective timestamp of the newest StatusNotification applied; older ones are stale
 */
public record ConnectorState(
        int connectorId,
        Status status,
        String ocppStatus,
        String errorCode,
        String vendorErrorCode,
        String info,
        Instant since,
        Instant reportedAt,
        Integer transactionId) {

    /** {@code errorCode/vendorErrorCode}, or the error code alone when the vendor gave none. */
    public String faultCode() {
        if (errorCode == null) {
            return null;
        }
        return vendorErrorCode == null || vendorErrorCode.isEmpty() ? errorCode : errorCode + "/" + vendorErrorCode;
    }

    ConnectorState withTransaction(Integer id) {
        return new ConnectorState(
                connectorId, status, ocppStatus, errorCode, vendorErrorCode, info, since, reportedAt, id);
    }

    ConnectorState withReportedAt(Instant at, String newInfo) {
        return new ConnectorState(
                connectorId, status, ocppStatus, errorCode, vendorErrorCode, newInfo, since, at, transactionId);
    }
}
