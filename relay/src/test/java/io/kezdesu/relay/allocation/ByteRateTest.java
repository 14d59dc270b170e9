package io.kezdesu.relay.allocation;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ByteRateTest {

    @Test
    void oneSecondOfBurstThenTheRate() {
        ByteRate rate = new ByteRate(1000, 0);
        assertTrue(rate.tryTake(600, 0));
        assertTrue(rate.tryTake(400, 0));
        assertFalse(rate.tryTake(1, 0));
        assertTrue(rate.tryTake(500, 500_000_000L), "half a second refills 500 bytes");
        assertFalse(rate.tryTake(1, 500_000_000L));
        assertTrue(rate.tryTake(1000, 10_000_000_000L), "never more than one second of burst");
        assertFalse(rate.tryTake(1, 10_000_000_000L));
    }
}
