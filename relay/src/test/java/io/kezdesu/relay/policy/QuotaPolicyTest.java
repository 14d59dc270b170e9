package io.kezdesu.relay.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class QuotaPolicyTest {

    @Test
    void perUserCountsTheUserIdAcrossRooms() {
        QuotaPolicy q = new QuotaPolicy(2, 0, 0, 0, 10);
        assertTrue(q.tryAcquire("alice", Optional.of("r1"), "192.0.2.1"));
        assertTrue(q.tryAcquire("alice", Optional.of("r2"), "192.0.2.1"));
        assertFalse(q.tryAcquire("alice", Optional.empty(), "192.0.2.1"));
        assertTrue(q.tryAcquire("bob", Optional.of("r1"), "192.0.2.1"));
        q.release("alice", Optional.of("r1"), "192.0.2.1");
        assertTrue(q.tryAcquire("alice", Optional.of("r3"), "192.0.2.1"));
    }

    @Test
    void perRoomAndTotal() {
        QuotaPolicy q = new QuotaPolicy(0, 2, 3, 0, 10);
        assertTrue(q.tryAcquire("a", Optional.of("room"), "192.0.2.1"));
        assertTrue(q.tryAcquire("b", Optional.of("room"), "192.0.2.1"));
        assertFalse(q.tryAcquire("c", Optional.of("room"), "192.0.2.1"));
        assertTrue(q.tryAcquire("c", Optional.of("other"), "192.0.2.1"));
        assertFalse(q.tryAcquire("d", Optional.empty(), "192.0.2.1"), "total of 3 reached");
        assertEquals(3, q.total());
    }

    @Test
    void failedAcquireReservesNothing() {
        QuotaPolicy q = new QuotaPolicy(1, 1, 0, 0, 10);
        assertTrue(q.tryAcquire("a", Optional.of("room"), "192.0.2.1"));
        assertFalse(q.tryAcquire("b", Optional.of("room"), "192.0.2.1"));
        assertTrue(q.tryAcquire("b", Optional.of("other"), "192.0.2.1"), "b's failed attempt did not count against b");
    }

    @Test
    void zeroMeansUnlimited() {
        QuotaPolicy q = new QuotaPolicy(0, 0, 0, 0, 10);
        for (int i = 0; i < 1000; i++) {
            assertTrue(q.tryAcquire("a", Optional.of("r"), "192.0.2.1"));
        }
    }

    @Test
    void perAddressCountsEveryAccountOnOneAddress() {
        QuotaPolicy q = new QuotaPolicy(10, 0, 0, 2, 10);
        assertTrue(q.tryAcquire("farm1", Optional.empty(), "192.0.2.1"));
        assertTrue(q.tryAcquire("farm2", Optional.empty(), "192.0.2.1"));
        assertFalse(q.tryAcquire("farm3", Optional.empty(), "192.0.2.1"), "a third account, the same address");
        assertTrue(q.tryAcquire("farm3", Optional.empty(), "192.0.2.2"), "another address");
        q.release("farm1", Optional.empty(), "192.0.2.1");
        assertTrue(q.tryAcquire("farm4", Optional.empty(), "192.0.2.1"));
        assertEquals(3, q.total());
    }
}
