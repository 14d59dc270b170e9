package io.kezdesu.signaling.report;

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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A scripted conference on a hand-moved clock, then its report: exact intervals, peak, minutes, CSV, restart. */
class ConferenceReportTest {

    private static final Instant T0 = Instant.parse("2026-11-24T09:00:00Z");

    @Test
    void aScriptedConferenceIsReportedExactly(@TempDir Path dir) {
        ManualClock clock = new ManualClock(T0);
        String conferenceId;
        TestUser head;
        String room;
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of(), clock)) {
            head = f.user("Head");
            TestUser bob = f.user("Bob");
            TestUser carol = f.user("Carol, \"CEO\"");
            room = f.room(head, Map.of("name", "Weekly"));

            WsClient h = f.join(head, room);
            clock.advance(Duration.ofSeconds(60));
            WsClient b = f.join(bob, room);
            h.expect("peer-joined");
            clock.advance(Duration.ofSeconds(60));
            WsClient c = f.join(carol, room);
            h.expect("peer-joined");
            b.expect("peer-joined");
            clock.advance(Duration.ofSeconds(60));
            b.send(Map.of("type", "leave"));
            h.expect("peer-left");
            clock.advance(Duration.ofSeconds(60));
            h.send(Map.of("type", "kick", "to", c.id()));
            c.await("kicked");
            h.expect("peer-left");
            clock.advance(Duration.ofSeconds(60));
            h.send(Map.of("type", "leave"));
            h.assertAlive();

            assertEquals(403, f.call("GET", "/api/rooms/" + room + "/conferences", null, bob.token()).status());
            conferenceId = awaitEnded(f, head, room);
            JsonNode report = f.call("GET", "/api/conferences/" + conferenceId, null, head.token()).json();
            assertEquals("ended", report.path("status").asText());
            assertEquals("empty", report.path("endReason").asText());
            assertEquals(T0.toString(), report.path("startedAt").asText());
            assertEquals(T0.plusSeconds(300).toString(), report.path("endedAt").asText());
            assertEquals(3, report.path("peakParticipants").asInt());
            assertEquals(9.0, report.path("participantMinutes").asDouble(), 1e-9, "300 + 120 + 120 seconds");
            assertEquals(head.id(), report.path("headId").asText());
            assertInterval(report, head.id(), 0, 300, "left");
            assertInterval(report, bob.id(), 60, 180, "left");
            assertInterval(report, carol.id(), 120, 240, "kicked");

            SignalingFixture.Response csv = f.call("GET", "/api/conferences/" + conferenceId + "?format=csv", null,
                    head.token());
            assertEquals(200, csv.status());
            List<String> lines = csv.text().lines().toList();
            assertEquals(ReportFormat.CSV_HEADER, lines.get(0));
            assertEquals(4, lines.size());
            assertTrue(lines.contains(String.join(",", conferenceId, room, "Weekly", carol.id(),
                    "\"Carol, \"\"CEO\"\"\"", T0.plusSeconds(120).toString(), T0.plusSeconds(240).toString(),
                    "120.0", "kicked")), csv.text());
            assertEquals(400, f.call("GET", "/api/conferences/" + conferenceId + "?format=xml", null,
                    head.token()).status());
        }
        try (SignalingFixture again = SignalingFixture.start(dir, Map.of(), clock)) {
            TestUser sameHead = new TestUser(head.id(), head.name(), new io.kezdesu.common.auth.JwtService(
                    again.secrets.jwtSecret(), "kezdesu", Duration.ofHours(1), clock).issue(head.id(), 0).token());
            JsonNode report = again.call("GET", "/api/conferences/" + conferenceId, null, sameHead.token()).json();
            assertEquals(9.0, report.path("participantMinutes").asDouble(), 1e-9, "the report survives a restart");
        }
    }

    @Test
    void aConferenceInProgressAtShutdownEndsAsShutdown(@TempDir Path dir) {
        ManualClock clock = new ManualClock(T0);
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of(), clock)) {
            TestUser head = f.user("Head");
            String room = f.room(head, Map.of());
            WsClient h = f.join(head, room);
            clock.advance(Duration.ofSeconds(30));
            f.server.close();
            assertEquals("server-shutdown", h.expect("server-shutdown").path("type").asText());
            JsonNode doc = io.kezdesu.signaling.http.Json.MAPPER.valueToTree(ReportFormat.full(
                    new ConferenceRepository(f.store.database()).list(room, 1).blockFirst(Duration.ofSeconds(10))));
            assertEquals("shutdown", doc.path("endReason").asText());
            assertEquals(T0.plusSeconds(30).toString(), doc.path("endedAt").asText());
            assertEquals("shutdown", doc.path("participants").path(0).path("intervals").path(0).path("reason")
                    .asText());
        }
    }

    private static String awaitEnded(SignalingFixture f, TestUser head, String room) {
        return f.awaitConferences(room, head.token(), list -> list.size() == 1
                && list.path(0).path("status").asText().equals("ended")).path(0).path("id").asText();
    }

    private static void assertInterval(JsonNode report, String userId, int from, int to, String reason) {
        for (JsonNode p : report.path("participants")) {
            if (p.path("userId").asText().equals(userId)) {
                JsonNode iv = p.path("intervals").path(0);
                assertEquals(1, p.path("intervals").size());
                assertEquals(T0.plusSeconds(from).toString(), iv.path("joinedAt").asText());
                assertEquals(T0.plusSeconds(to).toString(), iv.path("leftAt").asText());
                assertEquals(reason, iv.path("reason").asText());
                assertEquals(to - from, p.path("seconds").asDouble(), 1e-9);
                return;
            }
        }
        throw new AssertionError("no participant " + userId + " in " + report);
    }
}
