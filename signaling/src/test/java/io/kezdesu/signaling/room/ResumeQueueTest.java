package io.kezdesu.signaling.room;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.kezdesu.signaling.SignalingFixture;
import io.kezdesu.signaling.SignalingFixture.TestUser;
import io.kezdesu.signaling.WsClient;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A participant away longer than its replay queue can cover is dropped rather than resumed with gaps. */
class ResumeQueueTest {

    @Test
    void moreMissedMessagesThanTheQueueHoldsEndTheParticipant(@TempDir Path dir) {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of("resume-queue", "3", "resume-grace", "60s"))) {
            TestUser head = f.user("Head");
            TestUser pat = f.user("Pat");
            String room = f.room(head, Map.of());
            WsClient h = f.join(head, room);
            WsClient p = f.join(pat, room);
            h.expect("peer-joined");
            String token = p.joined.path("resumeToken").asText();
            p.close();
            assertEquals(1000, p.closeCode());
            // Offers queue up for the absent participant; a ping after each shows whether it is still there.
            JsonNode left = null;
            int sent = 0;
            while (left == null && sent < 10) {
                h.send(Map.of("type", "offer", "to", p.id(), "sdp", "n" + sent++));
                h.send(Map.of("type", "ping"));
                for (JsonNode m = h.next(); !m.path("type").asText().equals("pong"); m = h.next()) {
                    if (m.path("type").asText().equals("peer-left")) {
                        left = m;
                    }
                }
            }
            assertEquals("disconnected", left == null ? "still there after " + sent : left.path("reason").asText());
            // Kept while the queue held what it missed (3); offers that raced the server noticing the close went into
            // the socket itself and do not count, so it can take a few more than 4.
            org.junit.jupiter.api.Assertions.assertTrue(sent >= 4, "dropped after only " + sent + " messages");
            WsClient back = f.ws(pat);
            back.send(Map.of("type", "resume", "token", token));
            back.expectError("resume-failed");
        }
    }
}
