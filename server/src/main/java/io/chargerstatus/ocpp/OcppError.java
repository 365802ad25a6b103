package io.chargerstatus.ocpp;

/**
 * An expected failure: cheap (no stack trace). Either an OCPP-J CALLERROR (one the service answers a charger
 * with, or one a charger answered the service's call with), with its error code, or a call of the service's
 * that got no answer because the session is gone or the charger stayed silent: those have a {@link Kind} of
 * their own, so that no code a charger sends can be mistaken for them.
 */
public final class OcppError extends RuntimeException {
    /** What failed. */
    public enum Kind {
        /** A CALLERROR, with its OCPP-J code. */
        CALL_ERROR,
        /** The service's call found the session closed, or the session closed before the answer came. */
        OFFLINE,
        /** The charger did not answer the service's call within CALL_TIMEOUT_S. */
        TIMEOUT
    }

    private final String code;
    private final Kind kind;

    public OcppError(String code, String description) {
        this(Kind.CALL_ERROR, code, description);
    }

    private OcppError(Kind kind, String code, String description) {
        super(description, null, false, false);
        this.kind = kind;
        this.code = code;
    }

    static OcppError offline(String description) {
        return new OcppError(Kind.OFFLINE, "Offline", description);
    }

    static OcppError timeout(String description) {
        return new OcppError(Kind.TIMEOUT, "Timeout", description);
    }

    /** The OCPP-J error code (FormationViolation, ProtocolError, NotImplemented ...). */
    public String code() {
        return code;
    }

    public Kind kind() {
        return kind;
    }
}
