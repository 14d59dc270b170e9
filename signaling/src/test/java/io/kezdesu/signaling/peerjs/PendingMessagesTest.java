package io.kezdesu.signaling.peerjs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The offline queues' bounds, and that every way a message leaves a queue gives its bytes back. */
class PendingMessagesTest {

    private static final PendingMessages.Limits LIMITS = new PendingMessages.Limits(4, 2, 100, 150);

    private static PendingMessages.Offer offer(PendingMessages q, String dst, String sender, int size) {
        return q.offer(dst, sender, new byte[size], 0, id -> false, () -> {
            throw new AssertionError("not online");
        });
    }

    @Test
    void eachBoundDropsAndDrainExpireAndClearGiveTheBytesBack() {
        PendingMessages q = new PendingMessages(LIMITS);
        assertEquals(PendingMessages.Offer.QUEUED, offer(q, "g1", "a", 60));
        assertEquals(PendingMessages.Offer.DROPPED, offer(q, "g1", "a", 60), "over a's 100 bytes");
        assertEquals(PendingMessages.Offer.QUEUED, offer(q, "g2", "b", 60));
        assertEquals(PendingMessages.Offer.DROPPED, offer(q, "g2", "c", 60), "over 150 bytes in all");
        assertEquals(PendingMessages.Offer.REFUSED, offer(q, "g3", "c", 1), "over 2 ids");
        assertEquals(120, q.bytes());

        List<byte[]> drained = new ArrayList<>();
        q.drain("g1", drained::add);
        assertEquals(1, drained.size());
        assertEquals(60, q.bytes());
        // a's budget is whole again.
        assertEquals(PendingMessages.Offer.QUEUED, offer(q, "g3", "a", 90));

        q.clear("g3");
        assertEquals(60, q.bytes());
        List<PendingMessages.Expired> expired = q.expire(1, 1);
        assertEquals(List.of(new PendingMessages.Expired("b", "g2"), new PendingMessages.Expired("c", "g2")), expired);
        assertEquals(0, q.bytes());
        assertEquals(0, q.size());
    }

    @Test
    void messagesPerIdAreBoundedAsBefore() {
        PendingMessages q = new PendingMessages(new PendingMessages.Limits(2, 10, 1000, 1000));
        assertEquals(PendingMessages.Offer.QUEUED, offer(q, "g", "a", 1));
        assertEquals(PendingMessages.Offer.QUEUED, offer(q, "g", "a", 1));
        assertEquals(PendingMessages.Offer.DROPPED, offer(q, "g", "a", 1));
        assertEquals(2, q.bytes());
    }

    @Test
    void anOnlineIdIsDeliveredToInsteadOfQueued() {
        PendingMessages q = new PendingMessages(LIMITS);
        int[] delivered = new int[1];
        assertEquals(PendingMessages.Offer.DELIVERED, q.offer("g", "a", new byte[5], 0, id -> true,
                () -> delivered[0]++));
        assertEquals(1, delivered[0]);
        assertEquals(0, q.bytes());
    }
}
