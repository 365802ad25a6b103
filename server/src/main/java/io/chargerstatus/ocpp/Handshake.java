package io.chargerstatus.ocpp;

import io.chargerstatus.infra.Config;
import io.chargerstatus.infra.Metrics;
import io.chargerstatus.store.DatabaseHealth;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.net.PemTrustOptions;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket upgrade of {@code /ocpp/{chargerId}}: the charger id, the subprotocol, the session cap,
 * then who the charger is (security profile 3 by certificate, 1 and 2 by password) — each refusal with
 * its HTTP status and a reason counted in {@code charger_status_ocpp_upgrades_refused_total}. What a session does once
 * open is {@link OcppVerticle}'s.
 */
final class Handshake {
    private static final Logger LOG = LoggerFactory.getLogger(Handshake.class);
    /** The subprotocols spoken. */
    static final List<String> SUBPROTOCOLS = List.of("ocpp1.6", "ocpp2.0.1");
    /** What a charger id may be: the same rule as the REST API's registration, so nothing else can be registered. */
    private static final Pattern CHARGER_ID = Pattern.compile("^[A-Za-z0-9._:-]{1,48}$");

    private final ChargerStore store;
    private final ChargerLogins logins;
    private final WorkerExecutor hasher;
    private final int maxSessions;
    private final Metrics metrics;
    private final Clock clock;
    private final BiConsumer<ServerWebSocket, ChargerStore.ChargerAuth> opened;
    /** When each unregistered id was last logged; bounded (cleared when full: at worst a line more). */
    private final Map<String, Long> unknownLogged = new HashMap<>();

    private static final int UNKNOWN_LOGGED_MAX = 10_000;

    /**
     * {@code hasher}: the worker of one thread that runs password hashes; {@code opened}: what to do with
     * an accepted socket.
     */
    Handshake(
            ChargerStore store,
            ChargerLogins logins,
            WorkerExecutor hasher,
            int maxSessions,
            Metrics metrics,
            Clock clock,
            BiConsumer<ServerWebSocket, ChargerStore.ChargerAuth> opened) {
        this.store = store;
        this.logins = logins;
        this.hasher = hasher;
        this.maxSessions = maxSessions;
        this.metrics = metrics;
        this.clock = clock;
        this.opened = opened;
    }

    /**
     * Completes the upgrade. A charger that gave up meanwhile (its own handshake timeout, during a storm)
     * makes Vert.x 5.0.7 throw from accept() while it tries to answer the closed connection: that is one
     * abandoned upgrade, counted, not an error of this service.
     */
    private void accept(ServerWebSocketHandshake hs, ChargerStore.ChargerAuth charger) {
        try {
            hs.accept().onSuccess(ws -> opened.accept(ws, charger));
        } catch (IllegalStateException gone) {
            metrics.upgradeRefused("abandoned");
            LOG.atDebug().log(() -> "charger " + charger.id() + " gave up its upgrade: " + gone.getMessage());
        }
    }

    private void refuse(ServerWebSocketHandshake hs, int status, String reason) {
        metrics.upgradeRefused(reason);
        hs.reject(status);
    }

    void handle(ServerWebSocketHandshake hs) {
        String chargerId = chargerId(hs.path());
        if (chargerId == null) {
            refuse(hs, 404, "not_found");
            return;
        }
        String offered = hs.headers().get("Sec-WebSocket-Protocol");
        if (offered != null && !offersOcpp(offered)) {
            refuse(hs, 400, "subprotocol");
            return;
        }
        if (metrics.connectedChargers() >= maxSessions) {
            LOG.warn("refused charger " + chargerId + ": " + maxSessions + " sessions already open");
            refuse(hs, 503, "capacity");
            return;
        }
        store.chargerAuth(chargerId).onComplete(ar -> {
            if (ar.failed()) {
                if (!DatabaseHealth.unavailable(ar.cause())) { // an outage is logged once, by the database health
                    LOG.warn("cannot look up charger " + chargerId + " at upgrade: " + ar.cause());
                }
                refuse(hs, 503, "error");
            } else if (ar.result() == null) {
                if (firstRefusalInAMinute(chargerId)) {
                    // "Why does my charger not connect?" has its answer here (a charger retries every few seconds:
                    // one line a minute per id, not one per attempt).
                    LOG.atInfo()
                            .addKeyValue("chargerId", chargerId)
                            .addKeyValue("event", "unknown_charger")
                            .log(() -> "refused charger " + chargerId + " from " + hs.remoteAddress()
                                    + ": no charger with this id is registered (POST /api/v1/chargers): HTTP 404");
                }
                refuse(hs, 404, "unknown_charger");
            } else {
                authenticate(hs, ar.result());
            }
        });
    }

    /**
     * Security profile 3 first (a client certificate, already verified against TLS_CLIENT_CA_PATH by the TLS
     * handshake, whose CN must be this charger), then profiles 1 and 2 (a password, when one is set).
     */
    /**
     * The OCPP port's server: the subprotocols, no compression, the frame limits, the idle timeout of connections
     * that never upgrade, and TLS (security profiles 2 and 3) when configured. {@code frameReadLimit}: the largest
     * frame read in order to refuse it with 1009 ourselves.
     */
    static HttpServerOptions serverOptions(Config.Ocpp ocpp, Config.Tls tls, int frameReadLimit) {
        HttpServerOptions options = new HttpServerOptions()
                .setPort(ocpp.port())
                // Netty picks the first of the charger's own list that is in this one: the charger's preference
                // decides.
                .setWebSocketSubProtocols(Handshake.SUBPROTOCOLS)
                // No permessage-deflate / per-frame compression: the size cap must hold for what the event loop
                // actually holds, and a 61 KB compressed frame can inflate to 60 MiB (a decompression bomb).
                .setPerMessageWebSocketCompressionSupported(false)
                .setPerFrameWebSocketCompressionSupported(false)
                // Frames above the cap still have to be read to answer them with close code 1009; a frame up to
                // frameReadLimit is read and refused by us, a larger one is refused by Netty's decoder (also 1009).
                .setMaxWebSocketFrameSize(Math.max(frameReadLimit, ocpp.maxFrameBytes()))
                .setMaxWebSocketMessageSize(Math.max(frameReadLimit, ocpp.maxFrameBytes()))
                // A connection with no traffic either way for this long is dead. Sessions are pinged every
                // WS_PING_INTERVAL_S, so only connections that never upgrade (or stopped answering at the TCP
                // level) reach it: the handshake timeout.
                .setIdleTimeout(ocpp.wsPingIntervalS() + ocpp.handshakeTimeoutS())
                .setIdleTimeoutUnit(TimeUnit.SECONDS);
        if (tls.keyCertOptions() != null) {
            options.setSsl(true).setKeyCertOptions(tls.keyCertOptions()); // OCPP security profile 2: wss://
            if (tls.clientCaPath() != null) {
                // Profile 3: a charger may present a certificate signed by this CA instead of a password.
                options.setClientAuth(ClientAuth.REQUEST)
                        .setTrustOptions(new PemTrustOptions().addCertPath(tls.clientCaPath()));
            }
        }
        return options;
    }

    private boolean firstRefusalInAMinute(String chargerId) {
        long now = clock.millis();
        Long last = unknownLogged.get(chargerId);
        if (last != null && now - last < 60_000) {
            return false;
        }
        if (unknownLogged.size() >= UNKNOWN_LOGGED_MAX) {
            unknownLogged.clear();
        }
        unknownLogged.put(chargerId, now);
        return true;
    }

    private void authenticate(ServerWebSocketHandshake hs, ChargerStore.ChargerAuth charger) {
        String certified = certifiedChargerId(hs);
        if (certified != null) {
            if (certified.equals(charger.id())) {
                accept(hs, charger);
            } else {
                LOG.atInfo().log(() -> "refused charger " + charger.id() + " from " + hs.remoteAddress()
                        + ": its certificate is for " + certified);
                refuse(hs, 403, "certificate");
            }
            return;
        }
        if (charger.passwordHash() == null) {
            accept(hs, charger);
            return;
        }
        String address = hs.remoteAddress() == null ? "?" : hs.remoteAddress().hostAddress();
        String authorization = hs.headers().get("Authorization");
        logins.check(hasher, charger.id(), address, authorization, charger.passwordHash(), clock.millis())
                .onComplete(ar -> {
                    ChargerLogins.Verdict verdict = ar.succeeded() ? ar.result() : ChargerLogins.Verdict.BUSY;
                    switch (verdict) {
                        case ACCEPTED -> {
                            accept(hs, charger);
                            rehashIfCheap(charger, authorization);
                        }
                        case REJECTED -> {
                            if (logins.blockedFor(charger.id(), address, clock.millis()) > 0) {
                                LOG.info("charger " + charger.id() + " from " + address
                                        + ": repeated wrong passwords, further attempts refused for a while");
                            }
                            refuse(hs, 401, "auth");
                        }
                        case LOCKED_OUT -> {
                            metrics.authLockedOut();
                            refuse(hs, 429, "auth_backoff");
                        }
                        case BUSY -> refuse(hs, 503, "auth_busy");
                    }
                });
    }

    /** A password stored with fewer iterations than configured gets a new hash now that it is known. */
    private void rehashIfCheap(ChargerStore.ChargerAuth charger, String authorization) {
        if (logins.needsRehash(charger.passwordHash())) {
            hasher.executeBlocking(() -> logins.rehash(charger.id(), authorization), false)
                    .compose(newHash -> store.rehashPassword(charger.id(), charger.passwordHash(), newHash)
                            .onSuccess(v -> logins.rehashed(charger.id(), newHash)))
                    .onFailure(e -> LOG.atDebug().log(() -> "rehash of " + charger.id() + "'s password: " + e));
        }
    }

    /** The CN of a verified client certificate (security profile 3); null when the charger presented none. */
    private static String certifiedChargerId(ServerWebSocketHandshake hs) {
        if (!hs.isSsl()) {
            return null;
        }
        try {
            List<Certificate> chain = hs.peerCertificates();
            if (chain == null || chain.isEmpty() || !(chain.get(0) instanceof X509Certificate cert)) {
                return null;
            }
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return String.valueOf(rdn.getValue());
                }
            }
            return "";
        } catch (SSLPeerUnverifiedException | InvalidNameException e) {
            return null;
        }
    }

    /** The charger id of {@code /ocpp/{id}}, URL-decoded; null when the path is not of that shape. */
    static String chargerId(String path) {
        if (path == null || !path.startsWith("/ocpp/")) {
            return null;
        }
        String raw = path.substring("/ocpp/".length());
        String id;
        try {
            id = URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        return CHARGER_ID.matcher(id).matches() ? id : null;
    }

    private static boolean offersOcpp(String header) {
        for (String p : header.split(",")) {
            if (SUBPROTOCOLS.contains(p.trim())) {
                return true;
            }
        }
        return false;
    }
}
