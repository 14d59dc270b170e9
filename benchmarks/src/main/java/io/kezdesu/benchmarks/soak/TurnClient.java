package io.kezdesu.benchmarks.soak;

import static io.kezdesu.relay.stun.StunTypes.*;

import io.kezdesu.relay.ice4j.StunCodec;
import io.kezdesu.relay.probe.ClientMessage;
import io.kezdesu.relay.stun.OutAttribute;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One TURN client over UDP (one 5-tuple, one allocation), blocking, with RFC 8489 §6.2.1 retransmission (500 ms,
 * doubling, three sends). Requests are encoded by the relay's own codec adapter and responses read with the probe's
 * {@link ClientMessage}, as AllocationLoad does; only ChannelBind needs a CHANNEL-NUMBER, which the codec's client
 * side lacks, so {@link StunSigning} appends it and signs that one request itself.
 */
final class TurnClient implements AutoCloseable {

    private static final int RTO_MILLIS = 500;
    private static final int MAX_SENDS = 3;

    private final DatagramSocket socket;
    private final String username;
    private final String password;
    private final byte[] buf = new byte[4096];
    private String realm;
    private String nonce;
    private byte[] key;
    private boolean allocated;

    TurnClient(InetAddress source, InetSocketAddress server, String username, String password) throws IOException {
        this.socket = new DatagramSocket(new InetSocketAddress(source, 0));
        this.socket.connect(server);
        this.username = username;
        this.password = password;
    }

    /** RFC 8656 §7.1: Allocate, the 401's REALM and NONCE, Allocate again with them; the relayed address. */
    InetSocketAddress allocate() throws IOException, SoakFailure {
        List<OutAttribute> udp = List.of(new OutAttribute.RequestedTransport(PROTOCOL_UDP));
        ClientMessage r = transact(ALLOCATE, udp, false);
        if (r.errorCode() != 401 || r.string(ATTR_REALM) == null || r.string(ATTR_NONCE) == null) {
            throw new SoakFailure("alloc_unauthenticated_" + r.errorCode());
        }
        challenge(r);
        r = expectSuccess("alloc", transact(ALLOCATE, udp, true));
        allocated = true;
        InetSocketAddress relayed = xorAddress(r, ATTR_XOR_RELAYED_ADDRESS);
        if (relayed == null) {
            throw new SoakFailure("alloc_no_relayed_address");
        }
        return relayed;
    }

    void createPermission(InetSocketAddress peer) throws IOException, SoakFailure {
        expectSuccess("permission", transact(CREATE_PERMISSION, List.of(new OutAttribute.XorPeerAddress(peer)), true));
    }

    void channelBind(int channel, InetSocketAddress peer) throws IOException, SoakFailure {
        expectSuccess("channel_bind", transact(CHANNEL_BIND, List.of(new OutAttribute.XorPeerAddress(peer)), true,
                channel));
    }

    /** RFC 8656 §7.2: Refresh with LIFETIME 0 deletes the allocation. */
    void delete() throws IOException, SoakFailure {
        expectSuccess("refresh", transact(REFRESH, List.of(new OutAttribute.Lifetime(0)), true));
        allocated = false;
    }

    boolean allocated() {
        return allocated;
    }

    void sendChannelData(int channel, byte[] data) throws IOException {
        byte[] d = new byte[4 + data.length];
        d[0] = (byte) (channel >>> 8);
        d[1] = (byte) channel;
        d[2] = (byte) (data.length >>> 8);
        d[3] = (byte) data.length;
        System.arraycopy(data, 0, d, 4, data.length);
        socket.send(new DatagramPacket(d, d.length));
    }

    void sendIndication(InetSocketAddress peer, byte[] data) throws IOException {
        byte[] m = StunCodec.encode(type(SEND, Kind.INDICATION), tid(),
                List.of(new OutAttribute.XorPeerAddress(peer), new OutAttribute.Data(data)), null, false);
        socket.send(new DatagramPacket(m, m.length));
    }

    /** The payload of the next ChannelData or Data indication within {@code millis}, or null. */
    byte[] receiveData(int millis) throws IOException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (true) {
            byte[] d = receive(deadline);
            if (d == null) {
                return null;
            }
            if (d.length >= 4 && (d[0] & 0xC0) == 0x40) {
                int length = ((d[2] & 0xFF) << 8) | (d[3] & 0xFF);
                return Arrays.copyOfRange(d, 4, Math.min(d.length, 4 + length));
            }
            ClientMessage m = ClientMessage.parse(d);
            if (m != null && m.type() == type(DATA, Kind.INDICATION) && m.attributes().containsKey(ATTR_DATA)) {
                return m.attributes().get(ATTR_DATA);
            }
        }
    }

    private ClientMessage expectSuccess(String what, ClientMessage r) throws SoakFailure {
        if (r.kind() != Kind.SUCCESS) {
            throw new SoakFailure(what + "_" + r.errorCode());
        }
        return r;
    }

    private ClientMessage transact(int method, List<OutAttribute> attrs, boolean auth) throws IOException,
            SoakFailure {
        return transact(method, attrs, auth, -1);
    }

    /** One request; a 438 (stale nonce) is answered once with the new nonce, as RFC 8489 §9.2.5 says. */
    private ClientMessage transact(int method, List<OutAttribute> attrs, boolean auth, int channel)
            throws IOException, SoakFailure {
        for (int attempt = 0; ; attempt++) {
            byte[] tid = tid();
            List<OutAttribute> all = new ArrayList<>(attrs);
            if (auth) {
                all.add(new OutAttribute.Username(username));
                all.add(new OutAttribute.Realm(realm));
                all.add(new OutAttribute.Nonce(nonce));
            }
            int type = type(method, Kind.REQUEST);
            byte[] request = channel < 0 ? StunCodec.encode(type, tid, all, auth ? key : null, true)
                    : StunSigning.withChannelNumber(StunCodec.encode(type, tid, all, null, false), channel, key);
            ClientMessage r = exchange(request, tid, method);
            if (auth && r.kind() == Kind.ERROR && r.errorCode() == 438 && attempt == 0) {
                challenge(r);
                continue;
            }
            return r;
        }
    }

    private ClientMessage exchange(byte[] request, byte[] tid, int method) throws IOException, SoakFailure {
        for (int send = 0; send < MAX_SENDS; send++) {
            socket.send(new DatagramPacket(request, request.length));
            long deadline = System.nanoTime() + ((long) RTO_MILLIS << send) * 1_000_000L;
            for (byte[] d = receive(deadline); d != null; d = receive(deadline)) {
                ClientMessage r = ClientMessage.parse(d);
                if (r != null && Arrays.equals(r.transactionId(), tid)
                        && (r.kind() == Kind.SUCCESS || r.kind() == Kind.ERROR)) {
                    return r;
                }
            }
        }
        throw new SoakFailure("timeout_" + Integer.toHexString(method));
    }

    private byte[] receive(long deadline) throws IOException {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
            return null;
        }
        socket.setSoTimeout((int) left);
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
            socket.receive(p);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return Arrays.copyOf(buf, p.getLength());
    }

    private void challenge(ClientMessage r) {
        String newRealm = r.string(ATTR_REALM);
        if (!newRealm.equals(realm)) {
            realm = newRealm;
            key = StunCodec.longTermKey(username, realm, password);
        }
        nonce = r.string(ATTR_NONCE);
    }

    private static byte[] tid() {
        byte[] tid = new byte[12];
        ThreadLocalRandom.current().nextBytes(tid);
        return tid;
    }

    /** An IPv4 XOR-*-ADDRESS (RFC 8489 §14.2): port and address XORed with the magic cookie. */
    private static InetSocketAddress xorAddress(ClientMessage m, int attr) throws IOException {
        byte[] v = m.attributes().get(attr);
        if (v == null || v.length < 8 || v[1] != 1) {
            return null;
        }
        int port = (((v[2] & 0xFF) << 8) | (v[3] & 0xFF)) ^ (MAGIC_COOKIE >>> 16);
        byte[] ip = new byte[4];
        for (int i = 0; i < 4; i++) {
            ip[i] = (byte) (v[4 + i] ^ (MAGIC_COOKIE >>> (24 - 8 * i)));
        }
        return new InetSocketAddress(InetAddress.getByAddress(ip), port);
    }

    @Override
    public void close() {
        socket.close();
    }
}
