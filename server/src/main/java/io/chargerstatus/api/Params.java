package io.chargerstatus.api;

import io.vertx.ext.web.RoutingContext;
import java.util.regex.Pattern;

/** Path and query parameters, checked before any query runs: a bad one is a 400 naming it. */
final class Params {
    private static final Pattern ID = Pattern.compile("^[A-Za-z0-9._:-]{1,64}$");

    private Params() {}

    /** A path parameter that must be an id: 400 for anything else (before any query runs). */
    static String pathId(RoutingContext ctx, String name) {
        String value = ctx.pathParam(name);
        if (value == null || !ID.matcher(value).matches()) {
            throw ApiError.badRequest(name + " must be 1 to 64 letters, digits or . _ : -");
        }
        return value;
    }

    /** An optional query parameter that must be an id when present. */
    static String queryId(RoutingContext ctx, String name) {
        String value = ctx.queryParams().get(name);
        if (value != null && !ID.matcher(value).matches()) {
            throw ApiError.badRequest(name + " must be 1 to 64 letters, digits or . _ : -");
        }
        return value;
    }

    static int intParam(RoutingContext ctx, String name, int fallback, int min, int max) {
        String raw = ctx.queryParams().get(name);
        if (raw == null) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(raw);
            if (value < min || value > max) {
                throw ApiError.badRequest(name + " must be between " + min + " and " + max);
            }
            return value;
        } catch (NumberFormatException e) {
            throw ApiError.badRequest(name + " must be an integer");
        }
    }

    /** An id tag in a path: 1 to 20 printable characters. */
    static String idTag(RoutingContext ctx) {
        String idTag = ctx.pathParam("idTag");
        if (idTag == null
                || idTag.isEmpty()
                || idTag.length() > 20
                || idTag.chars().anyMatch(Character::isISOControl)) {
            throw ApiError.badRequest("idTag must be 1 to 20 printable characters");
        }
        return idTag;
    }
}
