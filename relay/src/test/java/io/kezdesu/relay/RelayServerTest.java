package io.kezdesu.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kezdesu.common.config.ConfigKeys;
import io.kezdesu.common.turn.TurnCredential;
import io.kezdesu.relay.TestStun.Msg;
import io.kezdesu.relay.TurnTestClient.Received;
import io.kezdesu.relay.allocation.UdpSockets;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** End-to-end over real loopback sockets: the happy paths of every method, UDP and TCP. */
class RelayServerTest {

    private RelayServer server;
    private DatagramSocket peer;
    private DatagramSocket peer2;

    @BeforeEach
    void start() throws IOException {
        server = TestRelays.start();
        peer = socket();
        peer2 = socket();
    }

    @AfterEach
    void stop() {
        server.close();
        server.close(); // idempotent
        peer.close();
        peer2.close();
    }

    static DatagramSocket socket() throws IOException {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        s.setSoTimeout(TurnTestClient.TIMEOUT_MS);
        return s;
    }

    TurnTestClient client(boolean tcp) throws IOException {
        TurnCredential c = TestRelays.credential("alice", "room1");
        return tcp ? TurnTestClient.tcp(server.tcpAddresses().get(0), c.username(), c.password())
                : TurnTestClient.udp(server.udpAddresses().get(0), c.username(), c.password());
    }

    @Test
    void bindingReturnsXorMappedAddressAndFingerprint() throws IOException {
        try (TurnTestClient client = client(false)) {
            Msg response = client.unsigned(Msg.request(0x001));
            assertTrue(response.isSuccess());
            assertEquals(client.localAddress(), response.address(0x0020));
            assertEquals(0x8028, response.attrs.get(response.attrs.size() - 1).type());
        }
    }

    @Test
    void challengeIsSmallThenAllocateSucceedsWithIntegrity() throws IOException {
        try (TurnTestClient client = client(false)) {
            Msg request = Msg.request(TurnTestClient.ALLOCATE).transport(17);
            client.sendRaw(request.encode(null, false));
            byte[] raw = client.receiveRaw();
            assertTrue(raw.length <= 72, "401 of " + raw.length + " bytes");
            Msg challenge = Msg.decode(raw, raw.length);
            assertEquals(401, challenge.errorCode());
            assertEquals(3, challenge.attrs.size());
            assertEquals(TestRelays.REALM, challenge.string(0x0014));
            assertNotNull(challenge.string(0x0015));

            Msg allocated = client.allocate();
            assertTrue(allocated.isSuccess(), () -> "error " + allocated.errorCode());
            assertEquals(600, allocated.lifetime());
            assertEquals(InetAddress.getLoopbackAddress(), allocated.address(0x0016).getAddress());
            assertEquals(client.localAddress(), allocated.address(0x0020));
            assertNotNull(allocated.attr(0x0008));
            assertEquals(1, server.allocationCount());
        }
    }

    @Test
    void refreshWithZeroLifetimeDeletesTheAllocation() throws IOException {
        try (TurnTestClient client = client(false)) {
            assertTrue(client.allocate().isSuccess());
            Msg refreshed = client.refresh(0);
            assertTrue(refreshed.isSuccess());
            assertEquals(0, refreshed.lifetime());
            assertEquals(0, server.allocationCount());
            assertEquals(437, client.createPermission(local(peer)).errorCode());
        }
    }

    @Test
    void refreshExtendsUpToTheMaximum() throws IOException {
        try (TurnTestClient client = client(false)) {
            assertTrue(client.allocate().isSuccess());
            assertEquals(3600, client.refresh(100_000).lifetime());
            assertEquals(600, client.refresh(5).lifetime());
        }
    }

    @ParameterizedTest(name = "tcp={0}")
    @ValueSource(booleans = {false, true})
    void sendIndicationsAndDataIndicationsWithTwoPermittedPeers(boolean tcp) throws IOException {
        try (TurnTestClient client = client(tcp)) {
            InetSocketAddress relayed = client.allocate().address(0x0016);
            assertTrue(client.createPermission(local(peer), local(peer2)).isSuccess());

            client.sendIndication(local(peer), bytes("to peer one"));
            DatagramPacket got = receive(peer);
            assertEquals("to peer one", text(got));
            assertEquals(relayed, got.getSocketAddress());

            peer2.send(new DatagramPacket(bytes("from two"), 8, relayed));
            Received back = client.receiveData();
            assertEquals(-1, back.channel());
            assertEquals(local(peer2), back.peer());
            assertEquals("from two", new String(back.data(), StandardCharsets.UTF_8));
        }
    }

    @ParameterizedTest(name = "tcp={0}")
    @ValueSource(booleans = {false, true})
    void channelDataBothWays(boolean tcp) throws IOException {
        try (TurnTestClient client = client(tcp)) {
            InetSocketAddress relayed = client.allocate().address(0x0016);
            assertTrue(client.channelBind(0x4001, local(peer)).isSuccess());
            assertTrue(client.channelBind(0x4001, local(peer)).isSuccess(), "refreshing the same binding");

            client.sendChannelData(0x4001, bytes("odd-5"));
            DatagramPacket got = receive(peer);
            assertEquals("odd-5", text(got));
            assertEquals(relayed, got.getSocketAddress());

            peer.send(new DatagramPacket(bytes("reply!!"), 7, relayed));
            Received back = client.receiveData();
            assertEquals(0x4001, back.channel());
            assertEquals("reply!!", new String(back.data(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void peerWithoutPermissionIsNotRelayed() throws IOException {
        try (TurnTestClient client = client(false)) {
            InetSocketAddress relayed = client.allocate().address(0x0016);
            DatagramSocket stranger = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
            try (stranger) {
                assertTrue(client.createPermission(local(peer)).isSuccess());
                stranger.send(new DatagramPacket(bytes("spoof"), 5, relayed));
                peer.send(new DatagramPacket(bytes("legit"), 5, relayed));
                Received first = client.receiveData();
                assertEquals("legit", new String(first.data(), StandardCharsets.UTF_8));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void relayThreadsSetsTheEventLoopsAndDataStillFlowsBothWays(int threads) throws IOException {
        try (RelayServer custom = TestRelays.start(cfg -> cfg.with(ConfigKeys.RELAY_THREADS, threads))) {
            assertEquals(threads, custom.eventLoops());
            TurnCredential c = TestRelays.credential("bob", "room1");
            try (TurnTestClient client = TurnTestClient.udp(custom.udpAddresses().get(0), c.username(),
                    c.password())) {
                InetSocketAddress relayed = client.allocate().address(0x0016);
                assertTrue(client.channelBind(0x4004, local(peer)).isSuccess());
                client.sendChannelData(0x4004, bytes("out"));
                assertEquals("out", new String(data(receiveLarge(peer)), StandardCharsets.UTF_8));
                peer.send(new DatagramPacket(bytes("back"), 4, relayed));
                assertEquals("back", new String(client.receiveData().data(), StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void aBurstArrivesWholeAndInOrderBothWays() throws IOException {
        // The UDP sockets read batches (recvmmsg) into one buffer of slots: every datagram must come out whole,
        // in its own bytes, in order.
        try (TurnTestClient client = client(false)) {
            InetSocketAddress relayed = client.allocate().address(0x0016);
            assertTrue(client.channelBind(0x4002, local(peer)).isSuccess());
            int n = 64;
            for (int i = 0; i < n; i++) {
                client.sendChannelData(0x4002, payload(i, 1000 + i));
            }
            for (int i = 0; i < n; i++) {
                assertArrayEquals(payload(i, 1000 + i), data(receiveLarge(peer)), "to the peer, datagram " + i);
            }
            for (int i = 0; i < n; i++) {
                byte[] p = payload(i, 1000 + i);
                peer.send(new DatagramPacket(p, p.length, relayed));
            }
            for (int i = 0; i < n; i++) {
                Received back = client.receiveData();
                assertEquals(0x4002, back.channel());
                assertArrayEquals(payload(i, 1000 + i), back.data(), "to the client, datagram " + i);
            }
        }
    }

    @Test
    void theLongestDatagramIsRelayedAndALongerOneIsDroppedNotCut() throws IOException {
        try (TurnTestClient client = client(false)) {
            InetSocketAddress relayed = client.allocate().address(0x0016);
            assertTrue(client.channelBind(0x4003, local(peer)).isSuccess());
            int longest = UdpSockets.MAX_DATAGRAM - 1;

            client.sendChannelData(0x4003, payload(1, longest - 4 + 1));   // one byte too long with its header
            client.sendChannelData(0x4003, payload(2, longest - 4));
            assertArrayEquals(payload(2, longest - 4), data(receiveLarge(peer)), "the too-long one was dropped");

            byte[] tooLong = payload(3, 9000);
            peer.send(new DatagramPacket(tooLong, tooLong.length, relayed));
            byte[] fits = payload(4, longest);
            peer.send(new DatagramPacket(fits, fits.length, relayed));
            Received back = client.receiveData();
            assertArrayEquals(fits, back.data(), "the 9000-byte datagram was dropped, not relayed cut short");
        }
    }

    /** {@code length} bytes that differ with {@code seed} and position. */
    static byte[] payload(int seed, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed * 31 + i * 7);
        }
        return b;
    }

    static DatagramPacket receiveLarge(DatagramSocket s) throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[65536], 65536);
        s.receive(p);
        return p;
    }

    static byte[] data(DatagramPacket p) {
        return Arrays.copyOf(p.getData(), p.getLength());
    }

    static InetSocketAddress local(DatagramSocket s) {
        return (InetSocketAddress) s.getLocalSocketAddress();
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static DatagramPacket receive(DatagramSocket s) throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
        s.receive(p);
        return p;
    }

    static String text(DatagramPacket p) {
        return new String(Arrays.copyOf(p.getData(), p.getLength()), StandardCharsets.UTF_8);
    }

    static void assertBytes(byte[] expected, byte[] actual) {
        assertArrayEquals(expected, actual);
    }
}
