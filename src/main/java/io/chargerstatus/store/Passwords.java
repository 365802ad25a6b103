package io.chargerstatus.store;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Secrets at rest: charger passwords (OCPP security profile 1) as salted PBKDF2, API tokens as SHA-256
 * (they are long random values, so a fast hash is enough). PBKDF2 costs milliseconds on purpose: call
 * {@link #hash} and {@link #matches} off the event loop.
 */
public final class Passwords {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int ITERATIONS = 20_000;

  private Passwords() {
  }

  /** {@code pbkdf2$iterations$salt$hash}, all Base64. Blocking (CPU). */
  public static String hash(String password) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    return "pbkdf2$" + ITERATIONS + "$" + b64(salt) + "$" + b64(pbkdf2(password, salt, ITERATIONS));
  }

  /** Whether {@code password} matches a {@link #hash}. Blocking (CPU). */
  public static boolean matches(String password, String stored) {
    String[] parts = stored.split("\\$");
    if (parts.length != 4 || !parts[0].equals("pbkdf2")) {
      return false;
    }
    byte[] salt = Base64.getDecoder().decode(parts[2]);
    byte[] expected = Base64.getDecoder().decode(parts[3]);
    return MessageDigest.isEqual(expected, pbkdf2(password, salt, Integer.parseInt(parts[1])));
  }

  /**
   * Whether an HTTP {@code Authorization} header carries Basic credentials for {@code user} that match
   * {@code stored}. No stored password means the charger needs none. Blocking (CPU) when one is stored.
   */
  public static boolean basicAuthMatches(String header, String user, String stored) {
    if (stored == null) {
      return true;
    }
    if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
      return false;
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return false;
    }
    int colon = decoded.indexOf(':');
    return colon > 0 && decoded.substring(0, colon).equals(user) && matches(decoded.substring(colon + 1), stored);
  }

  /** A new random API token (256 bits, URL-safe). */
  public static String newToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** SHA-256 of a token, hex: what the database keeps. */
  public static String tokenHash(String token) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
      StringBuilder hex = new StringBuilder();
      for (byte b : digest) {
        hex.append(String.format("%02x", b));
      }
      return hex.toString();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] pbkdf2(String password, byte[] salt, int iterations) {
    try {
      PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String b64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }
}
