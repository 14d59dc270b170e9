package io.kezdesu.relay.auth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class SourceRateLimiterTest {

    @Test
    void burstThenRefillPerSource() throws Exception {
        SourceRateLimiter limiter = new SourceRateLimiter(3, 2);
        InetAddress a = InetAddress.getByName("192.0.2.1");
        InetAddress b = InetAddress.getByName("192.0.2.2");
        long t = 1_000_000_000L;
        for (int i = 0; i < 3; i++) {
            assertTrue(limiter.tryAcquire(a, t));
        }
        assertFalse(limiter.tryAcquire(a, t));
        assertTrue(limiter.tryAcquire(b, t), "other sources unaffected");
        assertTrue(limiter.tryAcquire(a, t + 500_000_000L), "one token after half a second at 2/s");
        assertFalse(limiter.tryAcquire(a, t + 500_000_000L));
    }
}
