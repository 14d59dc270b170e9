package io.kezdesu.relay.allocation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kezdesu.relay.stun.StunError;
import io.kezdesu.relay.stun.TurnException;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** RFC 8656 §11.2's rebinding rules. */
class ChannelTableTest {

    private final InetSocketAddress peerA = new InetSocketAddress("192.0.2.1", 1000);
    private final InetSocketAddress peerB = new InetSocketAddress("192.0.2.2", 1000);
    private long now = 1_000;
    private final ChannelTable table = new ChannelTable(0x4FFF, () -> now);

    @Test
    void sameNumberSamePeerRefreshes() {
        ChannelBinding first = table.bind(0x4000, peerA);
        assertSame(first, table.bind(0x4000, peerA));
        assertEquals(1, table.size());
    }

    @Test
    void numberBoundToAnotherPeerIs400() {
        table.bind(0x4000, peerA);
        assertBadRequest(() -> table.bind(0x4000, peerB));
    }

    @Test
    void peerBoundToAnotherNumberIs400() {
        table.bind(0x4000, peerA);
        assertBadRequest(() -> table.bind(0x4001, peerA));
        assertBadRequest(() -> table.bind(0x4001, peerA), "same peer, same IP, same port");
        table.bind(0x4001, new InetSocketAddress("192.0.2.1", 1001)); // another port is another transport address
    }

    @Test
    void numbersOutsideTheRangeAre400() {
        assertBadRequest(() -> table.bind(0x3FFF, peerA));
        assertBadRequest(() -> table.bind(0x5000, peerA));
        table.bind(0x4FFF, peerA);
    }

    @Test
    void expiredBindingQuarantinesItsNumberAndPeerForFiveMinutes() {
        table.expire(table.bind(0x4000, peerA));
        assertBadRequest(() -> table.bind(0x4000, peerB), "number in quarantine");
        assertBadRequest(() -> table.bind(0x4001, peerA), "peer in quarantine");
        table.bind(0x4002, peerB);
        now += ChannelTable.QUARANTINE_NANOS;
        table.bind(0x4000, new InetSocketAddress("192.0.2.3", 1000));
        table.bind(0x4001, peerA);
    }

    @Test
    void theSamePairMayBeBoundAgainAfterExpiry() {
        table.expire(table.bind(0x4000, peerA));
        table.bind(0x4000, peerA);
        assertEquals(1, table.size());
    }

    private static void assertBadRequest(Runnable r) {
        assertBadRequest(r, "");
    }

    private static void assertBadRequest(Runnable r, String message) {
        TurnException e = assertThrows(TurnException.class, r::run, message);
        assertEquals(StunError.BAD_REQUEST, e.error());
    }
}
