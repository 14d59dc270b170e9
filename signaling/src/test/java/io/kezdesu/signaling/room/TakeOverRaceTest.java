package io.kezdesu.signaling.room;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.kezdesu.signaling.SignalingFixture;
import io.kezdesu.signaling.SignalingFixture.TestUser;
import io.kezdesu.signaling.WsClient;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

/**
 * A node died with a conference running; its people resume at this node all at once. The first resume takes the
 * conference over; the others, arriving while it loads, must land in that same room, not in an empty one that
 * knows none of their tokens (a cluster's browsers resumed with new ids, their places lost, when this raced).
 */
class TakeOverRaceTest {

    private static final int ROOMS = 12;
    private static final int PEOPLE = 3;

    @Test
    void everyoneOfADeadNodesConferenceResumingAtOnceGetsTheirPlaceBack(@TempDir Path dir) {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of("connections-per-ip", "0"))) {
            TestUser head = f.user("Head");
            Instant started = Instant.now().minusSeconds(60);
            List<Document> conferences = new ArrayList<>();
            Map<WsClient, String> tokens = new HashMap<>();
            Map<WsClient, String> places = new HashMap<>();
            List<WsClient> clients = new ArrayList<>();
            for (int r = 0; r < ROOMS; r++) {
                String room = f.room(head, Map.of());
                List<Document> seats = new ArrayList<>();
                for (int i = 0; i < PEOPLE; i++) {
                    TestUser u = f.user("P" + r + "-" + i);
                    String token = room + ".token-" + r + "-" + i;
                    String place = "place-" + r + "-" + i;
                    seats.add(new Document("id", place).append("userId", u.id()).append("name", u.name())
                            .append("tokenHash", LiveRoom.tokenHash(token)));
                    WsClient c = f.ws(u);
                    clients.add(c);
                    tokens.put(c, token);
                    places.put(c, place);
                }
                // The record a node writes with each join, as the dead node left it (ConferenceRecord's fields).
                conferences.add(new Document("_id", "conf-" + r).append("roomId", room).append("roomName", room)
                        .append("headId", head.id()).append("node", "node-that-died").append("status", "active")
                        .append("startedAt", Date.from(started)).append("endedAt", null)
                        .append("lastEventAt", Date.from(started)).append("lastSeenAt", Date.from(started))
                        .append("peakParticipants", PEOPLE).append("participantMinutes", 0.0)
                        .append("participants", List.of()).append("seats", seats));
            }
            Flux.from(f.store.database().getCollection("conferences").insertMany(conferences)).blockLast();

            WsClient.sendAllAtOnce(clients, c -> Map.of("type", "resume", "token", tokens.get(c)));
            List<String> wrong = new ArrayList<>();
            for (WsClient c : clients) {
                JsonNode answer = c.next();
                if (!answer.path("type").asText().equals("resumed")
                        || !answer.path("you").asText().equals(places.get(c))
                        || answer.path("participants").size() != PEOPLE) {
                    wrong.add(places.get(c) + ": " + answer);
                }
            }
            assertEquals(List.of(), wrong, "every resume lands in its taken-over place, with everyone in the room");
        }
    }
}
