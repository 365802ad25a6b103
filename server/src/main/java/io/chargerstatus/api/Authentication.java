package io.chargerstatus.api;

import io.chargerstatus.infra.Passwords;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Who is calling: the admin token or an account's API token, looked up by its SHA-256. Runs before any
 * body is read; the request is paused during the lookup so that its body is still there afterwards.
 */
final class Authentication implements Handler<RoutingContext> {
    private static final String PRINCIPAL = "principal";

    private final AccountStore store;
    private final byte[] adminToken;

    Authentication(AccountStore store, String adminToken) {
        this.store = store;
        this.adminToken = adminToken.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void handle(RoutingContext ctx) {
        String token = bearer(ctx);
        if (token == null) {
            ctx.fail(ApiError.unauthorized());
            return;
        }
        if (MessageDigest.isEqual(adminToken, token.getBytes(StandardCharsets.UTF_8))) {
            ctx.put(PRINCIPAL, Principal.ADMIN);
            ctx.next();
            return;
        }
        // The body must wait while the token is looked up, or it would be gone when the body handler runs.
        ctx.request().pause();
        store.token(Passwords.tokenHash(token)).onComplete(ar -> {
            if (ar.succeeded() && ar.result() != null) {
                ctx.put(
                        PRINCIPAL,
                        new Principal(ar.result().accountId(), ar.result().id()));
                ctx.request().resume();
                ctx.next();
            } else {
                ctx.request().resume(); // the body of a refused request is read and dropped, never kept
                ctx.fail(ar.failed() ? ar.cause() : ApiError.unauthorized());
            }
        });
    }

    /** The bearer token; the SSE route also takes {@code ?access_token=} because EventSource cannot set headers. */
    private static String bearer(RoutingContext ctx) {
        String header = ctx.request().getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return header.substring(7).trim();
        }
        if (ctx.request().path().endsWith("/events")) {
            return ctx.queryParams().get("access_token");
        }
        return null;
    }

    /** The caller {@link #handle} found. */
    static Principal principal(RoutingContext ctx) {
        return ctx.get(PRINCIPAL);
    }
}
