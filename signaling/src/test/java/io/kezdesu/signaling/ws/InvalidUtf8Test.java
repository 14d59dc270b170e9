package io.kezdesu.signaling.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kezdesu.signaling.RawWebSocket;
import io.kezdesu.signaling.SignalingFixture;
import io.kezdesu.signaling.WsClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A text frame must be UTF-8 (RFC 6455 §8.1): one that is not fails its connection with 1007. It used to be decoded
 * with replacement characters and relayed, so a peer got an offer that was not what its sender sent.
 */
class InvalidUtf8Test {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aTextFrameThatIsNotUtf8Gets1007AndReachesNobody(@TempDir Path dir) throws Exception {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of())) {
            SignalingFixture.TestUser alice = f.user("Alice");
            SignalingFixture.TestUser eve = f.user("Eve");
            String room = f.room(alice, Map.of());
            WsClient a = f.join(alice, room);
            try (RawWebSocket raw = RawWebSocket.connect(f.server.address().getPort(), "/ws?token=" + eve.token())) {
                raw.send(RawWebSocket.TEXT, ("{\"type\":\"join\",\"room\":\"" + room + "\"}")
                        .getBytes(StandardCharsets.UTF_8));
                JsonNode joined = JSON.readTree(raw.next().text());
                assertEquals("joined", joined.path("type").asText(), joined.toString());
                String aliceId = null;
                for (JsonNode p : joined.path("participants")) {
                    if (p.path("userId").asText().equals(alice.id())) {
                        aliceId = p.path("id").asText();
                    }
                }
                assertEquals(joined.path("you").asText(), a.expect("peer-joined").path("participant").path("id")
                        .asText());
                // Valid JSON around an overlong encoding of '/' (C0 AF) inside the SDP string.
                byte[] head = ("{\"type\":\"offer\",\"to\":\"" + aliceId + "\",\"sdp\":\"v=0")
                        .getBytes(StandardCharsets.US_ASCII);
                byte[] tail = "\"}".getBytes(StandardCharsets.US_ASCII);
                byte[] frame = new byte[head.length + 2 + tail.length];
                System.arraycopy(head, 0, frame, 0, head.length);
                frame[head.length] = (byte) 0xC0;
                frame[head.length + 1] = (byte) 0xAF;
                System.arraycopy(tail, 0, frame, head.length + 2, tail.length);
                raw.send(RawWebSocket.TEXT, frame);
                RawWebSocket.Frame answer;
                while ((answer = raw.next()).opcode() != RawWebSocket.CLOSE) {
                    if (answer.opcode() != RawWebSocket.TEXT) {
                        continue; // the server's heartbeat pings
                    }
                    JsonNode m = JSON.readTree(answer.text());
                    assertEquals("error", m.path("type").asText(), m.toString());
                    assertEquals("bad-request", m.path("code").asText(), m.toString());
                }
                assertEquals(1007, answer.closeCode(), answer.closeReason());
            }
            // Alice saw Eve leave, and no offer came before it.
            JsonNode next = a.next();
            assertEquals("peer-left", next.path("type").asText(), next.toString());
        }
    }
}
