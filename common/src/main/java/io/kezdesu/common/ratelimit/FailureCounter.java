package io.kezdesu.common.ratelimit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts events per key (a client address, an account) and says how long a key must wait. Two shapes:
 * <ul>
 *   <li>{@link #windowed}: at most {@code limit} per fixed window, then wait for the window's end (registrations);
 *   <li>{@link #progressive}: {@code limit} free, then each further one doubles the wait after it, from one second up
 *       to {@code window}; a key quiet for a whole window starts over (failed logins: a guesser slows down
 *       exponentially while a person who mistyped a few times is never locked out for long).
 * </ul>
 * Memory is bounded: expired entries are swept as the map grows, and past {@code maxKeys} live keys a new key is not
 * tracked at all. Counting newcomers together instead (as this class once did) let a flood of fresh addresses lock
 * out every newcomer; untracked keys are still held by the other layers (per account, the hashing queue).
 */
public final class FailureCounter {

    private static final Duration FIRST_DELAY = Duration.ofSeconds(1);

    private final int limit;
    private final Duration window;
    private final int maxKeys;
    private final Clock clock;
    private final boolean progressive;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    private FailureCounter(int limit, Duration window, int maxKeys, Clock clock, boolean progressive) {
        if (limit < 1 || window.isNegative() || window.isZero() || maxKeys < 1) {
            throw new IllegalArgumentException("limit " + limit + ", window " + window + ", maxKeys " + maxKeys
                    + " (expected: all > 0)");
        }
        this.limit = limit;
        this.window = window;
        this.maxKeys = maxKeys;
        this.clock = clock;
        this.progressive = progressive;
    }

    /** At most {@code limit} events per fixed {@code window} (from a key's first event); then wait for its end. */
    public static FailureCounter windowed(int limit, Duration window, int maxKeys, Clock clock) {
        return new FailureCounter(limit, window, maxKeys, clock, false);
    }

    /** {@code limit} free events, then waits of 1 s, 2 s, 4 s … at most {@code window}; forgotten after a quiet window. */
    public static FailureCounter progressive(int limit, Duration window, int maxKeys, Clock clock) {
        return new FailureCounter(limit, window, maxKeys, clock, true);
    }

    /** How long until {@code key} may try again; {@link Duration#ZERO} when it may now. */
    public Duration retryAfter(String key) {
        Instant now = clock.instant();
        Entry e = entries.get(key);
        if (e == null || e.expired(now) || e.count < limit) {
            return Duration.ZERO;
        }
        Instant until = progressive ? e.last.plus(delay(e.count)) : e.start.plus(window);
        Duration left = Duration.between(now, until);
        return left.isNegative() ? Duration.ZERO : left;
    }

    private Duration delay(int count) {
        int doublings = Math.min(count - limit, 40);
        Duration d = FIRST_DELAY.multipliedBy(1L << doublings);
        return d.compareTo(window) > 0 ? window : d;
    }

    public void recordFailure(String key) {
        Instant now = clock.instant();
        if (entries.size() >= maxKeys) {
            entries.values().removeIf(e -> e.expired(now));
            if (entries.size() >= maxKeys && !entries.containsKey(key)) {
                return;
            }
        }
        entries.compute(key, (k, e) -> {
            Entry next = e == null || e.expired(now) ? new Entry(now) : e;
            synchronized (next) {
                next.count++;
                next.last = now;
            }
            return next;
        });
    }

    public void reset(String key) {
        entries.remove(key);
    }

    private final class Entry {
        final Instant start;
        volatile Instant last;
        volatile int count;

        Entry(Instant start) {
            this.start = start;
            this.last = start;
        }

        /** Windowed: a window after the first event. Progressive: a window after the last. */
        boolean expired(Instant now) {
            return !now.isBefore((progressive ? last : start).plus(window));
        }
    }
}
