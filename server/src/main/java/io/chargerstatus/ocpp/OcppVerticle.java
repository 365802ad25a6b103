package io.chargerstatus.ocpp;

import io.chargerstatus.bus.Bus;
import io.chargerstatus.command.ChargerCalls;
import io.chargerstatus.command.CommandLog;
import io.chargerstatus.infra.Config;
import io.chargerstatus.infra.Schemas;
import io.chargerstatus.ocpp.v16.CentralSystem16;
import io.chargerstatus.ocpp.v201.CentralSystem201;
import io.chargerstatus.rules.ChargerRules;
import io.chargerstatus.rules.RuleStore;
import io.chargerstatus.status.Fact;
import io.chargerstatus.store.DatabaseHealth;
import io.chargerstatus.store.Sql;
import io.chargerstatus.store.Wiring;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds charger WebSocket sessions ({@code /ocpp/{chargerId}}, subprotocol {@code ocpp1.6} or {@code
 * ocpp2.0.1}, the charger's order of preference deciding); deployed
 * once per core, all instances sharing the port.
 *
 * <p>A session talks to the rest of the service only over the event bus: facts to the status engine,
 * calls from anywhere to {@link Bus#chargerCalls}. One periodic timer per instance sends WebSocket pings,
 * closes sessions silent past {@code OFFLINE_AFTER_S}, and asks reconnected chargers for their statuses.
 */
public final class OcppVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(OcppVerticle.class);
    /** WebSocket close code 1001 "going away": chargers reconnect. */
    private static final short GOING_AWAY = 1001;
    /** WebSocket close code 1009 "message too big". */
    private static final short TOO_BIG = 1009;
    /** Largest single frame read before it is refused; frames are refused above MAX_FRAME_BYTES anyway. */
    private static final int FRAME_READ_LIMIT = 256 * 1024;

    private final Wiring wiring;
    private final Map<String, OcppSession> sessions = new HashMap<>();
    private final Map<String, MessageConsumer<Bus.OcppCall>> callConsumers = new HashMap<>();
    private final ChargerLogins logins;
    private ChargerStore store;
    /**
     * One central system per OCPP version, keyed by the version's messages (what the handshake chose): its inbound
     * handlers and its outbound translation. The only place the versions are told apart.
     */
    private Map<OcppMessages, CentralSystem> protocols;

    private Deviations deviations;
    private HttpServer server;
    private WorkerExecutor hasher;
    private long tick;

    private final Config.Ocpp ocpp;
    private final Config.Tls tls;

    /**
     * Its settings ({@code ocpp}, {@code tls}) given here, read nowhere else; {@code wiring}: its pool, metrics and
     * clock; {@code logins}: the password checks every OCPP verticle of the process shares.
     */
    public OcppVerticle(Wiring wiring, Config.Ocpp ocpp, Config.Tls tls, ChargerLogins logins) {
        this.wiring = wiring;
        this.ocpp = ocpp;
        this.tls = tls;
        this.logins = logins;
    }

    @Override
    public Future<?> start() {
        Sql.Access db = wiring.sql(vertx); // one pool for this verticle, shared by its stores
        store = new ChargerStore(db);
        deviations = new Deviations(store, wiring.metrics());
        // One thread for password hashes, shared by name with the other OCPP verticles: guesses can never
        // take an event loop or the worker pool that everything else uses.
        hasher = vertx.createSharedWorkerExecutor("charger-password-checks", 1);
        ChargerCalls calls =
                new ChargerCalls(vertx.eventBus(), new CommandLog(db), wiring.clock(), ocpp.callTimeoutS());
        RuleStore ruleStore = new RuleStore(db);
        ChargerRules rules = new ChargerRules(calls, ruleStore, ocpp.autoStartIdTag());
        protocols = Map.of(
                OcppMessages.V16, new CentralSystem16(vertx, store, rules, ocpp, wiring.metrics()),
                OcppMessages.V201, new CentralSystem201(vertx, store, rules, ocpp, wiring.metrics()));
        MessageConsumer<Bus.SessionOpened> opened =
                vertx.eventBus().consumer(Bus.SESSION_OPENED, this::onSessionOpenedElsewhere);
        MessageConsumer<String> removed = vertx.eventBus().consumer(Bus.CHARGER_REMOVED, m -> {
            ruleStore.forgetCharger(m.body());
            closeSession(m.body(), (short) 1008, "charger removed from the back office");
        });
        // What this verticle keeps of id tags and site rules is forgotten as soon as the back office changes them.
        MessageConsumer<String> updated =
                vertx.eventBus().consumer(Bus.CHARGER_UPDATED, m -> ruleStore.forgetCharger(m.body()));
        MessageConsumer<String> sites = vertx.eventBus().consumer(Bus.SITES_CHANGED, m -> ruleStore.forgetSites());
        MessageConsumer<String> idTags = vertx.eventBus().consumer(Bus.ID_TAGS_CHANGED, m -> store.forgetIdTags());
        tick = vertx.setPeriodic(1000, t -> tick());
        HttpServerOptions options = Handshake.serverOptions(ocpp, tls, FRAME_READ_LIMIT);
        Handshake handshake = new Handshake(
                store, logins, hasher, ocpp.maxSessions(), wiring.metrics(), wiring.clock(), this::opened);
        server = vertx.createHttpServer(options).webSocketHandshakeHandler(handshake::handle);
        return Future.all(List.of(
                        opened.completion(),
                        removed.completion(),
                        updated.completion(),
                        sites.completion(),
                        idTags.completion()))
                .compose(v -> server.listen());
    }

    @Override
    public Future<?> stop() {
        vertx.cancelTimer(tick);
        List<Future<?>> closing = new ArrayList<>();
        for (OcppSession s : new ArrayList<>(sessions.values())) {
            closing.add(s.socket().close(GOING_AWAY, "service stopping"));
        }
        return Future.join(closing).compose(v -> server.close()).andThen(v -> hasher.close());
    }

    // ---- session life ----------------------------------------------------------------------------

    private void opened(ServerWebSocket ws, ChargerStore.ChargerAuth charger) {
        long now = wiring.clock().millis();
        // No subprotocol header at all: OCPP 1.6, as chargers that predate the header's use speak it.
        OcppMessages messages = ws.subProtocol() == null ? OcppMessages.V16 : OcppMessages.of(ws.subProtocol());
        OcppSession session = new OcppSession(
                vertx,
                UUID.randomUUID().toString(),
                charger.id(),
                charger.accountId(),
                charger.secured(),
                ws,
                now,
                messages,
                charger.booted());
        OcppSession previous = sessions.put(charger.id(), session);
        if (previous != null) {
            retire(previous, "replaced by a new connection");
        }
        wiring.metrics().sessionOpened();
        LOG.atInfo()
                .addKeyValue("chargerId", charger.id())
                .addKeyValue("event", "session_opened")
                .log(() -> "session opened: charger " + charger.id() + " from " + ws.remoteAddress());
        MessageConsumer<Bus.OcppCall> calls =
                vertx.eventBus().consumer(Bus.chargerCalls(charger.id()), m -> callFromService(session, m));
        callConsumers.put(session.id(), calls);
        vertx.eventBus().publish(Bus.SESSION_OPENED, new Bus.SessionOpened(charger.id(), session.id()));
        vertx.eventBus()
                .send(
                        Bus.FACTS,
                        new Fact.Connected(
                                charger.id(),
                                session.id(),
                                messages.version,
                                wiring.clock().instant()),
                        Bus.LOCAL);
        session.triggerStatusAt(now + ocpp.triggerStatusAfterS() * 1000L);
        session.pingDue(now, ocpp.wsPingIntervalS() * 1000L);

        ws.frameHandler(frame -> onFrame(session, frame));
        ws.pongHandler(b -> session.seen(wiring.clock().millis()));
        ws.exceptionHandler(e -> LOG.atDebug().log(() -> "session of " + charger.id() + ": " + e));
        ws.closeHandler(v -> closed(session, ws.closeReason() == null ? "socket closed" : ws.closeReason()));
    }

    private void onSessionOpenedElsewhere(Message<Bus.SessionOpened> m) {
        OcppSession mine = sessions.get(m.body().chargerId());
        if (mine != null && !mine.id().equals(m.body().sessionId())) {
            sessions.remove(mine.chargerId());
            retire(mine, "replaced by a new connection");
        }
    }

    /**
     * Closes a session that a newer one replaced, here or on another instance. No Disconnected fact: the
     * charger is online through its new session, and recording it offline in between would be false.
     */
    private void retire(OcppSession old, String reason) {
        LOG.atInfo().log(() -> "session of charger " + old.chargerId() + " " + reason);
        if (old.markClosed()) {
            release(old);
        }
        old.socket().close((short) 1000, reason);
    }

    /** Forgets a session: its calls consumer goes at once, so commands reach the charger's new session only. */
    private void release(OcppSession session) {
        wiring.metrics().sessionClosed();
        sessions.remove(session.chargerId(), session);
        MessageConsumer<Bus.OcppCall> calls = callConsumers.remove(session.id());
        if (calls != null) {
            calls.unregister();
        }
    }

    private void closeSession(String chargerId, short code, String reason) {
        OcppSession s = sessions.get(chargerId);
        if (s != null) {
            s.socket().close(code, reason);
        }
    }

    private void closed(OcppSession session, String reason) {
        if (!session.markClosed()) {
            return;
        }
        release(session);
        LOG.atInfo()
                .addKeyValue("chargerId", session.chargerId())
                .addKeyValue("event", "session_closed")
                .log(() -> "session closed: charger " + session.chargerId() + " (" + reason + ")");
        vertx.eventBus()
                .send(
                        Bus.FACTS,
                        new Fact.Disconnected(
                                session.chargerId(),
                                session.id(),
                                reason,
                                wiring.clock().instant()),
                        Bus.LOCAL);
    }

    private void tick() {
        long now = wiring.clock().millis();
        long silence = ocpp.offlineAfterS() * 1000L;
        long pingEvery = ocpp.wsPingIntervalS() * 1000L;
        deviations.flush();
        for (OcppSession s : new ArrayList<>(sessions.values())) {
            if (s.refill(now, ocpp.maxMessagesPerSecond(), ocpp.messageBurst())) {
                s.socket().resume();
            }
            if (now - s.lastSeenMillis() > silence) {
                LOG.atInfo().log(() ->
                        "charger " + s.chargerId() + " silent for " + ocpp.offlineAfterS() + " s: closing its session");
                s.socket().close(GOING_AWAY, "silent past the offline timeout");
                closed(s, "silent past the offline timeout");
                continue;
            }
            if (s.pingDue(now, pingEvery)) {
                s.socket().writePing(Buffer.buffer("p"));
            }
            if (s.triggerDue(now)) {
                triggerStatus(s);
            }
        }
    }

    /** A charger back without booting: its last statuses stand, and it is asked for fresh ones. */
    private void triggerStatus(OcppSession s) {
        trigger(s, "StatusNotification");
    }

    /** Asks a charger to send a message (the same TriggerMessage in 1.6 and 2.0.1); the answer is only logged. */
    private void trigger(OcppSession s, String requestedMessage) {
        wiring.metrics().ocppMessage("TriggerMessage", "out", "sent");
        s.call(
                        "TriggerMessage",
                        new JsonObject().put("requestedMessage", requestedMessage),
                        ocpp.callTimeoutS() * 1000L)
                .onComplete(ar -> LOG.atDebug().log(() -> "TriggerMessage " + requestedMessage + " to " + s.chargerId()
                        + ": "
                        + (ar.succeeded() ? ar.result().encode() : ar.cause().getMessage())));
    }

    // ---- frames ----------------------------------------------------------------------------------

    /**
     * Reassembles a message from its frames, counting the bytes of every fragment against MAX_FRAME_BYTES
     * before anything is parsed: a message over the cap, whole or fragmented, closes the session with 1009.
     */
    private void onFrame(OcppSession session, WebSocketFrame frame) {
        if (!frame.isText() && !frame.isBinary() && !frame.isContinuation()) {
            return; // ping, pong and close are handled by Vert.x
        }
        session.seen(wiring.clock().millis());
        OcppSession.Assembly assembled = session.assemble(
                frame.isContinuation(), frame.isText(), frame.binaryData(), frame.isFinal(), ocpp.maxFrameBytes());
        switch (assembled) {
            case PARTIAL, DISCARDED -> {}
            case TOO_BIG -> {
                LOG.warn("charger " + session.chargerId() + " sent a message over " + ocpp.maxFrameBytes()
                        + " bytes: closing its session with 1009");
                wiring.metrics().messageTooBig();
                session.socket().close(TOO_BIG, "message larger than " + ocpp.maxFrameBytes() + " bytes");
            }
            case TEXT -> onText(session, session.takeMessage().toString(StandardCharsets.UTF_8));
            case BINARY -> {
                session.takeMessage();
                String code = session.messages().code("FormationViolation");
                session.send(Frame.error("-1", code, "OCPP-J frames are text messages"));
                wiring.metrics().callError(code);
            }
        }
    }

    private void onText(OcppSession session, String text) {
        Instant at = wiring.clock().instant();
        session.seen(at.toEpochMilli());
        if (!session.take(at.toEpochMilli(), ocpp.maxMessagesPerSecond(), ocpp.messageBurst())) {
            // This message is handled; the next ones wait in the charger's TCP buffer until the bucket refills.
            session.socket().pause();
            wiring.metrics().throttled();
            LOG.atDebug().log(() ->
                    "charger " + session.chargerId() + " throttled above " + ocpp.maxMessagesPerSecond() + " msg/s");
        }
        Frame frame;
        try {
            frame = Frame.parse(text);
        } catch (Frame.Malformed e) {
            reject(session, e.id(), "unparsed", e.code(), e.getMessage());
            return;
        }
        if (frame instanceof Frame.Call call) {
            onCall(session, call, at);
        } else if (frame instanceof Frame.Result result) {
            String action = session.pendingAction(result.id());
            if (session.answered(result)) {
                wiring.metrics().ocppMessage(action, "out", "ok");
            }
        } else if (frame instanceof Frame.Error error) {
            String action = session.pendingAction(error.id());
            if (session.answered(error)) {
                wiring.metrics().ocppMessage(action, "out", "CallError");
            }
        }
    }

    private void onCall(OcppSession session, Frame.Call call, Instant at) {
        String action = call.action();
        OcppMessages messages = session.messages();
        if (!messages.chargerInitiated.contains(action)) {
            boolean known = messages.centralSystemInitiated.contains(action);
            reject(
                    session,
                    call.id(),
                    known ? action : "unknown",
                    known ? "NotSupported" : "NotImplemented",
                    known
                            ? action + " is sent by a central system, not by a charge point"
                            : "unknown action " + action);
            return;
        }
        boolean strict = ocpp.strict();
        // A charger that never booted and talks without booting first (after a move from another back office, say)
        // is asked for its BootNotification once, after this CALL is answered: vendor, model and firmware then fill in.
        boolean askForBoot = session.firstCallWithoutBoot(action) && !strict;
        if (askForBoot) {
            deviations.used(session, FieldTolerance.Rule.NO_BOOT, action, "first CALL " + action + ", no boot", at);
        }
        Future<JsonObject> reply;
        try {
            for (FieldTolerance.Use use : messages.admitRequest(action, call.payloadTree(), strict)) {
                deviations.used(session, use.rule(), action + "." + use.field(), use.detail(), at);
            }
            reply = protocols.get(messages).handle(session, action, call.payload(), at);
        } catch (OcppError e) {
            reply = Future.failedFuture(e);
        }
        reply.onComplete(ar -> {
            if (ar.succeeded()) {
                wiring.metrics().ocppMessage(action, "in", "ok");
                session.send(Frame.result(call.id(), ar.result()));
            } else if (ar.cause() instanceof OcppError e) {
                reject(session, call.id(), action, e.code(), e.getMessage());
            } else {
                if (!DatabaseHealth.unavailable(ar.cause())) { // an outage is logged once, by the database health
                    LOG.warn("handling " + action + " of " + session.chargerId() + " failed: " + ar.cause());
                }
                reject(session, call.id(), action, "InternalError", "the central system could not process the message");
            }
            if (askForBoot) {
                trigger(session, "BootNotification");
            }
        });
    }

    private void reject(OcppSession session, String id, String action, String ocpp16Code, String description) {
        String code = session.messages().code(ocpp16Code); // the error codes of the session's version
        wiring.metrics().ocppMessage(action, "in", code);
        wiring.metrics().callError(code);
        session.send(Frame.error(id, code, description));
    }

    /**
     * A CALL that the service (command API, rules, another instance) wants this charger to answer. Calls are
     * written in OCPP 1.6; the session's central system writes them in its version (CentralSystem#outbound); answers
     * are passed on as they came. A call
     * that does not fit the charger's schema is refused before it is sent.
     */
    private void callFromService(OcppSession session, Message<Bus.OcppCall> m) {
        Bus.OcppCall call = m.body();
        CentralSystem.Outbound sent;
        try {
            sent = protocols.get(session.messages()).outbound(call.action(), call.payload(), session);
            session.messages()
                    .checkRequest(
                            sent.action(),
                            Schemas.MAPPER.valueToTree(sent.payload().getMap()));
        } catch (OcppError | IllegalArgumentException | ClassCastException e) { // a payload that cannot be written
            LOG.info("call " + call.action() + " to " + session.chargerId() + " (OCPP " + session.messages().version
                    + ") refused before sending: " + e.getMessage());
            m.fail(Bus.Failure.INVALID.code(), "not a valid " + call.action() + " for this charger: " + e.getMessage());
            return;
        }
        wiring.metrics().ocppMessage(sent.action(), "out", "sent");
        session.call(sent.action(), sent.payload(), ocpp.callTimeoutS() * 1000L).onComplete(ar -> {
            if (ar.succeeded()) {
                m.reply(ar.result());
            } else if (ar.cause() instanceof OcppError e) {
                Bus.Failure failure = switch (e.kind()) {
                    case TIMEOUT -> Bus.Failure.TIMEOUT;
                    case OFFLINE -> Bus.Failure.OFFLINE;
                    case CALL_ERROR -> Bus.Failure.CALL_ERROR;
                };
                m.fail(failure.code(), e.code() + ": " + e.getMessage());
            } else {
                m.fail(Bus.Failure.INTERNAL.code(), String.valueOf(ar.cause()));
            }
        });
    }
}
