package io.kezdesu.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kezdesu.common.config.Config;
import io.kezdesu.common.config.ConfigKeys;
import io.kezdesu.common.turn.TurnCredential;
import io.kezdesu.relay.TestStun.Msg;
import io.kezdesu.relay.TurnTestClient.Received;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Dual-stack relaying (RFC 8656 §7.2, RFC 6156) over real sockets on 127.0.0.1 and ::1: REQUESTED-ADDRESS-FAMILY,
 * ADDITIONAL-ADDRESS-FAMILY, 440, ADDRESS-ERROR-CODE, 443, and the peer policy for IPv6 peers.
 */
class DualStackRelayTest {

    private static final int ALLOCATE = TurnTestClient.ALLOCATE;
    private static final int XOR_RELAYED_ADDRESS = 0x0016;
    private static final int REQUESTED_ADDRESS_FAMILY = 0x0017;
    private static final int ADDITIONAL_ADDRESS_FAMILY = 0x8000;
    private static final byte[] IPV4 = {1, 0, 0, 0};
    private static final byte[] IPV6 = {2, 0, 0, 0};

    private static final InetAddress V4 = InetAddress.getLoopbackAddress();
    private static final InetAddress V6 = address("::1");

    /** Listening and relaying on 127.0.0.1 and ::1. */
    private static RelayServer dualStack(UnaryOperator<Config> tweak) {
        return TestRelays.start(c -> tweak.apply(c.with(ConfigKeys.LISTENING_IP, List.of(V4, V6))
                .with(ConfigKeys.RELAY_IP, List.of(V6, V4))));
    }

    private static RelayServer dualStack() {
        return dualStack(c -> c);
    }

    /** A client of the listener of that family. */
    private static TurnTestClient client(RelayServer server, InetAddress over, String user) throws IOException {
        TurnCredential c = TestRelays.credential(user, null);
        InetSocketAddress listener = server.udpAddresses().stream()
                .filter(a -> a.getAddress().getClass() == over.getClass()).findFirst().orElseThrow();
        return TurnTestClient.udp(listener, c.username(), c.password());
    }

    private static Msg allocate(TurnTestClient c, int attribute, byte[] family) {
        return c.authenticated(() -> Msg.request(ALLOCATE).transport(17).add(attribute, family));
    }

    private static DatagramSocket peer(InetAddress on) throws IOException {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(on, 0));
        s.setSoTimeout(TurnTestClient.TIMEOUT_MS);
        return s;
    }

    @Test
    void ipv6AllocationOverIpv6LoopbackRelaysBothWays() throws IOException {
        try (RelayServer server = dualStack();
             TurnTestClient client = client(server, V6, "alice");
             DatagramSocket peer = peer(V6)) {
            Msg allocated = allocate(client, REQUESTED_ADDRESS_FAMILY, IPV6);
            assertTrue(allocated.isSuccess(), () -> "error " + allocated.errorCode());
            List<InetSocketAddress> relayed = allocated.addresses(XOR_RELAYED_ADDRESS);
            assertEquals(1, relayed.size());
            assertEquals(V6, relayed.get(0).getAddress());
            assertInstanceOf(Inet6Address.class, allocated.address(0x0020).getAddress(), "XOR-MAPPED-ADDRESS");
            InetSocketAddress peerAddress = (InetSocketAddress) peer.getLocalSocketAddress();

            // Send indication → peer, from the IPv6 relayed address; the peer's answer → Data indication.
            assertTrue(client.createPermission(peerAddress).isSuccess());
            client.sendIndication(peerAddress, bytes("to v6 peer"));
            DatagramPacket got = receive(peer);
            assertEquals("to v6 peer", text(got));
            assertEquals(relayed.get(0), got.getSocketAddress());
            peer.send(new DatagramPacket(bytes("from v6 peer"), 12, relayed.get(0)));
            Received data = client.receiveData();
            assertEquals(peerAddress, data.peer());
            assertEquals("from v6 peer", new String(data.data(), StandardCharsets.UTF_8));

            // ChannelBind → ChannelData both ways.
            assertTrue(client.channelBind(0x4000, peerAddress).isSuccess());
            client.sendChannelData(0x4000, bytes("channel out"));
            assertEquals("channel out", text(receive(peer)));
            peer.send(new DatagramPacket(bytes("channel in"), 10, relayed.get(0)));
            Received back = client.receiveData();
            assertEquals(0x4000, back.channel());
            assertEquals("channel in", new String(back.data(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void withoutAFamilyAttributeTheRelayedAddressIsIpv4() throws IOException {
        try (RelayServer server = dualStack(); TurnTestClient client = client(server, V6, "alice")) {
            Msg allocated = client.allocate();
            assertTrue(allocated.isSuccess(), () -> "error " + allocated.errorCode());
            assertEquals(List.of(V4), allocated.addresses(XOR_RELAYED_ADDRESS).stream()
                    .map(InetSocketAddress::getAddress).toList(), "RFC 8656 §7.2: IPv4 by default");
            assertNull(allocated.addressError());
        }
    }

    @Test
    void additionalAddressFamilyGivesTwoRelayedAddressesBothRelaying() throws IOException {
        try (RelayServer server = dualStack(c -> c.with(ConfigKeys.USER_QUOTA, 1));
             TurnTestClient client = client(server, V4, "alice");
             TurnTestClient second = client(server, V4, "alice");
             DatagramSocket peer4 = peer(V4);
             DatagramSocket peer6 = peer(V6)) {
            Msg allocated = allocate(client, ADDITIONAL_ADDRESS_FAMILY, IPV6);
            assertTrue(allocated.isSuccess(), () -> "error " + allocated.errorCode());
            assertNull(allocated.addressError());
            List<InetSocketAddress> relayed = allocated.addresses(XOR_RELAYED_ADDRESS);
            assertEquals(2, relayed.size(), relayed::toString);
            assertEquals(V4, relayed.get(0).getAddress());
            assertEquals(V6, relayed.get(1).getAddress());
            assertEquals(1, server.allocationCount(), "one allocation, two sockets");

            InetSocketAddress at4 = (InetSocketAddress) peer4.getLocalSocketAddress();
            InetSocketAddress at6 = (InetSocketAddress) peer6.getLocalSocketAddress();
            assertTrue(client.createPermission(at4, at6).isSuccess());
            // Each peer is reached from, and answers to, the relayed address of its own family.
            client.sendIndication(at4, bytes("four"));
            client.sendIndication(at6, bytes("six"));
            DatagramPacket got4 = receive(peer4);
            DatagramPacket got6 = receive(peer6);
            assertEquals("four", text(got4));
            assertEquals(relayed.get(0), got4.getSocketAddress());
            assertEquals("six", text(got6));
            assertEquals(relayed.get(1), got6.getSocketAddress());
            peer6.send(new DatagramPacket(bytes("back6"), 5, relayed.get(1)));
            Received from6 = client.receiveData();
            assertEquals(at6, from6.peer());
            assertEquals("back6", new String(from6.data(), StandardCharsets.UTF_8));
            peer4.send(new DatagramPacket(bytes("back4"), 5, relayed.get(0)));
            Received from4 = client.receiveData();
            assertEquals(at4, from4.peer());
            assertEquals("back4", new String(from4.data(), StandardCharsets.UTF_8));
            // Channels on both families at once.
            assertTrue(client.channelBind(0x4001, at6).isSuccess());
            client.sendChannelData(0x4001, bytes("c6"));
            assertEquals("c6", text(receive(peer6)));

            // The quota counts the dual allocation once (user-quota 1 is used up), and Refresh 0 frees it.
            assertEquals(486, second.allocate().errorCode());
            assertEquals(0, client.refresh(0).lifetime());
            assertEquals(0, server.allocationCount());
            Msg again = allocate(second, ADDITIONAL_ADDRESS_FAMILY, IPV6);
            assertTrue(again.isSuccess(), () -> "error " + again.errorCode());
            assertEquals(2, again.addresses(XOR_RELAYED_ADDRESS).size());
        }
    }

    @Test
    void anEndedAllocationsSocketIsReusedOnlyForItsFamily() throws IOException {
        try (RelayServer server = dualStack(); TurnTestClient c = client(server, V4, "alice")) {
            // The same 5-tuple, so the same event loop and its idle sockets, every time.
            for (int round = 0; round < 3; round++) {
                Msg six = allocate(c, REQUESTED_ADDRESS_FAMILY, IPV6);
                assertEquals(V6, six.address(XOR_RELAYED_ADDRESS).getAddress());
                assertEquals(0, c.refresh(0).lifetime());
                Msg four = c.allocate();
                assertEquals(V4, four.address(XOR_RELAYED_ADDRESS).getAddress());
                assertEquals(0, c.refresh(0).lifetime());
            }
        }
    }

    @Test
    void anUnservedFamilyIs440() throws IOException {
        try (RelayServer v4only = TestRelays.start(c -> c.with(ConfigKeys.RELAY_IP, List.of(V4)));
             TurnTestClient c = client(v4only, V4, "alice")) {
            assertEquals(440, allocate(c, REQUESTED_ADDRESS_FAMILY, IPV6).errorCode());
        }
        try (RelayServer v6only = TestRelays.start(c -> c.with(ConfigKeys.RELAY_IP, List.of(V6)));
             TurnTestClient a = client(v6only, V4, "alice");
             TurnTestClient b = client(v6only, V4, "bob")) {
            assertEquals(440, allocate(a, REQUESTED_ADDRESS_FAMILY, IPV4).errorCode());
            // Without the attribute, a relay serving only IPv6 answers with IPv6, as it did before dual stack.
            Msg allocated = b.allocate();
            assertTrue(allocated.isSuccess(), () -> "error " + allocated.errorCode());
            assertInstanceOf(Inet6Address.class, allocated.address(XOR_RELAYED_ADDRESS).getAddress());
        }
    }

    @Test
    void anUnservedAdditionalFamilyIsAnAddressErrorCodeInTheSuccess() throws IOException {
        try (RelayServer v4only = TestRelays.start(c -> c.with(ConfigKeys.RELAY_IP, List.of(V4)));
             TurnTestClient c = client(v4only, V4, "alice");
             DatagramSocket peer = peer(V4)) {
            Msg allocated = allocate(c, ADDITIONAL_ADDRESS_FAMILY, IPV6);
            assertTrue(allocated.isSuccess(), () -> "error " + allocated.errorCode());
            List<InetSocketAddress> relayed = allocated.addresses(XOR_RELAYED_ADDRESS);
            assertEquals(1, relayed.size());
            assertInstanceOf(Inet4Address.class, relayed.get(0).getAddress());
            assertArrayEquals(new int[] {2, 440}, allocated.addressError(), "IPv6 not served");
            // The IPv4 half works.
            InetSocketAddress at = (InetSocketAddress) peer.getLocalSocketAddress();
            assertTrue(c.createPermission(at).isSuccess());
            c.sendIndication(at, bytes("v4 half"));
            assertEquals("v4 half", text(receive(peer)));
        }
    }

    @Test
    void aPeerOfAFamilyTheAllocationLacksIs443() throws IOException {
        try (RelayServer server = dualStack();
             TurnTestClient v6 = client(server, V6, "alice");
             TurnTestClient v4 = client(server, V4, "bob")) {
            assertTrue(allocate(v6, REQUESTED_ADDRESS_FAMILY, IPV6).isSuccess());
            InetSocketAddress peer4 = new InetSocketAddress(V4, 5000);
            InetSocketAddress peer6 = new InetSocketAddress(V6, 5000);
            assertEquals(443, v6.createPermission(peer4).errorCode());
            assertEquals(443, v6.createPermission(peer6, peer4).errorCode(), "all are checked before any");
            assertEquals(443, v6.channelBind(0x4000, peer4).errorCode());
            assertEquals(443, v6.authenticated(() -> Msg.request(TurnTestClient.REFRESH)
                    .add(REQUESTED_ADDRESS_FAMILY, IPV4)).errorCode());
            assertTrue(v6.createPermission(peer6).isSuccess());
            assertTrue(v6.authenticated(() -> Msg.request(TurnTestClient.REFRESH)
                    .add(REQUESTED_ADDRESS_FAMILY, IPV6)).isSuccess());

            assertTrue(v4.allocate().isSuccess());
            assertEquals(443, v4.createPermission(peer6).errorCode());
            assertEquals(443, v4.channelBind(0x4000, peer6).errorCode());
            assertTrue(v4.createPermission(peer4).isSuccess());
        }
    }

    @Test
    void bothFamilyAttributesOrAnAdditionalIpv4Are400() throws IOException {
        try (RelayServer server = dualStack(); TurnTestClient c = client(server, V4, "alice")) {
            assertEquals(400, c.authenticated(() -> Msg.request(ALLOCATE).transport(17)
                    .add(REQUESTED_ADDRESS_FAMILY, IPV6).add(ADDITIONAL_ADDRESS_FAMILY, IPV6)).errorCode());
            assertEquals(400, c.authenticated(() -> Msg.request(ALLOCATE).transport(17)
                    .add(REQUESTED_ADDRESS_FAMILY, IPV4).add(ADDITIONAL_ADDRESS_FAMILY, IPV6)).errorCode());
            assertEquals(400, allocate(c, ADDITIONAL_ADDRESS_FAMILY, IPV4).errorCode(),
                    "IPv6 is the only valid ADDITIONAL-ADDRESS-FAMILY");
            assertEquals(400, c.authenticated(() -> Msg.request(ALLOCATE).transport(17)
                    .add(ADDITIONAL_ADDRESS_FAMILY, IPV6).add(0x0022, new byte[8])).errorCode(),
                    "a RESERVATION-TOKEN names one port of one family");
            assertEquals(0, server.allocationCount());
            assertTrue(allocate(c, ADDITIONAL_ADDRESS_FAMILY, IPV6).isSuccess(), "the client is not stuck");
        }
    }

    @Test
    void ipv6PeersMeetThePeerPolicyInEveryAttributeThatNamesOne() throws IOException {
        try (RelayServer server = dualStack(c -> c.with(ConfigKeys.ALLOW_LOOPBACK_PEERS, false)
                .with(ConfigKeys.DENY_PRIVATE_PEERS, true));
             TurnTestClient c = client(server, V4, "alice")) {
            Msg allocated = allocate(c, ADDITIONAL_ADDRESS_FAMILY, IPV6);
            assertTrue(allocated.isSuccess(), () -> "error " + allocated.errorCode());
            // A port that is not a relayed one: those stay reachable (in-process), whatever the policy.
            int port = allocated.addresses(XOR_RELAYED_ADDRESS).get(1).getPort() ^ 1;
            for (String ip : List.of("::1", "fe80::1", "::", "ff02::1", "fd00::1", "fc00::7",
                    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::127.0.0.1", "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe",
                    "2002:a00:1::1", "2001:0:4136:e378:8000:63bf:80ff:fffe")) {
                InetSocketAddress peer = new InetSocketAddress(address(ip), port);
                assertEquals(403, c.channelBind(0x4000, peer).errorCode(), "ChannelBind " + ip);
                if (isRelayIp(ip)) {
                    // A permission may name a relay address (ports are not part of a permission); only its
                    // relayed ports are reachable there, which the ChannelBind above and the Sends below show.
                    assertTrue(c.createPermission(peer).isSuccess(), "CreatePermission " + ip);
                } else {
                    assertEquals(403, c.createPermission(peer).errorCode(), "CreatePermission " + ip);
                }
            }
            // Send indications to refused peers are dropped and counted. The Refresh after them is answered on the
            // same loop, after they were handled, so the counter is read once they are in.
            long before = deniedPeers(server);
            c.sendIndication(new InetSocketAddress(V6, port), bytes("x"));
            c.sendIndication(new InetSocketAddress(address("fd00::1"), port), bytes("x"));
            c.sendIndication(new InetSocketAddress(address("64:ff9b::7f00:1"), port), bytes("x"));
            assertTrue(c.refresh(600).isSuccess());
            assertEquals(before + 3, deniedPeers(server));
            // A global IPv6 peer is allowed.
            assertTrue(c.createPermission(new InetSocketAddress(address("2001:db8::1"), port)).isSuccess());
        }
    }

    /** ::1 is this relay's IPv6 address, and ::ffff:127.0.0.1 is its IPv4 one (Java decodes it as 127.0.0.1). */
    private static boolean isRelayIp(String ip) {
        return ip.equals("::1") || ip.equals("::ffff:127.0.0.1");
    }

    private static long deniedPeers(RelayServer server) {
        String scrape = new String(server.metrics().scrape(), StandardCharsets.UTF_8);
        return scrape.lines().filter(l -> l.startsWith("kezdesu_relay_peer_denied_total "))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.indexOf(' ') + 1))).findFirst()
                .orElseThrow(() -> new AssertionError(scrape));
    }

    private static DatagramPacket receive(DatagramSocket s) throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
        s.receive(p);
        return p;
    }

    private static String text(DatagramPacket p) {
        return new String(Arrays.copyOf(p.getData(), p.getLength()), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
