package io.kezdesu.signaling.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kezdesu.common.testing.ManualClock;
import io.kezdesu.signaling.SignalingFixture;
import io.kezdesu.signaling.SignalingFixture.TestUser;
import io.kezdesu.signaling.WsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Conference regulations: a room's schedule (joins before {@code notBefore} are not-yet-open, after {@code notAfter}
 * expired) and a conference's time limit (warnings five and one minute before, the head's extension within
 * max-conference-extension, then the end for everyone, in the report). Time is a manual clock the room's
 * once-a-second check reads, so minutes pass at once.
 */
class RegulationTest {

    /** Now, to the minute (the store stamps some writes with the real clock). */
    private static final Instant T0 = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MINUTES);

    private static String at(Duration fromT0) {
        return T0.plus(fromT0).toString();
    }

    @Test
    void aScheduledRoomOpensAtItsTimeAndEndsItsConferenceWhenItExpires(@TempDir Path dir) throws Exception {
        ManualClock clock = new ManualClock(T0);
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of(), clock)) {
            TestUser head = f.user("Head");
            TestUser guest = f.user("Guest");
            Map<String, Object> settings = new HashMap<>();
            settings.put("name", "Christmas call");
            settings.put("notBefore", at(Duration.ofHours(1)));
            // Any offset is taken, and shown in UTC.
            settings.put("notAfter", T0.plus(Duration.ofHours(2)).atOffset(java.time.ZoneOffset.ofHours(5))
                    .toString());
            String room = f.room(head, settings);
            JsonNode view = f.call("GET", "/api/rooms/" + room, null, head.token()).json();
            assertEquals(at(Duration.ofHours(1)), view.path("notBefore").asText());
            assertEquals(at(Duration.ofHours(2)), view.path("notAfter").asText());

            WsClient early = f.ws(guest);
            early.send(Map.of("type", "join", "room", room));
            JsonNode refused = early.expectError("not-yet-open");
            assertTrue(refused.path("message").asText().contains(at(Duration.ofHours(1))), refused.toString());

            clock.advance(Duration.ofHours(1));
            WsClient h = f.ws(head);
            h.send(Map.of("type", "join", "room", room));
            JsonNode joined = h.expect("joined");
            assertEquals(at(Duration.ofHours(2)), joined.path("endsAt").asText(), "the room's end ends the call");
            early.send(Map.of("type", "join", "room", room));
            early.expect("joined");

            // Five minutes before notAfter, a warning; at notAfter, everyone is out and the room is expired.
            clock.advance(Duration.ofMinutes(56));
            assertEquals(5, h.await("conference-ending").path("minutesLeft").asInt());
            clock.advance(Duration.ofMinutes(3));
            assertEquals(1, h.await("conference-ending").path("minutesLeft").asInt());
            clock.advance(Duration.ofMinutes(1));
            assertEquals("expired", h.await("conference-ended").path("reason").asText());
            assertEquals("expired", early.await("conference-ended").path("reason").asText());
            WsClient late = f.ws(f.user("Late")); // a token of now: the fixture's last an hour of this clock
            late.send(Map.of("type", "join", "room", room));
            late.expectError("expired");
            JsonNode reports = f.awaitConferences(room, f.freshToken(head),
                    list -> list.path(0).path("status").asText().equals("ended"));
            assertEquals("expired", reports.path(0).path("endReason").asText(), reports.toString());
        }
    }

    @Test
    void aTimeLimitWarnsEndsAndMayBeExtendedByTheHeadAlone(@TempDir Path dir) throws Exception {
        ManualClock clock = new ManualClock(T0);
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of("max-conference-extension", "10m"), clock)) {
            TestUser head = f.user("Head");
            TestUser guest = f.user("Guest");
            String room = f.room(head, Map.of("name", "Standup", "maxDurationMinutes", 15));
            WsClient h = f.ws(head);
            h.send(Map.of("type", "join", "room", room));
            assertEquals(at(Duration.ofMinutes(15)), h.expect("joined").path("endsAt").asText());
            WsClient g = f.ws(guest);
            g.send(Map.of("type", "join", "room", room));
            g.expect("joined");

            clock.advance(Duration.ofMinutes(10));
            JsonNode warning = g.await("conference-ending");
            assertEquals(5, warning.path("minutesLeft").asInt());
            assertEquals(at(Duration.ofMinutes(15)), warning.path("endsAt").asText());

            g.send(Map.of("type", "extend", "minutes", 5));
            assertEquals("forbidden", g.await("error").path("code").asText());
            h.send(Map.of("type", "extend", "minutes", 0));
            assertEquals("bad-request", h.await("error").path("code").asText());
            h.send(Map.of("type", "extend", "minutes", 6));
            assertEquals(at(Duration.ofMinutes(21)), h.await("conference-extended").path("endsAt").asText());
            assertEquals(at(Duration.ofMinutes(21)), g.await("conference-extended").path("endsAt").asText());
            h.send(Map.of("type", "extend", "minutes", 5));
            JsonNode tooMuch = h.await("error");
            assertEquals("forbidden", tooMuch.path("code").asText());
            assertTrue(tooMuch.path("message").asText().contains("10 minutes"), tooMuch.toString());

            // The warnings come again for the new end, then the end itself, for everyone, in the report.
            clock.advance(Duration.ofMinutes(10));
            assertEquals(1, g.await("conference-ending").path("minutesLeft").asInt());
            clock.advance(Duration.ofMinutes(1));
            assertEquals("time-limit", g.await("conference-ended").path("reason").asText());
            assertEquals("time-limit", h.await("conference-ended").path("reason").asText());
            JsonNode reports = f.awaitConferences(room, head.token(),
                    list -> list.path(0).path("status").asText().equals("ended"));
            assertEquals("time-limit", reports.path(0).path("endReason").asText(), reports.toString());
            // The room itself stays open: a new conference may start, with a limit of its own.
            h.send(Map.of("type", "join", "room", room));
            assertEquals(at(Duration.ofMinutes(36)), h.await("joined").path("endsAt").asText());
        }
    }

    @Test
    void badRegulationsAreRefusedWithWhatIsWrong(@TempDir Path dir) {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of())) {
            TestUser head = f.user("Head");
            assertBad(f, head, Map.of("name", "x", "notBefore", "2026-12-24T10:00:00Z",
                    "notAfter", "2026-12-24T09:00:00Z"), "notAfter: expected a time after notBefore");
            assertBad(f, head, Map.of("name", "x", "notBefore", "tomorrow"), "notBefore: expected a time");
            assertBad(f, head, Map.of("name", "x", "notBefore", "2026-12-24T10:00:00"), "notBefore: expected a time");
            assertBad(f, head, Map.of("name", "x", "maxDurationMinutes", 0), "maxDurationMinutes: expected 1 to");
            assertBad(f, head, Map.of("name", "x", "maxDurationMinutes", 2.5), "maxDurationMinutes: expected 1 to");
            String room = f.room(head, Map.of("name", "Ok", "notAfter", "2026-12-24T09:00:00Z"));
            JsonNode r = f.call("PATCH", "/api/rooms/" + room, Map.of("notBefore", "2026-12-24T09:30:00Z"),
                    head.token()).json();
            assertTrue(r.path("message").asText().contains("notAfter: expected a time after notBefore"), r.toString());
            Map<String, Object> clear = new HashMap<>();
            clear.put("notAfter", null);
            clear.put("maxDurationMinutes", 30);
            JsonNode cleared = f.call("PATCH", "/api/rooms/" + room, clear, head.token()).json();
            assertTrue(cleared.path("notAfter").isMissingNode(), cleared.toString());
            assertEquals(30, cleared.path("maxDurationMinutes").asInt());
        }
    }

    private static void assertBad(SignalingFixture f, TestUser head, Map<String, Object> body, String says) {
        SignalingFixture.Response r = f.call("POST", "/api/rooms", body, head.token());
        assertEquals(400, r.status(), r.toString());
        assertTrue(r.json().path("message").asText().contains(says), r.json().toString());
    }
}
