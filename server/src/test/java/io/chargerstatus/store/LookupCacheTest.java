package io.chargerstatus.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("What a verticle keeps of rarely changed rows")
class LookupCacheTest {

    @Test
    @DisplayName(
            "reads once, remembers absent rows, forgets on demand, keeps no read that was in flight when told to forget")
    void keepsAndForgets() {
        LookupCache<String, String> cache = new LookupCache<>(2);
        AtomicInteger reads = new AtomicInteger();
        assertEquals(
                "a1",
                cache.get("a", () -> Future.succeededFuture("a" + reads.incrementAndGet()))
                        .result());
        assertEquals(
                "a1",
                cache.get("a", () -> Future.succeededFuture("a" + reads.incrementAndGet()))
                        .result());
        assertNull(cache.get("none", () -> {
                    reads.incrementAndGet();
                    return Future.succeededFuture(null);
                })
                .result());
        assertNull(cache.get("none", () -> Future.succeededFuture("read again")).result(), "an absent row is kept");
        assertEquals(2, reads.get());

        cache.forget("a");
        assertEquals(
                "a3",
                cache.get("a", () -> Future.succeededFuture("a" + reads.incrementAndGet()))
                        .result());

        Promise<String> slow = Promise.promise();
        cache.get("b", slow::future);
        cache.forgetAll(); // the row changed while it was being read
        slow.complete("stale");
        assertEquals(
                "fresh", cache.get("b", () -> Future.succeededFuture("fresh")).result());
    }

    @Test
    @DisplayName("holds at most its capacity, dropping the least recently used")
    void bounded() {
        LookupCache<Integer, Integer> cache = new LookupCache<>(2);
        cache.get(1, () -> Future.succeededFuture(1));
        cache.get(2, () -> Future.succeededFuture(2));
        cache.get(1, () -> Future.succeededFuture(-1)); // 1 used again: 2 is the eldest
        cache.get(3, () -> Future.succeededFuture(3));
        assertEquals(2, cache.size());
        assertEquals(1, cache.get(1, () -> Future.succeededFuture(-1)).result());
        assertEquals(-2, cache.get(2, () -> Future.succeededFuture(-2)).result());
    }
}
