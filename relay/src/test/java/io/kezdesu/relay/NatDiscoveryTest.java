package io.kezdesu.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kezdesu.common.config.ConfigKeys;
import io.kezdesu.relay.ice4j.StunCodec;
import io.kezdesu.relay.probe.ProbeReport;
import io.kezdesu.relay.probe.ProbeReport.NatBehaviour;
import io.kezdesu.relay.stun.OutAttribute;
import io.kezdesu.relay.stun.StunTypes;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RFC 5780 on our own relay: with two listening addresses it sends OTHER-ADDRESS and RESPONSE-ORIGIN and answers a
 * CHANGE-REQUEST from the other address and/or port, so that {@code kezdesu probe} can tell a NAT's behaviour
 * against kezdesu itself (as against coturn in {@link CoturnProbeTest}); with one address it refuses CHANGE-REQUEST
 * with 420, as RFC 5780 §6.1 says.
 */
class NatDiscoveryTest {

    private static final InetAddress A = InetAddress.getLoopbackAddress();
    private static final InetAddress B;

    static {
        try {
            B = InetAddress.getByName("127.0.0.2");
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RelayServer twoAddresses(int port) {
        return RelayServer.start(TestRelays.relayConfig(c -> c.with(ConfigKeys.LISTENING_IP, List.of(A, B))
                .with(ConfigKeys.LISTENING_PORT, port)));
    }

    @Test
    void theProbeTellsTheNatBehaviourAgainstKezdesuItself() throws Exception {
        int port = CoturnProbeTest.freePortPair();
        try (RelayServer relay = twoAddresses(port)) {
            assertTrue(relay.udpAddresses().contains(new InetSocketAddress(B, port + 1)), relay.udpAddresses()
                    .toString());
            ProbeReport r = RelayProbeTest.probe("stun:127.0.0.1:" + port, null);
            assertTrue(r.ok(), r.errors().toString());
            // Loopback has no NAT: both behaviours are endpoint-independent.
            assertEquals(NatBehaviour.ENDPOINT_INDEPENDENT, r.mapping(), r.natNote());
            assertEquals(NatBehaviour.ENDPOINT_INDEPENDENT, r.filtering(), r.natNote());
        }
    }

    @Test
    void aChangeRequestIsAnsweredFromTheAddressAndPortItAsksFor() throws Exception {
        int port = CoturnProbeTest.freePortPair();
        try (RelayServer relay = twoAddresses(port); DatagramSocket client = new DatagramSocket(0, A)) {
            client.setSoTimeout(10_000);
            InetSocketAddress to = new InetSocketAddress(A, port);
            assertEquals(new InetSocketAddress(A, port), ask(client, to, false, false));
            assertEquals(new InetSocketAddress(A, port + 1), ask(client, to, false, true));
            assertEquals(new InetSocketAddress(B, port), ask(client, to, true, false));
            assertEquals(new InetSocketAddress(B, port + 1), ask(client, to, true, true));
            // From the other side the other address is ours.
            assertEquals(new InetSocketAddress(A, port), ask(client, new InetSocketAddress(B, port + 1), true, true));
        }
    }

    @Test
    void withOneAddressAChangeRequestIsAnUnknownAttribute() throws Exception {
        try (RelayServer relay = TestRelays.start(); DatagramSocket client = new DatagramSocket(0, A)) {
            client.setSoTimeout(10_000);
            byte[] request = StunCodec.encode(0x0001, tid(), List.of(new OutAttribute.ChangeRequest(true, false)),
                    null, false);
            client.send(new DatagramPacket(request, request.length, relay.udpAddresses().get(0)));
            DatagramPacket answer = new DatagramPacket(new byte[1500], 1500);
            client.receive(answer);
            ByteBuffer b = ByteBuffer.wrap(answer.getData(), 0, answer.getLength());
            assertEquals(0x0111, b.getShort(0) & 0xFFFF, "Binding error response");
            assertEquals(new InetSocketAddress(A, relay.udpAddresses().get(0).getPort()), answer.getSocketAddress());
            assertEquals(420, errorCode(b));
        }
    }

    /**
     * A CHANGE-REQUEST is four bytes (RFC 5780 §7.2). One of another length makes the request malformed: it is dropped
     * (RFC 8489 §6.3 lets a server discard what it cannot parse), and the client's next request is answered. Each
     * malformed request goes first; the first answer the client gets is the well-formed one's, by its transaction id.
     */
    @Test
    void aChangeRequestOfTheWrongLengthIsDroppedAndTheNextRequestAnswered() throws Exception {
        int port = CoturnProbeTest.freePortPair();
        try (RelayServer relay = twoAddresses(port); DatagramSocket client = new DatagramSocket(0, A)) {
            client.setSoTimeout(10_000);
            InetSocketAddress to = new InetSocketAddress(A, port);
            for (int length : new int[] {0, 2, 8}) {
                byte[] malformed = bindingWithChangeRequest(tid(), length);
                client.send(new DatagramPacket(malformed, malformed.length, to));
                byte[] id = tid();
                byte[] good = StunCodec.encode(0x0001, id, List.of(new OutAttribute.ChangeRequest(false, true)),
                        null, false);
                client.send(new DatagramPacket(good, good.length, to));
                DatagramPacket answer = new DatagramPacket(new byte[1500], 1500);
                client.receive(answer);
                ByteBuffer b = ByteBuffer.wrap(answer.getData(), 0, answer.getLength());
                assertEquals(0x0101, b.getShort(0) & 0xFFFF, "length " + length + ": Binding success response");
                assertEquals(java.util.HexFormat.of().formatHex(id), java.util.HexFormat.of()
                        .formatHex(answer.getData(), 8, 20), "length " + length + ": the well-formed request's answer");
                assertEquals(new InetSocketAddress(A, port + 1), answer.getSocketAddress());
            }
        }
    }

    /** A Binding request whose only attribute is a CHANGE-REQUEST of {@code length} bytes (asking for the port). */
    private static byte[] bindingWithChangeRequest(byte[] id, int length) {
        int padded = (length + 3) & ~3;
        ByteBuffer b = ByteBuffer.allocate(StunTypes.HEADER_LENGTH + 4 + padded);
        b.putShort((short) 0x0001).putShort((short) (4 + padded)).putInt(0x2112A442).put(id);
        b.putShort((short) StunTypes.ATTR_CHANGE_REQUEST).putShort((short) length);
        if (length >= 4) {
            b.put(StunTypes.HEADER_LENGTH + 4 + 3, (byte) 0x02);
        }
        return b.array();
    }

    /**
     * Sends a Binding request with CHANGE-REQUEST and returns where the success response came from, after checking
     * that RESPONSE-ORIGIN says the same.
     */
    private static InetSocketAddress ask(DatagramSocket client, InetSocketAddress to, boolean ip, boolean port)
            throws Exception {
        byte[] request = StunCodec.encode(0x0001, tid(), List.of(new OutAttribute.ChangeRequest(ip, port)), null,
                false);
        client.send(new DatagramPacket(request, request.length, to));
        DatagramPacket answer = new DatagramPacket(new byte[1500], 1500);
        client.receive(answer);
        ByteBuffer b = ByteBuffer.wrap(answer.getData(), 0, answer.getLength());
        assertEquals(0x0101, b.getShort(0) & 0xFFFF, "Binding success response");
        InetSocketAddress from = (InetSocketAddress) answer.getSocketAddress();
        assertEquals(from, plainAddress(b, StunTypes.ATTR_RESPONSE_ORIGIN));
        InetSocketAddress other = plainAddress(b, StunTypes.ATTR_OTHER_ADDRESS);
        assertTrue(!other.getAddress().equals(to.getAddress()) && other.getPort() != to.getPort(), other.toString());
        return from;
    }

    private static byte[] tid() {
        byte[] id = new byte[12];
        new java.security.SecureRandom().nextBytes(id);
        return id;
    }

    private static int attribute(ByteBuffer b, int type) {
        int pos = StunTypes.HEADER_LENGTH;
        while (pos + 4 <= b.limit()) {
            int t = b.getShort(pos) & 0xFFFF;
            int length = b.getShort(pos + 2) & 0xFFFF;
            if (t == type) {
                return pos + 4;
            }
            pos += 4 + ((length + 3) & ~3);
        }
        throw new AssertionError("no attribute 0x" + Integer.toHexString(type));
    }

    private static InetSocketAddress plainAddress(ByteBuffer b, int type) throws Exception {
        int v = attribute(b, type);
        byte[] ip = new byte[b.get(v + 1) == 1 ? 4 : 16];
        for (int i = 0; i < ip.length; i++) {
            ip[i] = b.get(v + 4 + i);
        }
        return new InetSocketAddress(InetAddress.getByAddress(ip), b.getShort(v + 2) & 0xFFFF);
    }

    private static int errorCode(ByteBuffer b) {
        int v = attribute(b, StunTypes.ATTR_ERROR_CODE);
        return (b.get(v + 2) & 0x7) * 100 + (b.get(v + 3) & 0xFF);
    }
}
