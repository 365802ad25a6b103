package io.chargerstatus.notify;

/**
 * A failed attempt's cause, with the HTTP status when the receiver answered. A permanent refusal (a partner
 * saying the message itself is wrong, such as an EVSE it does not know) is not retried: it is logged failed and
 * passed, so that one message it will never take does not hold back every later one. No stack trace: an
 * expected failure.
 */
public final class Refused extends RuntimeException {
    final Integer httpStatus;
    final boolean permanent;

    public Refused(Integer httpStatus, String message) {
        this(httpStatus, message, false);
    }

    public Refused(Integer httpStatus, String message, boolean permanent) {
        super(message, null, false, false);
        this.httpStatus = httpStatus;
        this.permanent = permanent;
    }
}
