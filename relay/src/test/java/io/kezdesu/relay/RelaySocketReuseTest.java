package io.kezdesu.relay;

import static io.kezdesu.relay.RelayServerTest.bytes;
import static io.kezdesu.relay.RelayServerTest.local;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kezdesu.common.config.ConfigKeys;
import io.kezdesu.common.turn.TurnCredential;
import io.kezdesu.relay.TestStun.Msg;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * A deleted allocation's relayed socket stays bound for a while and serves the next allocation on its event loop
 * (docs/RELAY.md, "Relayed sockets"): over real sockets, that the next allocation gets it and works, that nothing
 * sent to the previous allocation reaches the new one, and that idle sockets never cost a port anyone needs.
 */
class RelaySocketReuseTest {

    private static TurnTestClient client(RelayServer server, String user) throws IOException {
        TurnCredential c = TestRelays.credential(user, null);
        return TurnTestClient.udp(server.udpAddresses().get(0), c.username(), c.password());
    }

    @Test
    void theNextAllocationTakesTheSocketAndOnlyItsOwnPeersReachIt() throws IOException {
        try (RelayServer server = TestRelays.start(cfg -> cfg.with(ConfigKeys.RELAY_THREADS, 1));
             TurnTestClient first = client(server, "alice");
             TurnTestClient next = client(server, "bob");
             DatagramSocket peer = RelayServerTest.socket()) {
            InetSocketAddress relayed = first.allocate().address(0x0016);
            assertTrue(first.createPermission(local(peer)).isSuccess());
            assertTrue(first.refresh(0).isSuccess());
            // Sent to the first allocation after it ended: the socket is idle, and this must reach nobody.
            peer.send(new DatagramPacket(bytes("for alice"), 9, relayed));

            Msg allocated = next.allocate();
            assertTrue(allocated.isSuccess(), () -> "error " + allocated.errorCode());
            assertEquals(relayed, allocated.address(0x0016), "one event loop, one idle socket: this one");
            assertTrue(next.createPermission(local(peer)).isSuccess());
            peer.send(new DatagramPacket(bytes("for bob"), 7, relayed));
            TurnTestClient.Received received = next.receiveData();
            assertNotNull(received, "the new allocation receives from its peer");
            assertArrayEquals(bytes("for bob"), received.data(), "and only what was sent after it began");
            assertEquals(local(peer), received.peer());

            next.sendIndication(local(peer), bytes("from bob"));
            DatagramPacket out = RelayServerTest.receive(peer);
            assertEquals("from bob", RelayServerTest.text(out));
            assertEquals(relayed, out.getSocketAddress(), "sent from the reused relayed address");
        }
    }

    @Test
    void portsHeldByIdleSocketsOnAnyLoopAreFreedForAnAllocationThatNeedsThem() throws IOException {
        int port = freeEvenPort();
        try (RelayServer server = TestRelays.start(cfg -> cfg.with(ConfigKeys.RELAY_THREADS, 2)
                .with(ConfigKeys.MIN_PORT, port).with(ConfigKeys.MAX_PORT, port))) {
            // One port in the range. Each client lands on one of the two loops (the kernel spreads them over the
            // listener sockets); an allocation on the other loop than the idle socket's must still get the port.
            for (int i = 0; i < 12; i++) {
                try (TurnTestClient c = client(server, "user" + i)) {
                    Msg allocated = c.allocate();
                    assertTrue(allocated.isSuccess(), () -> "error " + allocated.errorCode());
                    assertEquals(port, allocated.address(0x0016).getPort());
                    assertTrue(c.refresh(0).isSuccess());
                }
            }
            // EVEN-PORT cannot be served from the idle socket; it is closed and its port bound afresh.
            try (TurnTestClient c = client(server, "even")) {
                Msg even = c.authenticated(() -> Msg.request(TurnTestClient.ALLOCATE).transport(17)
                        .add(0x0018, new byte[] {0}));
                assertTrue(even.isSuccess(), () -> "error " + even.errorCode());
                assertEquals(port, even.address(0x0016).getPort());
            }
        }
    }

    @Test
    void closingTheServerClosesIdleSockets() throws IOException {
        int port;
        try (RelayServer server = TestRelays.start(); TurnTestClient c = client(server, "alice")) {
            port = c.allocate().address(0x0016).getPort();
            assertTrue(c.refresh(0).isSuccess());
        }
        try (DatagramSocket again = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
            assertEquals(port, again.getLocalPort(), "the port is free once the relay has stopped");
        }
    }

    private static int freeEvenPort() throws IOException {
        for (int i = 0; i < 100; i++) {
            try (DatagramSocket probe = new DatagramSocket(0)) {
                if (probe.getLocalPort() % 2 == 0) {
                    return probe.getLocalPort();
                }
            }
        }
        throw new IOException("no even ephemeral port in 100 tries");
    }
}
