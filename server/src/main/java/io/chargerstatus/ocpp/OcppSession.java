package io.chargerstatus.ocpp;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One charger's open OCPP-J session. Confined to the event loop of the verticle that accepted it: no
 * field is touched from another thread.
 */
public final class OcppSession {
    private final Vertx vertx;
    private final String id;
    private final OcppMessages messages;
    /** What the session's central system keeps between messages (2.0.1: its EVSEs and transactions); null: nothing. */
    private Object protocolState;

    private final String chargerId;
    private final String accountId;
    private final boolean secured;
    private final ServerWebSocket socket;
    private final Map<String, Pending> pending = new HashMap<>();
    private long nextCallId;
    private long lastSeenMillis;
    private long nextPingMillis;
    private long triggerAtMillis;
    private boolean closed;
    private double tokens = -1;
    private long refilledAtMillis;
    private boolean throttled;
    private Buffer message;
    private boolean messageIsText;
    private boolean discarding;
    private boolean booted;
    private boolean calledYet;
    private final Set<String> deviationsLogged = new HashSet<>();

    private record Pending(String action, Promise<JsonObject> promise, long timer) {}

    public OcppSession(
            Vertx vertx,
            String id,
            String chargerId,
            String accountId,
            boolean secured,
            ServerWebSocket socket,
            long nowMillis,
            OcppMessages messages,
            boolean booted) {
        this.vertx = vertx;
        this.messages = messages;
        this.id = id;
        this.chargerId = chargerId;
        this.accountId = accountId;
        this.secured = secured;
        this.socket = socket;
        this.lastSeenMillis = nowMillis;
        this.booted = booted;
    }

    /**
     * Notes the session's CALL of {@code action}; true when it is the first one and not a BootNotification from
     * a charger that has never booted: the {@code no-boot} case, which asks the charger for a BootNotification.
     */
    public boolean firstCallWithoutBoot(String action) {
        boolean first = !calledYet;
        calledYet = true;
        if ("BootNotification".equals(action)) {
            booted = true;
        }
        return first && !booted;
    }

    /** Whether this session has not yet said that the charger used a rule at a field (logged once per session). */
    public boolean firstDeviation(String ruleAndField) {
        return deviationsLogged.add(ruleAndField);
    }

    public String id() {
        return id;
    }

    /** The OCPP version this session speaks (the subprotocol chosen at the upgrade). */
    public OcppMessages messages() {
        return messages;
    }

    /**
     * What the session's central system keeps between messages, made by {@code initial} on first use: each
     * version keeps its own kind (the session does not know which it speaks beyond its schemas).
     */
    public <T> T protocolState(Class<T> type, Supplier<T> initial) {
        if (protocolState == null) {
            protocolState = initial.get();
        }
        return type.cast(protocolState);
    }

    public String chargerId() {
        return chargerId;
    }

    public String accountId() {
        return accountId;
    }

    /** A secured charger waits for Authorize or a remote start; an unsecured one is plug &amp; charge. */
    public boolean secured() {
        return secured;
    }

    public ServerWebSocket socket() {
        return socket;
    }

    public void seen(long nowMillis) {
        lastSeenMillis = nowMillis;
    }

    public long lastSeenMillis() {
        return lastSeenMillis;
    }

    /** Whether a WebSocket ping is due; if so the next one is scheduled {@code intervalMillis} later. */
    public boolean pingDue(long nowMillis, long intervalMillis) {
        if (nowMillis < nextPingMillis) {
            return false;
        }
        nextPingMillis = nowMillis + intervalMillis;
        return true;
    }

    /**
     * Token bucket of incoming messages: {@code perSecond} sustained, {@code burst} at once. Returns false
     * when the charger has used its allowance; the caller then pauses reading its socket until
     * {@link #refill} finds tokens again, so a flood slows only the flooder (TCP pushes back on it).
     */
    public boolean take(long nowMillis, int perSecond, int burst) {
        refill(nowMillis, perSecond, burst);
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        throttled = true;
        return false;
    }

    /** Adds the tokens earned since the last refill; true when a throttled session may read again. */
    public boolean refill(long nowMillis, int perSecond, int burst) {
        if (tokens < 0) {
            tokens = burst;
            refilledAtMillis = nowMillis;
        }
        tokens = Math.min(burst, tokens + (nowMillis - refilledAtMillis) * perSecond / 1000.0);
        refilledAtMillis = nowMillis;
        if (throttled && tokens >= 1) {
            throttled = false;
            return true;
        }
        return false;
    }

    /** What {@link #assemble} made of a frame. */
    public enum Assembly {
        /** More fragments to come. */
        PARTIAL,
        /** A whole text message is ready: {@link #takeMessage}. */
        TEXT,
        /** A whole binary message is ready: {@link #takeMessage}. */
        BINARY,
        /** The message went over the cap: the session must be closed (1009); later frames are discarded. */
        TOO_BIG,
        /** A frame after the session was found oversized, or a continuation with no message started. */
        DISCARDED
    }

    /**
     * Adds one data frame to the message being received. Bytes are counted before anything is decoded, so a
     * message over {@code maxBytes} costs at most one frame of memory whatever its fragments add up to.
     */
    public Assembly assemble(boolean continuation, boolean text, Buffer data, boolean last, int maxBytes) {
        if (discarding || (continuation && message == null)) {
            return Assembly.DISCARDED;
        }
        if (!continuation && last) {
            // The common case, a message in one frame: its buffer as it is, no copy.
            if (data.length() > maxBytes) {
                discarding = true;
                return Assembly.TOO_BIG;
            }
            message = data;
            return text ? Assembly.TEXT : Assembly.BINARY;
        }
        if (!continuation) {
            message = Buffer.buffer(Math.min(data.length(), maxBytes));
            messageIsText = text;
        }
        if (message.length() + data.length() > maxBytes) {
            message = null;
            discarding = true;
            return Assembly.TOO_BIG;
        }
        message.appendBuffer(data);
        if (!last) {
            return Assembly.PARTIAL;
        }
        return messageIsText ? Assembly.TEXT : Assembly.BINARY;
    }

    /** The message {@link #assemble} completed. */
    public Buffer takeMessage() {
        Buffer whole = message;
        message = null;
        return whole;
    }

    /** Asks for fresh statuses at {@code atMillis} unless a StatusNotification or a boot comes first. */
    public void triggerStatusAt(long atMillis) {
        triggerAtMillis = atMillis;
    }

    public void cancelTrigger() {
        triggerAtMillis = 0;
    }

    /** Whether the reconnect trigger is due now; it fires at most once. */
    public boolean triggerDue(long nowMillis) {
        if (triggerAtMillis == 0 || nowMillis < triggerAtMillis) {
            return false;
        }
        triggerAtMillis = 0;
        return true;
    }

    /**
     * Writes one frame. When the charger does not read fast enough, reading its socket is paused until the
     * write queue drains: a charger that floods without reading slows only itself.
     */
    public void send(String text) {
        // The socket may have closed before the session heard of it (an answer committed after the charger left).
        if (closed || socket.isClosed()) {
            return;
        }
        socket.writeTextMessage(text);
        if (socket.writeQueueFull()) {
            socket.pause();
            socket.drainHandler(v -> socket.resume());
        }
    }

    /** Sends a CALL and completes with the CALLRESULT payload, or fails with an {@link OcppError} / timeout. */
    public Future<JsonObject> call(String action, JsonObject payload, long timeoutMillis) {
        if (closed) {
            return Future.failedFuture(OcppError.offline("the session is closed"));
        }
        String callId = "cs-" + (++nextCallId);
        Promise<JsonObject> promise = Promise.promise();
        long timer = vertx.setTimer(timeoutMillis, t -> {
            Pending p = pending.remove(callId);
            if (p != null) {
                p.promise().tryFail(OcppError.timeout(action + " was not answered within " + timeoutMillis + " ms"));
            }
        });
        pending.put(callId, new Pending(action, promise, timer));
        send(Frame.call(callId, action, payload));
        return promise.future();
    }

    /** Completes the call a CALLRESULT answers; false when no call of ours has that id. */
    public boolean answered(Frame.Result result) {
        Pending p = pending.remove(result.id());
        if (p == null) {
            return false;
        }
        vertx.cancelTimer(p.timer());
        try {
            messages.checkConfirmation(p.action(), result.payload());
            p.promise().tryComplete(result.payload());
        } catch (OcppError e) {
            p.promise().tryFail(e);
        }
        return true;
    }

    /** Fails the call a CALLERROR answers; false when no call of ours has that id. */
    public boolean answered(Frame.Error error) {
        Pending p = pending.remove(error.id());
        if (p == null) {
            return false;
        }
        vertx.cancelTimer(p.timer());
        p.promise().tryFail(new OcppError(error.code(), error.description()));
        return true;
    }

    /** The action of a pending call, for metrics; null if none has that id. */
    public String pendingAction(String callId) {
        Pending p = pending.get(callId);
        return p == null ? null : p.action();
    }

    /** Marks the session closed and fails its pending calls. Idempotent. */
    public boolean markClosed() {
        if (closed) {
            return false;
        }
        closed = true;
        pending.values().forEach(p -> {
            vertx.cancelTimer(p.timer());
            p.promise().tryFail(OcppError.offline("the session closed"));
        });
        pending.clear();
        return true;
    }

    public boolean closed() {
        return closed;
    }
}
