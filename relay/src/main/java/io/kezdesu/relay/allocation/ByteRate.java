package io.kezdesu.relay.allocation;

/**
 * {@code max-bps}: a byte token bucket with one second of burst, one per allocation, used on its event loop only.
 * Packets that do not fit are dropped (UDP semantics; the application's congestion control reacts).
 */
final class ByteRate {

    private final double perSecond;
    private double tokens;
    private long last;

    ByteRate(long perSecond, long nowNanos) {
        this.perSecond = perSecond;
        this.tokens = perSecond;
        this.last = nowNanos;
    }

    boolean tryTake(int bytes, long nowNanos) {
        tokens = Math.min(perSecond, tokens + (nowNanos - last) / 1e9 * perSecond);
        last = nowNanos;
        if (tokens < bytes) {
            return false;
        }
        tokens -= bytes;
        return true;
    }
}
