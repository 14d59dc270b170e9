package io.kezdesu.signaling.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.kezdesu.common.testing.ManualClock;
import io.kezdesu.signaling.SignalingFixture;
import io.kezdesu.signaling.SignalingFixture.TestUser;
import io.kezdesu.signaling.WsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README: "disabling an account stops its tokens at once" and a password change or reset revokes every older token.
 * That holds for sockets already open too: they are closed (4403, 4401) and leave their room at once.
 */
class RevocationTest {

    private static final Instant T0 = Instant.parse("2026-11-24T09:00:00Z");

    @Test
    void disablingAnAccountClosesItsSocketsAndItLeavesItsRoom(@TempDir Path dir) {
        ManualClock clock = new ManualClock(T0);
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of(), clock)) {
            TestUser head = f.user("Head");
            TestUser carol = f.user("Carol");
            String room = f.room(head, Map.of());
            WsClient h = f.join(head, room);
            WsClient inRoom = f.join(carol, room);
            h.expect("peer-joined");
            WsClient idle = f.ws(carol);
            idle.assertAlive();
            clock.advance(Duration.ofSeconds(60));

            assertEquals(200, admin(f, "/admin/users/" + carol.id() + "/disable").status());

            assertEquals(4403, inRoom.closeCode());
            assertEquals(4403, idle.closeCode());
            JsonNode left = h.expect("peer-left");
            assertEquals(inRoom.id(), left.path("id").asText());
            assertEquals("disconnected", left.path("reason").asText());
            h.assertAlive();
            JsonNode interval = awaitLeft(f, head, room, carol.id());
            assertEquals(T0.plusSeconds(60).toString(), interval.path("leftAt").asText());
            assertEquals("disconnected", interval.path("reason").asText());

            // Enabled again, the same token opens a socket that stays: the server does not keep refusing it.
            assertEquals(200, admin(f, "/admin/users/" + carol.id() + "/enable").status());
            WsClient back = f.join(carol, room);
            h.expect("peer-joined");
            back.assertAlive();
        }
    }

    @Test
    void aPasswordResetClosesTheAccountsSocketsAndNoOneElses(@TempDir Path dir) {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of())) {
            TestUser head = f.user("Head");
            TestUser carol = f.user("Carol");
            String room = f.room(head, Map.of());
            WsClient h = f.join(head, room);
            WsClient c = f.join(carol, room);
            h.expect("peer-joined");

            assertEquals(200, admin(f, "/admin/users/" + carol.id() + "/reset-password").status());

            assertEquals(4401, c.closeCode());
            JsonNode left = h.expect("peer-left");
            assertEquals(c.id(), left.path("id").asText());
            h.assertAlive();
            assertFalse(h.closed.isDone());
        }
    }

    /** The user's own change: sockets with older tokens close, a socket with the token the change returned stays. */
    @Test
    void aPasswordChangeClosesOlderTokensSocketsButNotTheNewTokens(@TempDir Path dir) {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of())) {
            TestUser head = f.user("Head");
            String room = f.room(head, Map.of());
            WsClient h = f.join(head, room);
            assertEquals(201, f.call("POST", "/api/register", Map.of("email", "carol@example.org", "name", "Carol",
                    "password", "correct horse"), null).status());
            JsonNode login = f.call("POST", "/api/login", Map.of("email", "carol@example.org",
                    "password", "correct horse"), null).json();
            TestUser carol = new TestUser(login.path("user").path("id").asText(), "Carol",
                    login.path("token").asText());
            WsClient old = f.join(carol, room);
            h.expect("peer-joined");

            SignalingFixture.Response change = f.call("PATCH", "/api/me", Map.of("password", "battery staple",
                    "currentPassword", "correct horse"), carol.token());
            assertEquals(200, change.status(), change.text());

            assertEquals(4401, old.closeCode());
            assertEquals(old.id(), h.expect("peer-left").path("id").asText());
            TestUser renewed = new TestUser(carol.id(), "Carol", change.json().path("token").asText());
            WsClient now = f.join(renewed, room);
            assertEquals(now.id(), h.expect("peer-joined").path("participant").path("id").asText());
            now.assertAlive();
        }
    }

    private static SignalingFixture.Response admin(SignalingFixture f, String path) {
        return f.call("POST", path, null, f.secrets.adminToken());
    }

    /** The user's first interval in the room's conference once the store has its end (written asynchronously). */
    private static JsonNode awaitLeft(SignalingFixture f, TestUser head, String room, String userId) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode list = f.call("GET", "/api/rooms/" + room + "/conferences", null, head.token()).json()
                    .path("conferences");
            if (list.size() == 1) {
                JsonNode report = f.call("GET", "/api/conferences/" + list.path(0).path("id").asText(), null,
                        head.token()).json();
                for (JsonNode p : report.path("participants")) {
                    JsonNode iv = p.path("intervals").path(0);
                    if (p.path("userId").asText().equals(userId) && iv.hasNonNull("leftAt")) {
                        return iv;
                    }
                }
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("no recorded leave for " + userId);
    }
}
