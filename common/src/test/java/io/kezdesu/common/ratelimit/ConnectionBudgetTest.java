package io.kezdesu.common.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ConnectionBudgetTest {

    @Test
    void holdsAtMostItsLimitAndGivesPlacesBack() {
        ConnectionBudget b = new ConnectionBudget(2);
        assertTrue(b.tryAcquire());
        assertTrue(b.tryAcquire());
        assertFalse(b.tryAcquire());
        assertEquals(2, b.held(), "a refusal takes nothing");
        b.release();
        assertTrue(b.tryAcquire());
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
