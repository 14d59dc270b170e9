package io.kezdesu.common.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kezdesu.common.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FailureCounterTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void windowedLimitsWithinTheWindowAndForgetsAfterIt() {
        ManualClock clock = new ManualClock(T0);
        FailureCounter c = FailureCounter.windowed(3, Duration.ofMinutes(10), 100, clock);
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
    void progressiveDoublesTheWaitAfterTheFreeOnesUpToTheWindow() {
        ManualClock clock = new ManualClock(T0);
        FailureCounter c = FailureCounter.progressive(2, Duration.ofSeconds(10), 100, clock);
        c.recordFailure("a");
        c.recordFailure("a");
        assertEquals(Duration.ofSeconds(1), c.retryAfter("a"), "the limit reached: one second");
        clock.advance(Duration.ofSeconds(1));
        assertEquals(Duration.ZERO, c.retryAfter("a"));
        c.recordFailure("a");
        assertEquals(Duration.ofSeconds(2), c.retryAfter("a"));
        clock.advance(Duration.ofSeconds(2));
        c.recordFailure("a");
        assertEquals(Duration.ofSeconds(4), c.retryAfter("a"));
        clock.advance(Duration.ofSeconds(4));
        c.recordFailure("a");
        assertEquals(Duration.ofSeconds(8), c.retryAfter("a"));
        clock.advance(Duration.ofSeconds(8));
        c.recordFailure("a");
        assertEquals(Duration.ofSeconds(10), c.retryAfter("a"), "capped at the window");
        clock.advance(Duration.ofSeconds(10));
        assertEquals(Duration.ZERO, c.retryAfter("a"));
        c.recordFailure("a");
        assertEquals(Duration.ZERO, c.retryAfter("a"), "a quiet window starts the count over");
    }

    @Test
    void resetClearsAKey() {
        FailureCounter c = FailureCounter.windowed(1, Duration.ofMinutes(1), 100, new ManualClock(T0));
        c.recordFailure("a");
        assertTrue(c.retryAfter("a").compareTo(Duration.ZERO) > 0);
        c.reset("a");
        assertEquals(Duration.ZERO, c.retryAfter("a"));
    }

    @Test
    void keysBeyondTheBoundAreNotTrackedAndCannotLockOutNewcomers() {
        FailureCounter c = FailureCounter.windowed(2, Duration.ofMinutes(1), 2, new ManualClock(T0));
        c.recordFailure("a");
        c.recordFailure("b");
        for (int i = 0; i < 10; i++) {
            c.recordFailure("x" + i);
        }
        assertEquals(Duration.ZERO, c.retryAfter("x9"), "a flood of new keys throttles nobody else");
        assertEquals(Duration.ZERO, c.retryAfter("newcomer"));
        c.recordFailure("a");
        assertTrue(c.retryAfter("a").compareTo(Duration.ZERO) > 0, "tracked keys keep their own count");
    }
}
