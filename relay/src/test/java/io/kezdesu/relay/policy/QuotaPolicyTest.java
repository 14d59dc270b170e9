package io.kezdesu.relay.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class QuotaPolicyTest {

    @Test
    void perUserCountsTheUserIdAcrossRooms() {
        QuotaPolicy q = new QuotaPolicy(2, 0, 0, 10);
        assertTrue(q.tryAcquire("alice", Optional.of("r1")));
        assertTrue(q.tryAcquire("alice", Optional.of("r2")));
        assertFalse(q.tryAcquire("alice", Optional.empty()));
        assertTrue(q.tryAcquire("bob", Optional.of("r1")));
        q.release("alice", Optional.of("r1"));
        assertTrue(q.tryAcquire("alice", Optional.of("r3")));
    }

    @Test
    void perRoomAndTotal() {
        QuotaPolicy q = new QuotaPolicy(0, 2, 3, 10);
        assertTrue(q.tryAcquire("a", Optional.of("room")));
        assertTrue(q.tryAcquire("b", Optional.of("room")));
        assertFalse(q.tryAcquire("c", Optional.of("room")));
        assertTrue(q.tryAcquire("c", Optional.of("other")));
        assertFalse(q.tryAcquire("d", Optional.empty()), "total of 3 reached");
        assertEquals(3, q.total());
    }

    @Test
    void failedAcquireReservesNothing() {
        QuotaPolicy q = new QuotaPolicy(1, 1, 0, 10);
        assertTrue(q.tryAcquire("a", Optional.of("room")));
        assertFalse(q.tryAcquire("b", Optional.of("room")));
        assertTrue(q.tryAcquire("b", Optional.of("other")), "b's failed attempt did not count against b");
    }

    @Test
    void zeroMeansUnlimited() {
        QuotaPolicy q = new QuotaPolicy(0, 0, 0, 10);
        for (int i = 0; i < 1000; i++) {
            assertTrue(q.tryAcquire("a", Optional.of("r")));
        }
    }
}
