package io.kezdesu.signaling.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kezdesu.signaling.SignalingFixture;
import io.kezdesu.signaling.SignalingFixture.TestUser;
import io.kezdesu.signaling.WsClient;
import io.kezdesu.common.testing.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The rules the server enforces in a room, each against real sockets. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RoomRulesTest {

    private SignalingFixture f;

    @BeforeAll
    void start(@TempDir Path dir) {
        f = SignalingFixture.start(dir, Map.of("resume-grace", "2s"));
    }

    @AfterAll
    void stop() {
        f.close();
    }

    private static Map<String, Object> msg(String type, Object... kv) {
        Map<String, Object> m = new HashMap<>();
        m.put("type", type);
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void onlyTheHeadAndModeratorsModerate() {
        TestUser head = f.user("Head");
        TestUser mod = f.user("Mod");
        TestUser pat = f.user("Pat");
        String room = f.room(head, Map.of());
        WsClient h = f.join(head, room);
        WsClient m = f.join(mod, room);
        WsClient p = f.join(pat, room);
        h.expect("peer-joined");
        h.expect("peer-joined");
        m.expect("peer-joined");

        for (Map<String, Object> attempt : List.of(msg("kick", "to", h.id()), msg("lock"), msg("close"),
                msg("promote", "to", p.id()), msg("mute-request", "to", h.id()), msg("admit", "to", "x"))) {
            p.send(attempt);
            assertEquals(attempt.get("type"), p.expectError("forbidden").path("re").asText());
        }

        h.send(msg("promote", "to", m.id()));
        for (WsClient c : List.of(h, m, p)) {
            JsonNode changed = c.expect("role-changed");
            assertEquals(m.id(), changed.path("id").asText());
            assertEquals("moderator", changed.path("role").asText());
        }
        m.send(msg("mute-request", "to", p.id(), "kind", "video"));
        JsonNode mute = p.expect("mute-request");
        assertEquals(m.id(), mute.path("from").asText());
        assertEquals("video", mute.path("kind").asText());

        m.send(msg("kick", "to", h.id()));
        m.expectError("forbidden");
        m.send(msg("promote", "to", p.id()));
        assertTrue(m.expectError("forbidden").path("message").asText().contains("only the head"));

        h.send(msg("promote", "to", m.id(), "role", "head"));
        assertEquals("head", h.await("role-changed").path("role").asText().equals("head")
                ? "head" : h.await("role-changed").path("role").asText());
        JsonNode room2 = f.call("GET", "/api/rooms/" + room, null, mod.token()).json();
        assertEquals(mod.id(), room2.path("headId").asText(), "headship transferred and stored");
        assertTrue(room2.path("moderators").toString().contains(head.id()), "the old head became a moderator");
    }

    @Test
    void aKickSticksForTheConferenceWhateverTokenTheyHold() {
        TestUser head = f.user("Head");
        TestUser pat = f.user("Pat");
        String room = f.room(head, Map.of());
        WsClient h = f.join(head, room);
        WsClient p = f.join(pat, room);
        h.expect("peer-joined");
        h.send(msg("kick", "to", p.id()));
        JsonNode kicked = p.expect("kicked");
        assertFalse(kicked.path("ban").asBoolean());
        JsonNode left = h.expect("peer-left");
        assertEquals("kicked", left.path("reason").asText());

        p.send(msg("join", "room", room));
        p.expectError("kicked");
        WsClient again = f.ws(new TestUser(pat.id(), pat.name(), f.user("tmp").token().isEmpty() ? null
                : freshToken(pat)));
        again.send(msg("join", "room", room));
        again.expectError("kicked");
        p.assertAlive();
    }

    private String freshToken(TestUser user) {
        return new io.kezdesu.common.auth.JwtService(f.secrets.jwtSecret(), "kezdesu", java.time.Duration.ofHours(2),
                java.time.Clock.systemUTC()).issue(user.id(), 0).token();
    }

    @Test
    void aBanOutlivesTheConference() {
        TestUser head = f.user("Head");
        TestUser pat = f.user("Pat");
        String room = f.room(head, Map.of());
        WsClient h = f.join(head, room);
        WsClient p = f.join(pat, room);
        h.expect("peer-joined");
        h.send(msg("kick", "to", p.id(), "ban", true));
        assertTrue(p.expect("kicked").path("ban").asBoolean());
        h.expect("peer-left");
        h.send(msg("leave"));
        // The conference is over; a plain kick would be forgotten now, a ban is not.
        WsClient h2 = f.join(head, room);
        p.send(msg("join", "room", room));
        p.expectError("kicked");
        assertTrue(f.call("GET", "/api/rooms/" + room, null, head.token()).json().path("banned").toString()
                .contains(pat.id()));
        h2.assertAlive();
    }

    @Test
    void passwordProtectedRooms() {
        TestUser head = f.user("Head");
        TestUser pat = f.user("Pat");
        String room = f.room(head, Map.of("password", "654321"));
        assertTrue(f.call("GET", "/api/rooms/" + room, null, pat.token()).json().path("hasPassword").asBoolean());
        assertFalse(f.call("GET", "/api/rooms/" + room, null, head.token()).toString().contains("654321"));
        WsClient h = f.join(head, room);
        WsClient p = f.ws(pat);
        p.send(msg("join", "room", room));
        p.expectError("wrong-password");
        p.send(msg("join", "room", room, "password", "123456"));
        p.expectError("wrong-password");
        p.send(msg("join", "room", room, "password", "654321"));
        p.expect("joined");
        h.expect("peer-joined");
    }

    @Test
    void roomPasswordsOfFewerThanSixCharactersAreRefused() {
        TestUser head = f.user("Head");
        SignalingFixture.Response r = f.call("POST", "/api/rooms", Map.of("name", "r", "password", "12345"),
                head.token());
        assertEquals(400, r.status(), r.text());
        assertEquals("password: expected a string of 6 to 128 characters, or null to remove it",
                r.json().path("message").asText());
    }

    @Test
    void guessingARoomPasswordSlowsDownAfterFiveWrongOnes(@TempDir Path dir) {
        // A clock that moves only when told: the wait after the fifth wrong guess is exactly one second.
        ManualClock clock = new ManualClock(Instant.now());
        try (SignalingFixture g = SignalingFixture.start(dir, Map.of(), clock)) {
            TestUser head = g.user("Head");
            TestUser eve = g.user("Eve");
            TestUser pat = g.user("Pat");
            String room = g.room(head, Map.of("password", "654321"));
            WsClient e = g.ws(eve);
            for (int i = 0; i < 5; i++) {
                e.send(msg("join", "room", room, "password", "guess-" + i));
                e.expectError("wrong-password");
            }
            // Even the right one waits now: the server does not say which guess would have been right.
            e.send(msg("join", "room", room, "password", "654321"));
            JsonNode held = e.expectError("too-many-attempts");
            assertTrue(held.path("message").asText().contains("try again in 1 s"), held.toString());
            // Someone else is not held by Eve's guesses.
            WsClient p = g.ws(pat);
            p.send(msg("join", "room", room, "password", "654321"));
            p.expect("joined");
            clock.advance(Duration.ofSeconds(1));
            e.send(msg("join", "room", room, "password", "654321"));
            e.expect("joined");
        }
    }

    @Test
    void roomsLoadedOnlyToRefuseAJoinLeaveMemoryAgain(@TempDir Path dir) {
        try (SignalingFixture g = SignalingFixture.start(dir, Map.of())) {
            TestUser head = g.user("Head");
            TestUser eve = g.user("Eve");
            WsClient e = g.ws(eve);
            for (int i = 0; i < 20; i++) {
                String room = g.room(head, Map.of("name", "closed " + i));
                assertEquals(200, g.call("DELETE", "/api/rooms/" + room, null, head.token()).status());
                e.send(msg("join", "room", room));
                e.expectError("room-closed");
            }
            String locked = g.room(head, Map.of("name", "locked"));
            assertEquals(200, g.call("PATCH", "/api/rooms/" + locked, Map.of("locked", true), head.token()).status());
            e.send(msg("join", "room", locked));
            e.expectError("room-locked");
            // Each was loaded to be refused; none stays once its writes are idle (observed on /metrics).
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
            String live;
            while (!(live = liveRooms(g)).equals("0.0") && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals("0.0", live);
        }
    }

    private static String liveRooms(SignalingFixture g) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^kezdesu_live_rooms (\\S+)$")
                .matcher(g.call("GET", "/metrics", null, null).text());
        return m.find() ? m.group(1) : "missing";
    }

    @Test
    void aLockedRoomAdmitsOnlyItsHeadAndModerators() {
        TestUser head = f.user("Head");
        TestUser pat = f.user("Pat");
        String room = f.room(head, Map.of());
        WsClient h = f.join(head, room);
        h.send(msg("lock"));
        assertTrue(h.expect("room-updated").path("room").path("locked").asBoolean());
        WsClient p = f.ws(pat);
        p.send(msg("join", "room", room));
        p.expectError("room-locked");
        h.send(msg("unlock"));
        h.expect("room-updated");
        p.send(msg("join", "room", room));
        p.expect("joined");
    }

    @Test
    void lobbyKnockAdmitAndDeny() {
        TestUser head = f.user("Head");
        TestUser pat = f.user("Pat");
        TestUser sam = f.user("Sam");
        String room = f.room(head, Map.of("lobby", true));
        WsClient h = f.join(head, room);
        WsClient p = f.ws(pat);
        p.send(msg("join", "room", room));
        JsonNode waiting = p.expect("lobby");
        JsonNode knock = h.expect("knock");
        assertEquals(waiting.path("you").asText(), knock.path("id").asText());
        assertEquals("Pat", knock.path("name").asText());
        p.send(msg("offer", "to", h.id(), "sdp", "x"));
        p.expectError("forbidden");

        h.send(msg("admit", "to", knock.path("id").asText()));
        h.expect("knock-withdrawn");
        JsonNode joined = p.expect("joined");
        assertEquals(2, joined.path("participants").size());
        assertEquals(joined.path("you").asText(), h.expect("peer-joined").path("participant").path("id").asText());

        WsClient s = f.ws(sam);
        s.send(msg("join", "room", room));
        s.expect("lobby");
        String samId = h.expect("knock").path("id").asText();
        h.send(msg("deny", "to", samId));
        s.expectError("denied");
        h.expect("knock-withdrawn");
        s.assertAlive();
    }

    @Test
    void duplicateIdentityEvictsTheOldSessionByDefault() {
        TestUser head = f.user("Head");
        TestUser pat = f.user("Pat");
        String room = f.room(head, Map.of());
        WsClient h = f.join(head, room);
        WsClient first = f.join(pat, room);
        String firstId = h.expect("peer-joined").path("participant").path("id").asText();
        WsClient second = f.join(pat, room);
        first.expectError("replaced");
        JsonNode left = h.expect("peer-left");
        assertEquals(firstId, left.path("id").asText());
        assertEquals("replaced", left.path("reason").asText());
        assertEquals(second.id(), h.expect("peer-joined").path("participant").path("id").asText());
        assertEquals(2, second.joined.path("participants").size());
        first.assertAlive();
    }

    @Test
    void theHeadClosesTheRoomAndEveryoneIsTold() {
        TestUser head = f.user("Head");
        TestUser pat = f.user("Pat");
        String room = f.room(head, Map.of());
        WsClient h = f.join(head, room);
        WsClient p = f.join(pat, room);
        h.expect("peer-joined");
        p.send(msg("close"));
        p.expectError("forbidden");
        h.send(msg("close"));
        assertEquals(room, p.expect("room-closed").path("room").asText());
        h.expect("room-closed");
        p.send(msg("join", "room", room));
        p.expectError("room-closed");
        assertTrue(f.call("GET", "/api/rooms/" + room, null, head.token()).json().path("closed").asBoolean());
    }

    @Test
    void closingOverTheApiTellsEveryoneToo() {
        TestUser head = f.user("Head");
        TestUser pat = f.user("Pat");
        String room = f.room(head, Map.of());
        WsClient p = f.join(pat, room);
        assertEquals(403, f.call("DELETE", "/api/rooms/" + room, null, pat.token()).status());
        assertEquals(200, f.call("DELETE", "/api/rooms/" + room, null, head.token()).status());
        p.expect("room-closed");
    }

    @Test
    void aDroppedSocketResumesWithoutOthersNoticingAndGetsWhatWasSentMeanwhile() {
        TestUser head = f.user("Head");
        TestUser pat = f.user("Pat");
        String room = f.room(head, Map.of());
        WsClient h = f.join(head, room);
        WsClient p = f.join(pat, room);
        h.expect("peer-joined");
        String token = p.joined.path("resumeToken").asText();
        p.abort();
        // The server may not have noticed yet: these may go into the dead socket, and must still arrive.
        h.send(msg("offer", "to", p.id(), "sdp", "one"));
        h.send(msg("candidate", "to", p.id(), "candidate", "two"));

        WsClient back = f.ws(pat);
        back.send(msg("resume", "token", token, "received", p.roomMessages + 5));
        back.expectError("resume-failed");
        back.send(msg("resume", "token", token, "received", p.roomMessages));
        JsonNode resumed = back.expect("resumed");
        assertEquals(p.id(), resumed.path("you").asText());
        assertEquals("one", back.expect("offer").path("sdp").asText());
        assertEquals("two", back.expect("candidate").path("candidate").asText());
        back.send(msg("answer", "to", h.id(), "sdp", "three"));
        assertEquals("answer", h.next().path("type").asText(), "the head saw no leave and no join");

        WsClient stranger = f.ws(f.user("Stranger"));
        stranger.send(msg("resume", "token", token));
        stranger.expectError("resume-failed");
    }

    @Test
    void aResumeTokenThatLeadsNowhereFailsAndLeavesNoRoomHeld() {
        TestUser head = f.user("Head");
        String idle = f.room(head, Map.of());
        String busy = f.room(head, Map.of());
        WsClient h = f.join(head, busy);
        WsClient s = f.ws(f.user("Stranger"));
        // No room in it; a room that does not exist; a room nobody is in; a room in use: none has this place.
        for (String token : List.of("no-dot-in-it", "nosuchroom.xyz", idle + ".forged", busy + ".forged",
                busy + ".")) {
            s.send(msg("resume", "token", token));
            s.expectError("resume-failed");
        }
        s.assertAlive();
        h.assertAlive();
        // Looking for the place took the idle room's lease for a moment; it is given back.
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (lease(idle) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertFalse(lease(idle), "the idle room is not left held by this node");
        assertTrue(lease(busy), "the room in use is");
    }

    private boolean lease(String room) {
        return reactor.core.publisher.Mono.from(f.store.database().getCollection("leases")
                .find(new org.bson.Document("_id", room)).first()).blockOptional(Duration.ofSeconds(20)).isPresent();
    }

    @Test
    void aResumeWhileAJoinIsInFlightIsRefusedSoNoSocketSitsInTwoRooms() {
        TestUser head = f.user("Head");
        TestUser pat = f.user("Pat");
        String first = f.room(head, Map.of());
        String second = f.room(head, Map.of());
        WsClient h = f.join(head, first);
        WsClient p = f.join(pat, first);
        h.expect("peer-joined");
        String token = p.joined.path("resumeToken").asText();
        p.abort();

        WsClient back = f.ws(pat);
        // The second room is not live yet: its join waits for the store, and the resume usually arrives meanwhile
        // (it used to be let through then). Whichever comes first, the socket ends up in one room.
        back.send(msg("join", "room", second));
        back.send(msg("resume", "token", token));
        JsonNode one = back.next();
        JsonNode other = back.next();
        JsonNode joined = one.path("type").asText().equals("joined") ? one : other;
        JsonNode refused = joined == one ? other : one;
        assertEquals(second, joined.path("room").path("id").asText(), joined.toString());
        assertEquals("already-joined", refused.path("code").asText(), refused.toString());
        assertEquals("resume", refused.path("re").asText(), refused.toString());
        assertFalse(back.hasPending(), "one room only");
    }

    @Test
    void aDroppedSocketThatDoesNotComeBackLeavesAfterTheGrace() {
        TestUser head = f.user("Head");
        TestUser pat = f.user("Pat");
        String room = f.room(head, Map.of());
        WsClient h = f.join(head, room);
        WsClient p = f.join(pat, room);
        h.expect("peer-joined");
        p.abort();
        JsonNode left = h.expect("peer-left");
        assertEquals(p.id(), left.path("id").asText());
        assertEquals("disconnected", left.path("reason").asText());
    }

    @Test
    void roomsApiValidatesAndShowsViewsByRole() {
        TestUser head = f.user("Head");
        TestUser pat = f.user("Pat");
        SignalingFixture.Response bad = f.call("POST", "/api/rooms", Map.of("name", "x", "maxParticipants", 0),
                head.token());
        assertEquals(400, bad.status());
        assertTrue(bad.json().path("message").asText().startsWith("maxParticipants: "));
        assertEquals(400, f.call("POST", "/api/rooms", Map.of("name", ""), head.token()).status());
        assertEquals(401, f.call("POST", "/api/rooms", Map.of("name", "x"), null).status());
        SignalingFixture.Response created = f.call("POST", "/api/rooms", Map.of("name", "Team"), head.token());
        assertEquals(201, created.status());
        String id = created.json().path("id").asText();
        assertTrue(id.length() >= 16, "unguessable ids");
        assertTrue(created.json().path("joinUrl").asText().endsWith("/r/" + id));
        assertEquals(10, created.json().path("maxParticipants").asInt(), "the configured default");

        JsonNode publicView = f.call("GET", "/api/rooms/" + id, null, pat.token()).json();
        assertFalse(publicView.has("moderators"));
        assertEquals(403, f.call("PATCH", "/api/rooms/" + id, Map.of("locked", true), pat.token()).status());
        SignalingFixture.Response patched = f.call("PATCH", "/api/rooms/" + id,
                Map.of("maxParticipants", 3, "name", "Team B"), head.token());
        assertEquals(200, patched.status());
        assertEquals(3, patched.json().path("maxParticipants").asInt());
        List<String> mine = f.call("GET", "/api/rooms", null, head.token()).json().path("rooms")
                .findValuesAsText("id");
        assertTrue(mine.contains(id));
        assertFalse(f.call("GET", "/api/rooms", null, pat.token()).json().path("rooms").findValuesAsText("id")
                .contains(id));
        assertEquals(404, f.call("GET", "/api/rooms/nope", null, pat.token()).status());

        // A closed room leaves the list, but ?closed=true still finds it (the web client's report list needs it).
        assertEquals(200, f.call("DELETE", "/api/rooms/" + id, null, head.token()).status());
        assertFalse(f.call("GET", "/api/rooms", null, head.token()).json().path("rooms").findValuesAsText("id")
                .contains(id));
        JsonNode all = f.call("GET", "/api/rooms?closed=true", null, head.token()).json().path("rooms");
        assertTrue(all.findValuesAsText("id").contains(id));
        for (JsonNode r : all) {
            assertEquals(r.path("id").asText().equals(id), r.path("closed").asBoolean(), r.toString());
        }
        assertEquals(400, f.call("GET", "/api/rooms?closed=maybe", null, head.token()).status());
    }
}
