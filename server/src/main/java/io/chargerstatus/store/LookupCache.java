package io.chargerstatus.store;

import io.vertx.core.Future;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Answers of a read that is asked far more often than its rows change (an id tag at every transaction, a
 * charger's site rules at every start), kept by the verticle that asks them and used on its event loop
 * only. Whoever changes those rows publishes it, and every instance's caches forget (see {@code Bus}), so
 * an answer is never staler than that message. Absent rows are remembered too (a null answer).
 *
 * <p>A read that was in flight when the cache was told to forget is not kept: it may have read the row
 * before the change. Least recently used entries go beyond {@code capacity}.
 */
public final class LookupCache<K, V> {
    private final Map<K, Optional<V>> entries;
    private long generation;

    public LookupCache(int capacity) {
        this.entries = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, Optional<V>> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The kept answer for {@code key}, or {@code read}'s, kept if nothing was forgotten meanwhile. */
    public Future<V> get(K key, Supplier<Future<V>> read) {
        Optional<V> kept = entries.get(key);
        if (kept != null) {
            return Future.succeededFuture(kept.orElse(null));
        }
        long asked = generation;
        return read.get().onSuccess(v -> {
            if (asked == generation) {
                entries.put(key, Optional.ofNullable(v));
            }
        });
    }

    public void forget(K key) {
        entries.remove(key);
        generation++;
    }

    public void forgetAll() {
        entries.clear();
        generation++;
    }

    public int size() {
        return entries.size();
    }
}
