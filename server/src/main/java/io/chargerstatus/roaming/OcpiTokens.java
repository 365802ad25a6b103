package io.chargerstatus.roaming;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * OCPI credentials tokens in the Authorization header: {@code Token <base64 of the token>} as OCPI 2.2.1
 * requires. A header whose value is not valid Base64 is read as the token itself, as OCPI 2.1.1 and 2.2
 * implementations send it (the specification's own note on compatibility).
 */
public final class OcpiTokens {
    private OcpiTokens() {}

    public static String header(String token) {
        return "Token " + Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8));
    }

    /** The credentials token of an Authorization header, or null when there is none. */
    public static String of(String header) {
        if (header == null || !header.regionMatches(true, 0, "Token ", 0, 6)) {
            return null;
        }
        String value = header.substring(6).trim();
        if (value.isEmpty() || value.length() > 512) {
            return null;
        }
        try {
            byte[] decoded = Base64.getDecoder().decode(value);
            // The specification's own example encodes a trailing newline; a token itself is printable.
            String token = new String(decoded, StandardCharsets.UTF_8).strip();
            return token.isEmpty() || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f) ? value : token;
        } catch (IllegalArgumentException e) {
            return value;
        }
    }
}
