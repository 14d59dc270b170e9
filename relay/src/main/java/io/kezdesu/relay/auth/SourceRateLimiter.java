package io.kezdesu.relay.auth;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per source address for answers sent over UDP without authentication (401 challenges, Binding
 * responses), so that the relay cannot be used to reflect them at a spoofed victim. Buckets are forgotten wholesale when the table grows past {@link #MAX_SOURCES} (an attacker
 * spraying sources gains at most one burst each).
 */
public final class SourceRateLimiter {

    static final int MAX_SOURCES = 50_000;

    private final double burst;
    private final double perSecond;
    private final ConcurrentHashMap<InetAddress, Bucket> buckets = new ConcurrentHashMap<>();

    public SourceRateLimiter(int burst, int perSecond) {
        if (burst < 1 || perSecond < 1) {
            throw new IllegalArgumentException("burst, perSecond: " + burst + ", " + perSecond + " (expected: >= 1)");
        }
        this.burst = burst;
        this.perSecond = perSecond;
    }

    /** Takes one token; false means drop the answer silently. */
    public boolean tryAcquire(InetAddress source, long nowNanos) {
        if (buckets.size() > MAX_SOURCES) {
            buckets.clear();
        }
        Bucket b = buckets.computeIfAbsent(source, s -> new Bucket(burst, nowNanos));
        synchronized (b) {
            b.tokens = Math.min(burst, b.tokens + (nowNanos - b.lastNanos) / 1e9 * perSecond);
            b.lastNanos = nowNanos;
            if (b.tokens < 1) {
                return false;
            }
            b.tokens -= 1;
            return true;
        }
    }

    private static final class Bucket {
        double tokens;
        long lastNanos;

        Bucket(double tokens, long lastNanos) {
            this.tokens = tokens;
            this.lastNanos = lastNanos;
        }
    }
}
