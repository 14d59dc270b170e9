package io.kezdesu.common.ratelimit;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * At most {@code limit} of something held at once per key (open connections per client address); 0 = no limit.
 * Every successful {@link #tryAcquire} is paired with one {@link #release}; a key at zero is forgotten.
 */
public final class KeyedLimit {

    private final int limit;
    private final ConcurrentHashMap<String, AtomicInteger> held = new ConcurrentHashMap<>();

    public KeyedLimit(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: >= 0)");
        }
        this.limit = limit;
    }

    public boolean tryAcquire(String key) {
        if (limit == 0) {
            return true;
        }
        boolean[] ok = new boolean[1];
        held.compute(key, (k, n) -> {
            AtomicInteger count = n == null ? new AtomicInteger() : n;
            if (count.get() < limit) {
                count.incrementAndGet();
                ok[0] = true;
            }
            return count.get() == 0 ? null : count;
        });
        return ok[0];
    }

    public void release(String key) {
        if (limit == 0) {
            return;
        }
        held.computeIfPresent(key, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
    }

    /** What {@code key} holds now. */
    public int held(String key) {
        AtomicInteger n = held.get(key);
        return n == null ? 0 : n.get();
    }
}
