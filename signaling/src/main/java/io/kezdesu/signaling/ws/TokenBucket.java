package io.kezdesu.signaling.ws;

/** A token bucket for one connection (confined to its event loop, so unsynchronised). */
public final class TokenBucket {

    private final double perNano;
    private final long capacity;
    private double tokens;
    private long last;

    public TokenBucket(long perSecond, long capacity) {
        this.perNano = perSecond / 1e9;
        this.capacity = capacity;
        this.tokens = capacity;
        this.last = System.nanoTime();
    }

    public boolean tryTake(long now) {
        tokens = Math.min(capacity, tokens + (now - last) * perNano);
        last = now;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }
}
