package io.kezdesu.relay;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kezdesu.common.testing.StallingWriter;
import io.kezdesu.common.turn.TurnCredential;
import io.kezdesu.relay.TestStun.Msg;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A TURN client over TCP that stops reading must not make the relay buffer for it without end: relayed media past
 * the connection's backlog limit is dropped (as UDP would lose it), and its own requests stop being read.
 */
class StreamBacklogTest {

    /** The high-water mark of a stream client's backlog (StreamInitializer) plus one message in flight. */
    private static final long BACKLOG_BOUND = 256 * 1024 + 2048;

    private RelayServer server;

    @BeforeEach
    void start() {
        server = TestRelays.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void mediaForAClientThatDoesNotReadIsDroppedPastTheBacklogLimit() throws IOException {
        TurnCredential c = TestRelays.credential("alice", "room1");
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.connect(server.tcpAddresses().get(0), TurnTestClient.TIMEOUT_MS);
        try (TurnTestClient client = TurnTestClient.stream(s, server.tcpAddresses().get(0), c.username(),
                c.password());
             DatagramSocket peer = RelayServerTest.socket()) {
            Msg allocated = client.allocate();
            assertTrue(allocated.isSuccess(), () -> "allocate: " + allocated.errorCode());
            InetSocketAddress relayed = allocated.address(0x0016);
            assertTrue(client.createPermission((InetSocketAddress) peer.getLocalSocketAddress()).isSuccess());
            // The client reads nothing from here on. The peer sends until the relay says it dropped something, at
            // most 64 MiB; without a limit the relay queues all of it for the client.
            byte[] media = new byte[1000];
            DatagramPacket packet = new DatagramPacket(media, media.length, relayed);
            int sent = 0;
            while (!(RelayMetricsTest.value(server, "kezdesu_relay_packets_dropped_total{reason=\"client-backlog\"}")
                    > 0) && sent < 64 * 1024) {
                for (int i = 0; i < 256; i++, sent++) {
                    peer.send(packet);
                }
                // Paced by the scrape above: a burst the relay's socket buffer can take, then a look.
                Thread.onSpinWait();
            }
            double dropped = RelayMetricsTest.value(server,
                    "kezdesu_relay_packets_dropped_total{reason=\"client-backlog\"}");
            double backlog = RelayMetricsTest.value(server, "kezdesu_relay_stream_backlog_bytes");
            assertTrue(dropped > 0, "nothing dropped after " + sent + " datagrams; backlog " + backlog);
            assertTrue(backlog <= BACKLOG_BOUND, "backlog " + backlog + " bytes");
        }
    }

    @Test
    void aClientThatNeverReadsItsAnswersStopsBeingRead() {
        // Binding requests (20 bytes) answered with more bytes than they take: the answers reach the backlog limit,
        // then reading must stop. Without it the relay reads all 32 MiB of requests and queues their answers.
        byte[] binding = Msg.request(0x001).encode(null, false);
        long[] backlog = new long[1];
        StallingWriter.Result r = StallingWriter.writeUntilStalled("127.0.0.1",
                server.tcpAddresses().get(0).getPort(), new byte[0], binding, 32L << 20,
                () -> backlog[0] = (long) RelayMetricsTest.value(server, "kezdesu_relay_stream_backlog_bytes"));
        assertTrue(r.stopped(), "the relay kept reading: " + r);
        assertTrue(backlog[0] <= BACKLOG_BOUND, "backlog " + backlog[0] + " bytes");
    }
}
