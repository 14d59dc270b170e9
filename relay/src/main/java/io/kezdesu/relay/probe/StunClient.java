package io.kezdesu.relay.probe;

import static io.kezdesu.relay.stun.StunTypes.*;

import io.kezdesu.relay.ice4j.StunCodec;
import io.kezdesu.relay.stun.OutAttribute;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Client transactions over one {@link ClientTransport}: retransmission on UDP (RFC 8489 §6.2.1, RTO 500 ms doubling,
 * bounded by the overall timeout) and the long-term credential dance (§9.2.3: 401 gives REALM and NONCE, 438 a fresh
 * NONCE). Messages are encoded by the relay's own codec adapter. Not thread-safe; one probe at a time.
 */
final class StunClient implements AutoCloseable {

    private static final int INITIAL_RTO_MILLIS = 500;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ClientTransport transport;
    private final int timeoutMillis;
    private final List<byte[]> unsolicited = new ArrayList<>();
    private String username;
    private String realm;
    private String nonce;
    private byte[] key;
    private String password;

    StunClient(ClientTransport transport, int timeoutMillis) {
        this.transport = transport;
        this.timeoutMillis = timeoutMillis;
    }

    ClientTransport transport() {
        return transport;
    }

    void credentials(String username, String password) {
        this.username = username;
        this.password = password;
    }

    boolean hasCredentials() {
        return username != null;
    }

    /** One request without authentication; the success or error response. */
    ClientMessage request(int method, List<OutAttribute> attributes) throws IOException, ProbeException {
        return transact(method, attributes, null, null, timeoutMillis);
    }

    /** A Binding request to another server address (RFC 5780); null when no answer came within {@code waitMillis}. */
    ClientMessage bindingTo(java.net.InetSocketAddress destination, List<OutAttribute> attributes, int waitMillis)
            throws IOException {
        try {
            return transact(BINDING, attributes, null, destination, waitMillis);
        } catch (ProbeException timeout) {
            return null;
        }
    }

    /** One authenticated request, answering a 401 or 438 challenge once each. */
    ClientMessage authenticated(int method, List<OutAttribute> attributes) throws IOException, ProbeException {
        ClientMessage response = transact(method, withCredentials(attributes), key, null, timeoutMillis);
        for (int round = 0; round < 2 && response.kind() == Kind.ERROR
                && (response.errorCode() == 401 && key == null || response.errorCode() == 438); round++) {
            realm = response.string(ATTR_REALM);
            nonce = response.string(ATTR_NONCE);
            if (realm == null || nonce == null) {
                throw new ProbeException("server answered " + response.errorCode() + " without REALM and NONCE");
            }
            if (username == null) {
                throw new ProbeException("server requires credentials (401, realm \"" + realm
                        + "\"): pass --user/--password or --secret");
            }
            key = StunCodec.longTermKey(username, realm, password);
            response = transact(method, withCredentials(attributes), key, null, timeoutMillis);
        }
        return response;
    }

    private List<OutAttribute> withCredentials(List<OutAttribute> attributes) {
        if (key == null) {
            return attributes;
        }
        List<OutAttribute> all = new ArrayList<>(attributes);
        all.add(new OutAttribute.Username(username));
        all.add(new OutAttribute.Realm(realm));
        all.add(new OutAttribute.Nonce(nonce));
        return all;
    }

    /** Sends an indication; indications carry no credentials (RFC 8656 §11). */
    void indication(int method, List<OutAttribute> attributes) throws IOException {
        transport.send(StunCodec.encode(type(method, Kind.INDICATION), transactionId(), attributes, null, false));
    }

    /** The next message that is not a response to a transaction: a Data indication, ChannelData; null on timeout. */
    byte[] nextUnsolicited(int waitMillis) throws IOException {
        if (!unsolicited.isEmpty()) {
            return unsolicited.remove(0);
        }
        return transport.receive(waitMillis);
    }

    private ClientMessage transact(int method, List<OutAttribute> attributes, byte[] withKey,
            java.net.InetSocketAddress destination, int timeoutMillis) throws IOException, ProbeException {
        byte[] tid = transactionId();
        byte[] request = StunCodec.encode(type(method, Kind.REQUEST), tid, attributes, withKey, true);
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        int rto = INITIAL_RTO_MILLIS;
        send(request, destination);
        long nextSend = System.nanoTime() + rto * 1_000_000L;
        while (true) {
            long now = System.nanoTime();
            if (now >= deadline) {
                throw new ProbeException("no response within " + timeoutMillis + " ms (server unreachable, or "
                        + "UDP/TCP to it blocked)");
            }
            long until = transport.unreliable() ? Math.min(deadline, nextSend) : deadline;
            byte[] in = transport.receive((int) Math.max(1, (until - now) / 1_000_000L));
            if (in == null) {
                if (transport.unreliable() && System.nanoTime() >= nextSend) {
                    send(request, destination);
                    rto *= 2;
                    nextSend = System.nanoTime() + rto * 1_000_000L;
                }
                continue;
            }
            ClientMessage m = ClientMessage.parse(in);
            if (m != null && Arrays.equals(m.transactionId(), tid)
                    && (m.kind() == Kind.SUCCESS || m.kind() == Kind.ERROR)) {
                return m;
            }
            if (m == null || m.kind() == Kind.INDICATION) {
                unsolicited.add(in);
            }
        }
    }

    private void send(byte[] message, java.net.InetSocketAddress destination) throws IOException {
        if (destination == null) {
            transport.send(message);
        } else {
            transport.sendTo(message, destination);
        }
    }

    static byte[] transactionId() {
        byte[] tid = new byte[12];
        RANDOM.nextBytes(tid);
        return tid;
    }

    @Override
    public void close() {
        transport.close();
    }
}
