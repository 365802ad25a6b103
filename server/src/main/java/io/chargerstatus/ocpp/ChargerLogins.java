package io.chargerstatus.ocpp;

import io.chargerstatus.infra.Passwords;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks chargers' Basic-auth passwords (OCPP security profiles 1 and 2) so that guessing them cannot
 * hurt anybody else. One instance per process, shared by every OCPP verticle: thread-safe.
 *
 * <ul>
 *   <li><b>Failure counting with backoff</b>, per charger id and per source address: past a few free
 *       failures, each one blocks further attempts for twice as long as the previous one (capped). A
 *       blocked attempt is refused (429) without running the hash, so it costs nothing.</li>
 *   <li><b>The hash runs on one worker thread of its own</b>, with a bounded number of checks waiting: a
 *       flood of guesses can take at most that thread, never an event loop or the shared worker pool.</li>
 *   <li><b>A verified password is remembered</b> (an HMAC under a per-process random key, next to the
 *       stored hash it matched), so a charger that reconnects costs a MAC, not a PBKDF2 run. That is what
 *       lets the stored hash be slow.</li>
 * </ul>
 */
public final class ChargerLogins {
    /** Failures of one charger id before backoff starts (a charger's own retries after a password change). */
    static final int FREE_FAILURES_PER_ID = 5;
    /** Failures from one address before backoff starts (many chargers may share a NAT address). */
    static final int FREE_FAILURES_PER_ADDRESS = 20;

    static final long FIRST_BLOCK_MILLIS = 1_000;
    static final long MAX_BLOCK_MILLIS = 60_000;
    /** Checks waiting for the hashing thread beyond which new ones are refused at once (503). */
    static final int MAX_WAITING_CHECKS = 32;

    private static final long FORGET_AFTER_MILLIS = 3_600_000;

    /** What a login attempt came to. */
    public enum Verdict {
        ACCEPTED,
        REJECTED,
        LOCKED_OUT,
        BUSY
    }

    private record Verified(String storedHash, byte[] mac) {}

    private static final class Failures {
        int count;
        long blockedUntil;
        long last;
    }

    private final int iterations;
    private final byte[] macKey = new byte[32];
    private final Map<String, Verified> verified = new ConcurrentHashMap<>();
    private final Map<String, Failures> byId = new HashMap<>();
    private final Map<String, Failures> byAddress = new HashMap<>();
    private final AtomicInteger waiting = new AtomicInteger();

    /** {@code iterations}: the PBKDF2 cost new and re-made hashes get. */
    public ChargerLogins(int iterations) {
        this.iterations = iterations;
        new SecureRandom().nextBytes(macKey);
    }

    /**
     * Checks {@code authorization} (an HTTP Basic header) for {@code chargerId} against its stored hash.
     * {@code hasher} must be a worker executor of one thread reserved for this.
     */
    public Future<Verdict> check(
            WorkerExecutor hasher,
            String chargerId,
            String address,
            String authorization,
            String storedHash,
            long nowMillis) {
        if (blockedFor(chargerId, address, nowMillis) > 0) {
            return Future.succeededFuture(Verdict.LOCKED_OUT);
        }
        String password = Passwords.basicPassword(authorization, chargerId);
        if (password == null) {
            // No credentials at all: what a client that waits for a 401 challenge sends first; not a guess.
            return Future.succeededFuture(Verdict.REJECTED);
        }
        byte[] mac = mac(chargerId, password);
        Verified known = verified.get(chargerId);
        if (known != null && known.storedHash().equals(storedHash) && MessageDigest.isEqual(known.mac(), mac)) {
            succeeded(chargerId, address);
            return Future.succeededFuture(Verdict.ACCEPTED);
        }
        if (waiting.incrementAndGet() > MAX_WAITING_CHECKS) {
            waiting.decrementAndGet();
            return Future.succeededFuture(Verdict.BUSY);
        }
        return hasher.executeBlocking(() -> Passwords.matches(password, storedHash), false)
                .andThen(ar -> waiting.decrementAndGet())
                .map(ok -> {
                    if (ok) {
                        verified.put(chargerId, new Verified(storedHash, mac));
                        succeeded(chargerId, address);
                        return Verdict.ACCEPTED;
                    }
                    failed(chargerId, address, nowMillis);
                    return Verdict.REJECTED;
                });
    }

    /** Whether a hash that just matched was made with fewer iterations than new hashes get. */
    public boolean needsRehash(String storedHash) {
        return Passwords.iterations(storedHash) < iterations;
    }

    /** A new hash of the password in {@code authorization}, at the current cost. Blocking (CPU): run it on the hasher. */
    public String rehash(String chargerId, String authorization) {
        return Passwords.hash(Passwords.basicPassword(authorization, chargerId), iterations);
    }

    /** Remembers the new stored hash of a password that was just verified, so that reconnects stay cheap. */
    public void rehashed(String chargerId, String newHash) {
        verified.computeIfPresent(chargerId, (k, v) -> new Verified(newHash, v.mac()));
    }

    /** Milliseconds until this id or address may try again; 0 when it may now. */
    public synchronized long blockedFor(String chargerId, String address, long nowMillis) {
        long until = 0;
        Failures id = byId.get(chargerId);
        if (id != null) {
            until = id.blockedUntil;
        }
        Failures from = byAddress.get(address);
        if (from != null) {
            until = Math.max(until, from.blockedUntil);
        }
        return Math.max(0, until - nowMillis);
    }

    /** Records a wrong password; true when it starts (or lengthens) a block of this id or address. */
    synchronized boolean failed(String chargerId, String address, long nowMillis) {
        if (byAddress.size() > 10_000) {
            byAddress.values().removeIf(f -> f.last < nowMillis - FORGET_AFTER_MILLIS);
        }
        boolean blockedId = count(byId, chargerId, FREE_FAILURES_PER_ID, nowMillis);
        boolean blockedAddress = count(byAddress, address, FREE_FAILURES_PER_ADDRESS, nowMillis);
        return blockedId || blockedAddress;
    }

    private synchronized void succeeded(String chargerId, String address) {
        byId.remove(chargerId);
        byAddress.remove(address);
    }

    private static boolean count(Map<String, Failures> map, String key, int free, long nowMillis) {
        Failures f = map.computeIfAbsent(key, k -> new Failures());
        if (nowMillis - f.last > FORGET_AFTER_MILLIS) {
            f.count = 0;
        }
        f.count++;
        f.last = nowMillis;
        if (f.count <= free) {
            return false;
        }
        int doublings = Math.min(f.count - free - 1, 16);
        f.blockedUntil = nowMillis + Math.min(MAX_BLOCK_MILLIS, FIRST_BLOCK_MILLIS << doublings);
        return true;
    }

    private byte[] mac(String chargerId, String password) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(macKey, "HmacSHA256"));
            mac.update(chargerId.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            return mac.doFinal(password.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
