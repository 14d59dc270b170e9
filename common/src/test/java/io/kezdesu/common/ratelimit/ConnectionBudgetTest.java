package io.kezdesu.common.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class ConnectionBudgetTest {

    @Test
    void aNewConnectionReplacesTheOldestIdleOneAndIsRefusedWhenAllAreInUse() {
        ConnectionBudget b = new ConnectionBudget(2);
        EmbeddedChannel first = new EmbeddedChannel();
        EmbeddedChannel second = new EmbeddedChannel();
        assertTrue(b.tryAcquire(first));
        assertTrue(b.tryAcquire(second));
        // Both idle: the third takes the place of the oldest.
        EmbeddedChannel third = new EmbeddedChannel();
        assertTrue(b.tryAcquire(third));
        assertFalse(first.isOpen(), "the oldest idle connection is closed");
        assertTrue(second.isOpen());
        assertEquals(2, b.held());
        assertEquals(1, b.evicted());
        // Both in use: a fourth is refused, nobody is closed, and it takes no place.
        b.inUse(second);
        b.inUse(third);
        EmbeddedChannel fourth = new EmbeddedChannel();
        assertFalse(b.tryAcquire(fourth));
        assertTrue(second.isOpen() && third.isOpen());
        assertEquals(2, b.held());
        // A close gives its place back.
        second.close();
        assertEquals(1, b.held());
        assertTrue(b.tryAcquire(new EmbeddedChannel()));
    }

    @Test
    void zeroDerivesTheBudgetFromTheOpenFileLimit() {
        assertEquals(65_536 - 6_553, ConnectionBudget.derived(65_536), "a tenth kept back");
        assertEquals(1_024 - 256, ConnectionBudget.derived(1_024), "at least 256 kept back");
        assertEquals(64, ConnectionBudget.derived(200), "never below 64");
        assertEquals(Integer.MAX_VALUE, ConnectionBudget.derived(-1), "unknown: no cap of our own");
        long limit = ConnectionBudget.openFileLimit();
        assertEquals(ConnectionBudget.derived(limit), ConnectionBudget.of(0).limit());
        assertEquals(7, ConnectionBudget.of(7).limit());
        assertThrows(IllegalArgumentException.class, () -> new ConnectionBudget(0));
    }
}
