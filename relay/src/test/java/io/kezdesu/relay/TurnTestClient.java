package io.kezdesu.relay;

import io.kezdesu.relay.TestStun.Msg;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.function.Supplier;

/** A tiny blocking TURN client for tests, over UDP or TCP, speaking {@link TestStun}. */
final class TurnTestClient implements AutoCloseable {

    static final int ALLOCATE = 0x003;
    static final int REFRESH = 0x004;
    static final int SEND = 0x006;
    static final int CREATE_PERMISSION = 0x008;
    static final int CHANNEL_BIND = 0x009;
    /** Generous: only bounds how long a broken test hangs; never a performance assertion. */
    static final int TIMEOUT_MS = 5000;

    record Received(int channel, InetSocketAddress peer, byte[] data) { }

    private final DatagramSocket udp;
    private final Socket tcp;
    private final DataInputStream in;
    private final OutputStream out;
    private final InetSocketAddress server;
    private final Deque<byte[]> unsolicited = new ArrayDeque<>();
    String username;
    String password;
    String realm;
    String nonce;

    private TurnTestClient(InetSocketAddress server, DatagramSocket udp, Socket tcp) throws IOException {
        this.server = server;
        this.udp = udp;
        this.tcp = tcp;
        this.in = tcp == null ? null : new DataInputStream(tcp.getInputStream());
        this.out = tcp == null ? null : tcp.getOutputStream();
    }

    /** From a loopback address of the server's family (::1 for a server on ::1). */
    static TurnTestClient udp(InetSocketAddress server, String username, String password) throws IOException {
        InetAddress local = server.getAddress() instanceof java.net.Inet6Address
                ? InetAddress.getByName("::1") : InetAddress.getLoopbackAddress();
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(local, 0));
        s.setSoTimeout(TIMEOUT_MS);
        return new TurnTestClient(server, s, null).credentials(username, password);
    }

    static TurnTestClient tcp(InetSocketAddress server, String username, String password) throws IOException {
        Socket s = new Socket();
        s.connect(server, TIMEOUT_MS);
        return stream(s, server, username, password);
    }

    /** Over an already connected stream socket (TCP, or TLS from an SSLSocketFactory). */
    static TurnTestClient stream(Socket s, InetSocketAddress server, String username, String password)
            throws IOException {
        s.setSoTimeout(TIMEOUT_MS);
        s.setTcpNoDelay(true);
        return new TurnTestClient(server, null, s).credentials(username, password);
    }

    private TurnTestClient credentials(String user, String pass) {
        this.username = user;
        this.password = pass;
        return this;
    }

    InetSocketAddress localAddress() {
        return udp != null ? (InetSocketAddress) udp.getLocalSocketAddress()
                : (InetSocketAddress) tcp.getLocalSocketAddress();
    }

    void sendRaw(byte[] packet) {
        try {
            if (udp != null) {
                udp.send(new DatagramPacket(packet, packet.length, server));
            } else {
                out.write(packet);
                out.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next packet from the server, or null after the timeout. */
    byte[] receiveRaw() {
        try {
            if (udp != null) {
                byte[] buf = new byte[65536];
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                udp.receive(p);
                return Arrays.copyOf(buf, p.getLength());
            }
            byte[] header = new byte[4];
            in.readFully(header);
            int length = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
            int rest = (header[0] & 0xC0) == 0x40 ? (length + 3) & ~3 : 16 + length;
            byte[] frame = Arrays.copyOf(header, 4 + rest);
            in.readFully(frame, 4, rest);
            return frame;
        } catch (SocketTimeoutException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends and waits for the response with the same transaction id; other packets are kept for later. */
    Msg transact(byte[] encoded, byte[] tid) {
        sendRaw(encoded);
        long deadline = System.nanoTime() + TIMEOUT_MS * 1_000_000L;
        while (System.nanoTime() < deadline) {
            byte[] p = receiveRaw();
            if (p == null) {
                break;
            }
            if ((p[0] & 0xC0) == 0 && p.length >= 20) {
                Msg m = Msg.decode(p, p.length);
                if (Arrays.equals(m.tid, tid) && (m.isSuccess() || m.isError())) {
                    return m;
                }
            }
            unsolicited.add(p);
        }
        return null;
    }

    /** Whether a packet kept aside while waiting (see {@link #transact}) was a STUN message with this id. */
    boolean receivedFor(byte[] tid) {
        return unsolicited.stream().anyMatch(p -> (p[0] & 0xC0) == 0 && p.length >= 20
                && Arrays.equals(Arrays.copyOfRange(p, 8, 20), tid));
    }

    /** How many packets kept aside while waiting (see {@link #transact}) match. */
    long unsolicitedCount(java.util.function.Predicate<byte[]> match) {
        return unsolicited.stream().filter(match).count();
    }

    Msg unsigned(Msg m) {
        return transact(m.encode(null, false), m.tid);
    }

    Msg signed(Msg m) {
        m.add(0x0006, username).add(0x0014, realm).add(0x0015, nonce);
        return transact(m.encode(TestStun.longTermKey(username, realm, password), true), m.tid);
    }

    /** RFC 8489 §9.2.3: try, learn REALM/NONCE from a 401 or 438, retry once signed. */
    Msg authenticated(Supplier<Msg> request) {
        if (nonce != null) {
            Msg r = signed(request.get());
            if (r == null || r.errorCode() != 438) {
                return r;
            }
            nonce = r.string(0x0015);
            return signed(request.get());
        }
        Msg challenge = unsigned(request.get());
        if (challenge == null || (challenge.errorCode() != 401 && challenge.errorCode() != 438)) {
            return challenge;
        }
        realm = challenge.string(0x0014);
        nonce = challenge.string(0x0015);
        return signed(request.get());
    }

    Msg allocate() {
        return authenticated(() -> Msg.request(ALLOCATE).transport(17));
    }

    Msg refresh(int lifetime) {
        return authenticated(() -> Msg.request(REFRESH).u32(0x000D, lifetime));
    }

    Msg createPermission(InetSocketAddress... peers) {
        return authenticated(() -> {
            Msg m = Msg.request(CREATE_PERMISSION);
            for (InetSocketAddress p : peers) {
                m.peer(p);
            }
            return m;
        });
    }

    Msg channelBind(int number, InetSocketAddress peer) {
        return authenticated(() -> Msg.request(CHANNEL_BIND).channel(number).peer(peer));
    }

    void sendIndication(InetSocketAddress peer, byte[] data) {
        sendRaw(Msg.indication(SEND).peer(peer).add(0x0013, data).encode(null, false));
    }

    void sendChannelData(int channel, byte[] data) {
        int pad = tcp != null ? (-data.length) & 3 : 0;
        sendRaw(ByteBuffer.allocate(4 + data.length + pad).putShort((short) channel).putShort((short) data.length)
                .put(data).array());
    }

    /** The next Data indication or ChannelData message, or null after the timeout. */
    Received receiveData() {
        byte[] p = unsolicited.isEmpty() ? receiveRaw() : unsolicited.poll();
        while (p != null) {
            if ((p[0] & 0xC0) == 0x40) {
                int len = ((p[2] & 0xFF) << 8) | (p[3] & 0xFF);
                return new Received(((p[0] & 0xFF) << 8) | (p[1] & 0xFF), null, Arrays.copyOfRange(p, 4, 4 + len));
            }
            Msg m = Msg.decode(p, p.length);
            if (m.isIndication() && m.method() == 0x007) {
                return new Received(-1, m.address(0x0012), m.attr(0x0013));
            }
            p = receiveRaw();
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        if (udp != null) {
            udp.close();
        } else {
            tcp.close();
        }
    }
}
