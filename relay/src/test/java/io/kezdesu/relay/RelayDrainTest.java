package io.kezdesu.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kezdesu.common.turn.TurnCredential;
import io.kezdesu.relay.TestStun.Msg;
import io.kezdesu.relay.allocation.FiveTuple;
import io.kezdesu.relay.server.Drain;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A draining relay (RFC 8489 §10, RFC 8656 §7.2): a new Allocate gets a signed 300 Try Alternate whose
 * ALTERNATE-SERVER is of the client's family and transport, or 508 when no alternate serves it; allocations made
 * before the drain are refreshed and relay data as before.
 */
class RelayDrainTest {

    private static TurnTestClient client(RelayServer server, String user) throws IOException {
        TurnCredential c = TestRelays.credential(user, null);
        return TurnTestClient.udp(server.udpAddresses().get(0), c.username(), c.password());
    }

    @Test
    void newAllocationsAreSentElsewhereWhileExistingOnesGoOn() throws IOException {
        InetSocketAddress elsewhere = new InetSocketAddress(InetAddress.getLoopbackAddress(), 3479);
        List<FiveTuple.Transport> asked = new ArrayList<>();
        try (RelayServer server = TestRelays.start(c -> c.with(io.kezdesu.common.config.ConfigKeys.ALLOW_LOOPBACK_PEERS,
                true));
             TurnTestClient before = client(server, "before");
             TurnTestClient after = client(server, "after");
             DatagramSocket peer = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            peer.setSoTimeout(TurnTestClient.TIMEOUT_MS);
            assertTrue(before.allocate().isSuccess());
            assertFalse(server.draining());

            server.drain((client, transport) -> {
                asked.add(transport);
                return Optional.of(new Drain.Alternate(elsewhere, Optional.of("turn2.example.org")));
            });
            assertTrue(server.draining());
            Msg redirect = after.allocate();
            assertEquals(300, redirect.errorCode());
            byte[] alternate = redirect.attr(0x8023);
            assertNotNull(alternate, "ALTERNATE-SERVER");
            assertEquals(1, alternate[1], "IPv4, the client's family");
            assertEquals(3479, ByteBuffer.wrap(alternate, 2, 2).getShort() & 0xFFFF);
            assertArrayEquals(elsewhere.getAddress().getAddress(), java.util.Arrays.copyOfRange(alternate, 4, 8));
            assertNull(redirect.attr(0x8003), "ALTERNATE-DOMAIN only for TLS");
            assertNotNull(redirect.attr(0x0008), "signed: the client must check it before it follows");
            assertEquals(List.of(FiveTuple.Transport.UDP), asked);
            assertEquals(1, server.allocationCount(), "no allocation made for the redirected client");

            // The allocation made before the drain is served on: refreshed, and relaying both ways.
            assertTrue(before.refresh(600).isSuccess());
            InetSocketAddress peerAddress = (InetSocketAddress) peer.getLocalSocketAddress();
            assertTrue(before.createPermission(peerAddress).isSuccess());
            before.sendIndication(peerAddress, "still here".getBytes(StandardCharsets.UTF_8));
            DatagramPacket got = new DatagramPacket(new byte[1500], 1500);
            peer.receive(got);
            assertEquals("still here", new String(got.getData(), 0, got.getLength(), StandardCharsets.UTF_8));
            peer.send(new DatagramPacket(new byte[] {1, 2, 3}, 3, got.getSocketAddress()));
            TurnTestClient.Received back = before.receiveData();
            assertNotNull(back);
            assertArrayEquals(new byte[] {1, 2, 3}, back.data());

            // Ended by its client, the allocation is gone: the relay is empty.
            assertTrue(before.refresh(0).isSuccess());
            assertEquals(0, server.allocationCount());
        }
    }

    @Test
    void withNoAlternateForTheClientItSaysInsufficientCapacity() throws IOException {
        try (RelayServer server = TestRelays.start(); TurnTestClient c = client(server, "nobody-else")) {
            server.drain((client, transport) -> Optional.empty());
            assertEquals(508, c.allocate().errorCode());
            assertEquals(0, server.allocationCount());
        }
    }
}
