package io.chargerstatus.status;

import java.time.Instant;

/**
 * What the service knows of one connector (OCPP 1.6) or EVSE (OCPP 2.0.1, {@code connectorId} = evseId).
 *
 * @param since            when the connector entered {@code status} (the charger's timestamp, see {@link StatusModel#effectiveTime})
 * @param reportedAt       the effective timestamp of the newest report applied; older ones are stale
 * @param transactionId    the OCPP 1.6 transaction running on it
 * @param chargingState    OCPP 2.0.1: the last {@code TransactionEvent} charging state while a transaction runs
 * @param transactionRef   OCPP 2.0.1: the (string) id of the transaction running on it
 * @param transactionEnded OCPP 2.0.1: a transaction ended and the EVSE has not been Available since (Finishing)
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
        Integer transactionId,
        String chargingState,
        String transactionRef,
        boolean transactionEnded) {

    /** An OCPP 1.6 connector. */
    public ConnectorState(
            int connectorId,
            Status status,
            String ocppStatus,
            String errorCode,
            String vendorErrorCode,
            String info,
            Instant since,
            Instant reportedAt,
            Integer transactionId) {
        this(
                connectorId,
                status,
                ocppStatus,
                errorCode,
                vendorErrorCode,
                info,
                since,
                reportedAt,
                transactionId,
                null,
                null,
                false);
    }

    /** {@code errorCode/vendorErrorCode}, or the error code alone when the vendor gave none. */
    public String faultCode() {
        if (errorCode == null) {
            return null;
        }
        return vendorErrorCode == null || vendorErrorCode.isEmpty() ? errorCode : errorCode + "/" + vendorErrorCode;
    }

    ConnectorState withTransaction(Integer id) {
        return new ConnectorState(
                connectorId,
                status,
                ocppStatus,
                errorCode,
                vendorErrorCode,
                info,
                since,
                reportedAt,
                id,
                chargingState,
                transactionRef,
                transactionEnded);
    }

    ConnectorState withReportedAt(Instant at, String newInfo) {
        return new ConnectorState(
                connectorId,
                status,
                ocppStatus,
                errorCode,
                vendorErrorCode,
                newInfo,
                since,
                at,
                transactionId,
                chargingState,
                transactionRef,
                transactionEnded);
    }
}
