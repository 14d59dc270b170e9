package io.kezdesu.signaling.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kezdesu.signaling.RawWebSocket;
import io.kezdesu.signaling.SignalingFixture;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Pings cost the server a pong each, so they count in a socket's rate limit like messages: a client that floods
 * pings (and need not read the pongs) is closed with 1008, on both WebSocket endpoints, at their default limits.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PingFloodTest {

    private static final int PINGS = 1000;

    private SignalingFixture f;

    @BeforeAll
    void start(@TempDir Path dir) {
        f = SignalingFixture.start(dir, Map.of());
    }

    @AfterAll
    void stop() {
        f.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"signaling", "peerjs"})
    void aPingFloodIsCutOffByTheRateLimit(String endpoint) throws IOException {
        String path = endpoint.equals("signaling") ? "/ws?token=" + f.user("Eve").token()
                : "/peerjs/peerjs?key=peerjs&id=eve&token=t&version=1";
        try (RawWebSocket raw = RawWebSocket.connect(f.server.address().getPort(), path)) {
            byte[] payload = new byte[125];
            // Far above the default 100 per second with bursts of 200, sent before reading anything back.
            for (int i = 0; i < PINGS; i++) {
                raw.send(RawWebSocket.PING, payload);
            }
            int pongs = 0;
            RawWebSocket.Frame frame;
            while ((frame = raw.next()).opcode() != RawWebSocket.CLOSE) {
                if (frame.opcode() == 0xA) {
                    pongs++;
                }
            }
            assertEquals(1008, frame.closeCode(), frame.closeReason());
            assertTrue(pongs < PINGS, pongs + " pongs");
        }
    }
}
