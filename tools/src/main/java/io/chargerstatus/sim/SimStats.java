package io.chargerstatus.sim;

import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicLong;

/** Counters of a simulation run, shared by the chargers of all event loops. */
public final class SimStats {
    private final AtomicLong open = new AtomicLong();
    private final AtomicLong booted = new AtomicLong();
    private final AtomicLong connectFailures = new AtomicLong();
    private final AtomicLong statusSent = new AtomicLong();
    private final AtomicLong statusAcked = new AtomicLong();
    private final AtomicLong callErrors = new AtomicLong();

    void sessionOpened() {
        open.incrementAndGet();
    }

    void sessionClosed() {
        open.decrementAndGet();
    }

    void bootDone() {
        booted.incrementAndGet();
    }

    void connectFailed() {
        connectFailures.incrementAndGet();
    }

    void statusSent() {
        statusSent.incrementAndGet();
    }

    void statusAnswered() {
        statusAcked.incrementAndGet();
    }

    void callError() {
        callErrors.incrementAndGet();
    }

    public long open() {
        return open.get();
    }

    public long booted() {
        return booted.get();
    }

    public long statusAcked() {
        return statusAcked.get();
    }

    public long connectFailures() {
        return connectFailures.get();
    }

    /**
     * The counters as one JSON object with {@code summary} naming the moment ("ramp", "final"): the line the
     * benchmark reads from a simulator's output.
     */
    public JsonObject summary(String moment) {
        return new JsonObject()
                .put("summary", moment)
                .put("sessions", open.get())
                .put("booted", booted.get())
                .put("connectFailures", connectFailures.get())
                .put("statusSent", statusSent.get())
                .put("statusAcked", statusAcked.get())
                .put("callErrors", callErrors.get());
    }

    @Override
    public String toString() {
        return "sessions=" + open + " booted=" + booted + " connectFailures=" + connectFailures + " statusSent="
                + statusSent + " statusAcked=" + statusAcked + " callErrors=" + callErrors;
    }
}
