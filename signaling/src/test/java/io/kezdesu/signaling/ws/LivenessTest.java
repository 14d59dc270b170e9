package io.kezdesu.signaling.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kezdesu.signaling.RawWebSocket;
import io.kezdesu.signaling.SignalingFixture;
import io.kezdesu.signaling.WsClient;
import java.io.EOFException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A connection that goes silent (answers no ping) is dropped within the heartbeat timeout; the others are told. */
class LivenessTest {

    @Test
    void aSilentConnectionIsDroppedAndOthersSeeATimeout(@TempDir Path dir) throws Exception {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of("heartbeat-timeout", "1s"))) {
            SignalingFixture.TestUser head = f.user("Head");
            SignalingFixture.TestUser mute = f.user("Mute");
            String room = f.room(head, Map.of());
            WsClient h = f.join(head, room);
            try (Socket raw = new Socket("127.0.0.1", f.server.address().getPort())) {
                raw.setSoTimeout(20_000);
                OutputStream out = raw.getOutputStream();
                out.write(("GET /ws?token=" + mute.token() + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                        + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                InputStream in = raw.getInputStream();
                String status = readHeaders(in);
                assertTrue(status.startsWith("HTTP/1.1 101"), status);
                byte[] join = "{\"type\":\"join\",\"room\":\"ROOM\"}".replace("ROOM", room)
                        .getBytes(StandardCharsets.UTF_8);
                out.write(maskedTextFrame(join));
                out.flush();
                JsonNode joined = h.expect("peer-joined").path("participant");
                // From now on the raw client reads nothing and answers no ping.
                JsonNode left = h.expect("peer-left");
                assertEquals(joined.path("id").asText(), left.path("id").asText());
                assertEquals("timeout", left.path("reason").asText());
            }
            h.assertAlive();
        }
    }

    /**
     * PROTOCOL.md: the silent connection "is closed (1001)": a close frame with that code comes before the TCP
     * connection ends, rather than a bare drop (which clients report as 1006).
     */
    @Test
    void aSilentConnectionGetsACloseFrameWith1001(@TempDir Path dir) throws Exception {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of("heartbeat-timeout", "1s"));
             RawWebSocket raw = RawWebSocket.connect(f.server.address().getPort(),
                     "/ws?token=" + f.user("Mute").token())) {
            int pings = 0;
            RawWebSocket.Frame frame;
            while ((frame = raw.next()).opcode() == RawWebSocket.PING) {
                pings++;
            }
            assertTrue(pings >= 1, "pinged before the timeout");
            assertEquals(RawWebSocket.CLOSE, frame.opcode(), "a close frame, not " + frame.opcode());
            assertEquals(1001, frame.closeCode());
            assertEquals("heartbeat timeout", frame.closeReason());
            // Nothing to wait for from a silent peer: the server ends the connection right after its frame.
            assertThrows(EOFException.class, raw::next);
        }
    }

    /** The JDK client answers pings, so it stays however long it waits. */
    @Test
    void aClientThatAnswersPingsStays(@TempDir Path dir) throws Exception {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of("heartbeat-timeout", "1s"))) {
            SignalingFixture.TestUser head = f.user("Head");
            String room = f.room(head, Map.of());
            WsClient h = f.join(head, room);
            WsClient other = f.join(f.user("Other"), room);
            h.expect("peer-joined");
            // Nine pings at a third of the timeout each: three timeouts pass with only pongs from this client.
            other.awaitPings(9);
            other.assertAlive();
            h.assertAlive();
            assertTrue(!h.hasPending(), "no peer-left");
        }
    }

    private static String readHeaders(InputStream in) throws Exception {
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            sb.append((char) b);
        }
        return sb.toString();
    }

    private static byte[] maskedTextFrame(byte[] payload) {
        byte[] mask = {1, 2, 3, 4};
        byte[] frame = new byte[2 + 4 + payload.length];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) (0x80 | payload.length);
        System.arraycopy(mask, 0, frame, 2, 4);
        for (int i = 0; i < payload.length; i++) {
            frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
        }
        return frame;
    }
}
