package io.kezdesu.common.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kezdesu.common.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FailureCounterTest {

    @Test
    void limitsWithinTheWindowAndForgetsAfterIt() {
        ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
        FailureCounter c = new FailureCounter(3, Duration.ofMinutes(10), 100, clock);
        for (int i = 0; i < 3; i++) {
            assertEquals(Duration.ZERO, c.retryAfter("a"));
            c.recordFailure("a");
        }
        assertEquals(Duration.ofMinutes(10), c.retryAfter("a"));
        assertEquals(Duration.ZERO, c.retryAfter("b"), "keys are independent");
        clock.advance(Duration.ofMinutes(4));
        assertEquals(Duration.ofMinutes(6), c.retryAfter("a"));
        clock.advance(Duration.ofMinutes(6));
        assertEquals(Duration.ZERO, c.retryAfter("a"));
    }

    @Test
    void resetClearsAKey() {
        FailureCounter c = new FailureCounter(1, Duration.ofMinutes(1), 100, new ManualClock(Instant.parse("2026-01-01T00:00:00Z")));
        c.recordFailure("a");
        assertTrue(c.retryAfter("a").compareTo(Duration.ZERO) > 0);
        c.reset("a");
        assertEquals(Duration.ZERO, c.retryAfter("a"));
    }

    @Test
    void newKeysBeyondTheBoundShareOneWindow() {
        FailureCounter c = new FailureCounter(2, Duration.ofMinutes(1), 2, new ManualClock(Instant.parse("2026-01-01T00:00:00Z")));
        c.recordFailure("a");
        c.recordFailure("b");
        c.recordFailure("x1");
        c.recordFailure("x2");
        assertTrue(c.retryAfter("x3").compareTo(Duration.ZERO) > 0, "overflow keys are throttled together");
        assertEquals(Duration.ZERO, c.retryAfter("a"), "tracked keys keep their own count");
    }
}
