package io.kezdesu.common.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConnectionBudgetTest {

    @Test
    void aNewConnectionReplacesTheOldestIdleOneAndIsRefusedWhenAllAreInUse() {
        ConnectionBudget b = new ConnectionBudget(2);
        List<String> closed = new ArrayList<>();
        ConnectionBudget.Place first = b.tryAcquire(() -> closed.add("first"));
        ConnectionBudget.Place second = b.tryAcquire(() -> closed.add("second"));
        assertNotNull(first);
        assertNotNull(second);
        // Both idle: the third takes the place of the oldest, which is closed (its close then releases it).
        ConnectionBudget.Place third = b.tryAcquire(() -> closed.add("third"));
        assertNotNull(third);
        assertEquals(List.of("first"), closed);
        assertEquals(1, b.evicted());
        first.release();
        assertEquals(2, b.held());
        // Both in use: a fourth is refused, nobody is closed, and it takes no place.
        second.inUse();
        third.inUse();
        assertNull(b.tryAcquire(() -> closed.add("fourth")));
        assertEquals(List.of("first"), closed);
        assertEquals(2, b.held());
        // A close gives its place back, once however often it is reported.
        second.release();
        second.release();
        assertEquals(1, b.held());
        assertNotNull(b.tryAcquire(() -> closed.add("fifth")));
        assertEquals(2, b.held());
        // Waiting again, a connection in use may go, after those waiting longer.
        third.idleAgain();
        assertNotNull(b.tryAcquire(() -> closed.add("sixth")));
        assertEquals(List.of("first", "fifth"), closed, "the fifth waited longest");
        assertNotNull(b.tryAcquire(() -> closed.add("seventh")));
        assertEquals(List.of("first", "fifth", "third"), closed);
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
