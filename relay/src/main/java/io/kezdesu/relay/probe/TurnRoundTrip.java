package io.kezdesu.relay.probe;

import static io.kezdesu.relay.stun.StunTypes.*;

import io.kezdesu.relay.stun.OutAttribute;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * RFC 8656 from the client's side: Allocate, CreatePermission for the probe's own second UDP socket (its address as
 * the server sees it, learnt by a Binding from that socket), then Send indications that the second socket echoes back
 * to the relayed address, arriving as Data indications. If the server refuses that peer (403: loopback or private
 * peers denied), the probe sends to its own relayed address instead. The allocation is released at the end.
 */
final class TurnRoundTrip {

    private static final int PEER_BINDING_WAIT_MILLIS = 1000;

    private final StunClient client;
    private final InetSocketAddress server;
    private final int roundTrips;
    private final int timeoutMillis;
    private final List<String> errors;

    TurnRoundTrip(StunClient client, InetSocketAddress server, int roundTrips, int timeoutMillis,
            List<String> errors) {
        this.client = client;
        this.server = server;
        this.roundTrips = roundTrips;
        this.timeoutMillis = timeoutMillis;
        this.errors = errors;
    }

    ProbeReport.Turn run() {
        InetSocketAddress relayed;
        int lifetime;
        try {
            ClientMessage allocate = client.authenticated(ALLOCATE,
                    List.of(new OutAttribute.RequestedTransport(PROTOCOL_UDP)));
            if (allocate.kind() == Kind.ERROR) {
                errors.add("Allocate refused: " + RelayProbe.describe(allocate));
                return null;
            }
            relayed = allocate.xorAddress(ATTR_XOR_RELAYED_ADDRESS);
            byte[] l = allocate.attributes().get(ATTR_LIFETIME);
            lifetime = l == null || l.length < 4 ? 0 : ((l[0] & 0xFF) << 24) | ((l[1] & 0xFF) << 16)
                    | ((l[2] & 0xFF) << 8) | (l[3] & 0xFF);
            if (relayed == null) {
                errors.add("Allocate response without XOR-RELAYED-ADDRESS");
                return null;
            }
        } catch (ProbeException | IOException e) {
            errors.add("Allocate: " + e.getMessage());
            return null;
        }
        try (ClientTransport.Udp peerSocket = new ClientTransport.Udp(server)) {
            InetSocketAddress peer = peerAddress(peerSocket);
            ClientMessage permission = permit(peer);
            ProbeReport.Turn turn = permission.kind() == Kind.SUCCESS
                    ? ping(relayed, lifetime, peer, peerSocket) : null;
            if (turn == null || turn.received() == 0) {
                // The server refused our address as a peer (403), or accepted the permission and then dropped the
                // data (a relay host address it guards); its own relayed address is always reachable.
                String first = turn == null ? "CreatePermission for " + peer + " refused: "
                        + RelayProbe.describe(permission) : "nothing came back via peer " + peer;
                permission = permit(relayed);
                if (permission.kind() == Kind.ERROR) {
                    errors.add(first + "; CreatePermission for the relayed address " + relayed + " refused: "
                            + RelayProbe.describe(permission));
                    return new ProbeReport.Turn(relayed, lifetime, peer, 0, 0, Double.NaN, Double.NaN);
                }
                turn = ping(relayed, lifetime, relayed, null);
            }
            if (turn.received() == 0) {
                errors.add("relayed round trip: none of " + roundTrips + " packets came back through " + relayed);
            }
            return turn;
        } catch (ProbeException | IOException e) {
            errors.add("relayed round trip: " + e.getMessage());
            return new ProbeReport.Turn(relayed, lifetime, null, 0, 0, Double.NaN, Double.NaN);
        } finally {
            release();
        }
    }

    /** The second socket's address as the server sees it; its local address if the server does not answer. */
    private InetSocketAddress peerAddress(ClientTransport.Udp peerSocket) throws IOException {
        try {
            // Not closed here: the StunClient would close the socket the echo still needs.
            ClientMessage m = new StunClient(peerSocket, PEER_BINDING_WAIT_MILLIS).request(BINDING, List.of());
            InetSocketAddress a = m.kind() == Kind.SUCCESS ? RelayProbe.mappedAddress(m) : null;
            if (a != null) {
                return a;
            }
        } catch (ProbeException e) {
            // e.g. a turn:...?transport=tcp server with UDP blocked: fall back to the local address
        }
        return peerSocket.localAddress();
    }

    private ClientMessage permit(InetSocketAddress peer) throws IOException, ProbeException {
        return client.authenticated(CREATE_PERMISSION, List.of(new OutAttribute.XorPeerAddress(peer)));
    }

    private ProbeReport.Turn ping(InetSocketAddress relayed, int lifetime, InetSocketAddress peer,
            ClientTransport.Udp echo) throws IOException {
        int received = 0;
        double min = Double.NaN;
        double total = 0;
        for (int i = 0; i < roundTrips; i++) {
            byte[] payload = ("kezdesu-probe " + i + " " + System.nanoTime()).getBytes(StandardCharsets.US_ASCII);
            long start = System.nanoTime();
            client.indication(SEND, List.of(new OutAttribute.XorPeerAddress(peer), new OutAttribute.Data(payload)));
            if (echo != null) {
                byte[] atPeer = echo.receive(timeoutMillis);
                if (atPeer == null || !Arrays.equals(atPeer, payload)) {
                    if (received == 0) {
                        break; // the first one lost: the caller tries the relayed address instead
                    }
                    continue;
                }
                echo.sendTo(atPeer, relayed);
            }
            if (awaitData(payload, start)) {
                double rtt = (System.nanoTime() - start) / 1e6;
                received++;
                total += rtt;
                min = Double.isNaN(min) ? rtt : Math.min(min, rtt);
            }
        }
        return new ProbeReport.Turn(relayed, lifetime, peer, roundTrips, received, min,
                received == 0 ? Double.NaN : total / received);
    }

    private boolean awaitData(byte[] payload, long start) throws IOException {
        long deadline = start + timeoutMillis * 1_000_000L;
        while (System.nanoTime() < deadline) {
            byte[] in = client.nextUnsolicited((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000L));
            ClientMessage m = in == null ? null : ClientMessage.parse(in);
            if (m != null && m.method() == DATA && m.kind() == Kind.INDICATION
                    && Arrays.equals(m.attributes().get(ATTR_DATA), payload)) {
                return true;
            }
        }
        return false;
    }

    /** Refresh with LIFETIME 0 (RFC 8656 §7.2): frees the relay port now rather than at expiry. */
    private void release() {
        try {
            client.authenticated(REFRESH, List.of(new OutAttribute.Lifetime(0)));
        } catch (ProbeException | IOException e) {
            // best effort: the allocation expires by itself
        }
    }
}
