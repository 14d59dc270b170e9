package io.kezdesu.signaling.room;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.kezdesu.signaling.SignalingFixture;
import io.kezdesu.signaling.SignalingFixture.TestUser;
import io.kezdesu.signaling.WsClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exact limits: 1000 concurrent joins into a room of 10 admit exactly 10. */
class AdmissionRaceTest {

    @Test
    void aThousandConcurrentJoinsIntoALimitOfTenAdmitExactlyTen(@TempDir Path dir) throws Exception {
        // A thousand people, all on loopback: one address, over connections-per-ip.
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of("connections-per-ip", "0"))) {
            TestUser head = f.user("Head");
            String room = f.room(head, Map.of("maxParticipants", 10));
            List<WsClient> clients = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                clients.add(f.ws(f.user("p" + i)));
            }
            WsClient.sendAllAtOnce(clients, Map.of("type", "join", "room", room));
            int admitted = 0;
            int full = 0;
            for (WsClient c : clients) {
                JsonNode answer = c.next();
                String type = answer.path("type").asText();
                if (type.equals("joined")) {
                    admitted++;
                } else if (answer.path("code").asText().equals("room-full")) {
                    full++;
                } else {
                    throw new AssertionError("unexpected answer " + answer);
                }
            }
            assertEquals(10, admitted);
            assertEquals(990, full);
            JsonNode live = f.call("GET", "/api/rooms/" + room, null, head.token()).json();
            assertEquals(10, live.path("participantCount").asInt());
        }
    }
}
