package io.chargerstatus.notify;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks signing: {@code v1,<base64 HMAC-SHA256 over "{id}.{timestamp}.{body}">}, keyed with the
 * base64-decoded secret after its {@code whsec_} prefix (the specification's "Signature scheme").
 */
public final class Signature {
    public static final String PREFIX = "whsec_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private Signature() {}

    /** A new secret: 32 random bytes, base64, after {@code whsec_} (the specification allows 24 to 64 bytes). */
    public static String newSecret() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return PREFIX + Base64.getEncoder().encodeToString(key);
    }

    /** The key of a secret, or an IllegalArgumentException saying what is wrong with it. */
    public static byte[] key(String secret) {
        if (secret == null || !secret.startsWith(PREFIX)) {
            throw new IllegalArgumentException("secret must start with " + PREFIX);
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(secret.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("secret must be whsec_ followed by base64");
        }
        if (key.length < 24 || key.length > 64) {
            throw new IllegalArgumentException("secret must hold 24 to 64 bytes of key (base64 after whsec_)");
        }
        return key;
    }

    /** The {@code webhook-signature} header's value. */
    public static String sign(byte[] key, String messageId, long timestampSeconds, String body) {
        return new Signer(key).sign(messageId, timestampSeconds, body);
    }

    /**
     * Signs with one key again and again: the MAC is looked up and keyed once (a subscription's runner keeps
     * one; not for use from two threads).
     */
    public static final class Signer {
        private final Mac mac;

        public Signer(byte[] key) {
            try {
                mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(key, "HmacSHA256"));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
            }
        }

        public String sign(String messageId, long timestampSeconds, String body) {
            return sign(messageId, timestampSeconds, body.getBytes(StandardCharsets.UTF_8));
        }

        /** Over the body's bytes as sent (no second copy of them joined to the id and timestamp). */
        public String sign(String messageId, long timestampSeconds, byte[] body) {
            mac.update((messageId + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
        }
    }
}
