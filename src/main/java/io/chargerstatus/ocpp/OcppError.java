package io.chargerstatus.ocpp;

/**
 * An expected failure that becomes an OCPP-J CALLERROR: cheap (no stack trace), with the error code.
 */
public final class OcppError extends RuntimeException {
    private final String code;

    public OcppError(String code, String description) {
        super(description, null, false, false);
        this.code = code;
    }

    /** The OCPP-J error code (FormationViolation, ProtocolError, NotImplemented ...). */
    public String code() {
        return code;
    }
}
