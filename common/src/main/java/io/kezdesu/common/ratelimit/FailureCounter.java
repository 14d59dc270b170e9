package io.kezdesu.common.ratelimit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts failures per key (a client address, an account) in a fixed window and says when a key is over its limit:
 * the login throttle. Memory is bounded: the map is swept of expired windows as it grows, and past
 * {@code maxKeys} live keys new keys are counted under one shared overflow key, so a flood of fresh addresses
 * throttles itself instead of exhausting the heap.
 */
public final class FailureCounter {

    private static final String OVERFLOW = "\u0000overflow";

    private final int limit;
    private final Duration window;
    private final int maxKeys;
    private final Clock clock;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    public FailureCounter(int limit, Duration window, int maxKeys, Clock clock) {
        if (limit < 1 || window.isNegative() || window.isZero() || maxKeys < 1) {
            throw new IllegalArgumentException("limit " + limit + ", window " + window + ", maxKeys " + maxKeys
                    + " (expected: all > 0)");
        }
        this.limit = limit;
        this.window = window;
        this.maxKeys = maxKeys;
        this.clock = clock;
    }

    /** How long until {@code key} may try again; {@link Duration#ZERO} when it is under the limit. */
    public Duration retryAfter(String key) {
        Instant now = clock.instant();
        Window w = windows.get(effectiveKey(key));
        if (w == null || w.expired(now) || w.count.get() < limit) {
            return Duration.ZERO;
        }
        Duration left = Duration.between(now, w.end);
        return left.isNegative() ? Duration.ZERO : left;
    }

    public void recordFailure(String key) {
        Instant now = clock.instant();
        if (windows.size() >= maxKeys) {
            windows.values().removeIf(w -> w.expired(now));
        }
        windows.compute(effectiveKey(key), (k, w) -> w == null || w.expired(now) ? new Window(now.plus(window)) : w)
                .count.incrementAndGet();
    }

    public void reset(String key) {
        windows.remove(key);
    }

    private String effectiveKey(String key) {
        return windows.containsKey(key) || windows.size() < maxKeys ? key : OVERFLOW;
    }

    private static final class Window {
        final Instant end;
        final AtomicInteger count = new AtomicInteger();

        Window(Instant end) {
            this.end = end;
        }

        boolean expired(Instant now) {
            return !now.isBefore(end);
        }
    }
}
