package io.kezdesu.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kezdesu.common.config.ConfigKeys;
import io.kezdesu.relay.TestStun.Msg;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** TURN over TCP: a connection that never allocates is closed on time, and one address holds a bounded number. */
class StreamLimitsTest {

    @Test
    void aConnectionThatKeepsTalkingButNeverAllocatesIsClosed() throws Exception {
        try (RelayServer server = TestRelays.start(c -> c.with(ConfigKeys.MAX_ALLOCATE_TIMEOUT, Duration.ofSeconds(2)));
             Socket s = new Socket()) {
            s.connect(server.tcpAddresses().get(0), TurnTestClient.TIMEOUT_MS);
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            // A Binding request every 300 ms, each answered: traffic that used to keep the idle timer from firing.
            long start = System.nanoTime();
            boolean closed = false;
            for (int i = 0; i < 100 && !closed; i++) {
                try {
                    out.write(Msg.request(0x001).encode(null, false));
                    out.flush();
                    closed = readFrameOrEnd(in);
                    Thread.sleep(300); // the client's pace, not a wait for the server
                } catch (SocketException reset) {
                    closed = true;
                }
            }
            assertTrue(closed, "still open after " + Duration.ofNanos(System.nanoTime() - start));
        }
    }

    /** Reads one STUN answer; true when the stream ended instead. */
    private static boolean readFrameOrEnd(InputStream in) throws IOException {
        byte[] header = in.readNBytes(20);
        if (header.length < 20) {
            return true;
        }
        int length = (header[2] & 0xFF) << 8 | header[3] & 0xFF;
        return in.readNBytes(length).length < length;
    }

    @Test
    void oneAddressHoldsAtMostItsConnections() throws Exception {
        try (RelayServer server = TestRelays.start(c -> c.with(ConfigKeys.CONNECTIONS_PER_IP, 2))) {
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    Socket s = new Socket();
                    s.connect(server.tcpAddresses().get(0), TurnTestClient.TIMEOUT_MS);
                    s.setSoTimeout(20_000);
                    held.add(s);
                    s.getOutputStream().write(Msg.request(0x001).encode(null, false));
                    assertTrue(!readFrameOrEnd(s.getInputStream()), "connection " + i + " answered");
                }
                try (Socket third = new Socket()) {
                    third.connect(server.tcpAddresses().get(0), TurnTestClient.TIMEOUT_MS);
                    third.setSoTimeout(20_000);
                    boolean ended;
                    try {
                        third.getOutputStream().write(Msg.request(0x001).encode(null, false));
                        ended = readFrameOrEnd(third.getInputStream());
                    } catch (SocketException reset) {
                        ended = true;
                    }
                    assertTrue(ended, "the third connection was served");
                }
                assertEquals(2, held.size());
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }
}
