package io.kezdesu.signaling.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kezdesu.common.turn.TurnRestCredentials;
import io.kezdesu.signaling.SignalingFixture;
import io.kezdesu.signaling.WsClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The signaling protocol end to end over real WebSockets on loopback. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SignalingFlowTest {

    private SignalingFixture f;

    @BeforeAll
    void start(@TempDir Path dir) {
        f = SignalingFixture.start(dir, Map.of("ws-max-message-size", "4KiB"));
    }

    @AfterAll
    void stop() {
        f.close();
    }

    @Test
    void joinNegotiateAndLeave() {
        SignalingFixture.TestUser ada = f.user("Ada");
        SignalingFixture.TestUser bob = f.user("Bob");
        String room = f.room(ada, Map.of("name", "standup"));

        WsClient a = f.join(ada, room);
        assertEquals("head", a.joined.path("role").asText());
        assertEquals(1, a.joined.path("participants").size());
        assertEquals("head", a.joined.path("roles").path(a.id()).asText());
        assertEquals("standup", a.joined.path("room").path("name").asText());

        WsClient b = f.join(bob, room);
        assertEquals("participant", b.joined.path("role").asText());
        assertEquals(2, b.joined.path("participants").size());
        JsonNode peer = a.expect("peer-joined").path("participant");
        assertEquals(b.id(), peer.path("id").asText());
        assertEquals("Bob", peer.path("name").asText());
        assertEquals(bob.id(), peer.path("userId").asText());

        Map<String, Object> offer = new LinkedHashMap<>();
        offer.put("type", "offer");
        offer.put("to", a.id());
        offer.put("sdp", Map.of("type", "offer", "sdp", "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"));
        offer.put("extra", List.of(1, "two", Map.of("three", 3)));
        b.send(offer);
        JsonNode got = a.expect("offer");
        assertEquals(b.id(), got.path("from").asText(), "the server stamps the sender");
        assertEquals("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n", got.path("sdp").path("sdp").asText());
        assertEquals("two", got.path("extra").path(1).asText(), "the rest is relayed verbatim");

        a.send(Map.of("type", "answer", "to", b.id(), "sdp", Map.of("type", "answer", "sdp", "v=0")));
        assertEquals(a.id(), b.expect("answer").path("from").asText());
        a.send(Map.of("type", "candidate", "to", b.id(), "candidate", Map.of("candidate", "candidate:1 1 udp 1 "
                + "127.0.0.1 5000 typ host", "sdpMid", "0")));
        assertEquals("0", b.expect("candidate").path("candidate").path("sdpMid").asText());

        b.send(Map.of("type", "media", "audio", false, "video", true));
        JsonNode media = a.expect("peer-media");
        assertFalse(media.path("audio").asBoolean());

        b.send(Map.of("type", "leave"));
        JsonNode left = a.expect("peer-left");
        assertEquals(b.id(), left.path("id").asText());
        assertEquals("left", left.path("reason").asText());
        b.assertAlive();
    }

    @Test
    void iceServersCarryAFreshTurnRestCredentialForThisUserAndRoom() {
        SignalingFixture.TestUser ada = f.user("Ada");
        String room = f.room(ada, Map.of());
        WsClient a = f.join(ada, room);
        JsonNode servers = a.joined.path("iceServers");
        assertEquals("stun:127.0.0.1:3478", servers.path(0).path("urls").path(0).asText(),
                "the host the client used");
        JsonNode turn = servers.path(1);
        assertEquals(List.of("turn:127.0.0.1:3478?transport=udp", "turn:127.0.0.1:3478?transport=tcp"),
                List.of(turn.path("urls").path(0).asText(), turn.path("urls").path(1).asText()));
        String username = turn.path("username").asText();
        String[] parts = username.split(":");
        assertEquals(3, parts.length);
        assertEquals(ada.id(), parts[1]);
        assertEquals(room, parts[2]);
        assertTrue(Long.parseLong(parts[0]) > Instant.now().getEpochSecond());
        assertEquals(TurnRestCredentials.password(f.secrets.turnSecrets().get(0).getBytes(StandardCharsets.UTF_8),
                username), turn.path("credential").asText());
    }

    @Test
    void badInputGetsAnErrorAndTheConnectionStays() {
        SignalingFixture.TestUser ada = f.user("Ada");
        SignalingFixture.TestUser bob = f.user("Bob");
        String room = f.room(ada, Map.of());
        String other = f.room(bob, Map.of());
        WsClient b = f.join(bob, other);
        WsClient a = f.ws(ada);

        a.sendText("{not json");
        assertTrue(a.expectError("bad-request").path("message").asText().contains("not valid JSON"));
        a.sendText("[1,2]");
        a.expectError("bad-request");
        // Text after the object, valid JSON or not, on a relayed type and on a control message.
        a.sendText("{\"type\":\"offer\",\"to\":\"x\",\"sdp\":\"v=0\"} trailing");
        assertTrue(a.expectError("bad-request").path("message").asText().contains("text after the JSON object"));
        a.sendText("{\"type\":\"ping\"} {\"type\":\"ping\"}");
        assertTrue(a.expectError("bad-request").path("message").asText().contains("text after the JSON object"));
        a.sendText("{\"type\":\"teleport\"}");
        JsonNode unknown = a.expectError("bad-request");
        assertEquals("teleport", unknown.path("re").asText());
        a.sendText("{\"type\":\"join\"}");
        assertEquals("room: required", a.expectError("bad-request").path("message").asText());
        a.sendText("{\"type\":\"join\",\"room\":42}");
        a.expectError("bad-request");
        a.sendText("{\"type\":\"offer\",\"to\":\"x\"}");
        assertEquals("offer", a.expectError("not-joined").path("re").asText());
        a.sendBinary(new byte[] {1, 2, 3});
        a.expectError("bad-request");
        a.sendText("{\"type\":\"resume\",\"token\":\"t\",\"received\":-1}");
        assertEquals("received: expected a non-negative integer", a.expectError("bad-request").path("message").asText());
        a.sendText("{\"type\":\"offer\",\"to\":\"x\",\"from\":\"forged\"}");
        assertEquals("from: set by the server, not the client",
                a.expectError("bad-request").path("message").asText());
        a.send(Map.of("type", "join", "room", "no-such-room"));
        a.expectError("not-found");
        a.assertAlive();

        a.send(Map.of("type", "join", "room", room));
        a.joined = a.expect("joined");
        a.send(Map.of("type", "join", "room", room));
        a.expectError("already-joined");
        a.send(Map.of("type", "offer", "to", b.id(), "sdp", "x"));
        assertTrue(a.expectError("not-found").path("message").asText().contains(b.id()),
                "a participant of another room is out of reach");
        a.send(Map.of("type", "offer", "to", a.id(), "sdp", "x"));
        a.expectError("not-found");
        a.assertAlive();
        b.assertAlive();
        assertFalse(b.hasPending(), "nothing leaked into the other room");
    }

    @Test
    void anOversizedMessageIsRefusedThenTheSocketClosesWith1009() {
        SignalingFixture.TestUser ada = f.user("Ada");
        WsClient a = f.ws(ada);
        a.sendText("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(5000) + "\"}");
        a.expectError("too-big");
        assertEquals(1009, a.closeCode());
    }

    @Test
    void aFloodIsRefusedThenTheSocketClosesWith1008WhileOthersCarryOn(@TempDir Path dir) {
        // One message per second (bursts of 2): twenty back-to-back pings exceed it however slow the machine is.
        try (SignalingFixture slow = SignalingFixture.start(dir, Map.of("ws-rate-limit", "1"))) {
            flood(slow);
        }
    }

    private static void flood(SignalingFixture f) {
        SignalingFixture.TestUser ada = f.user("Ada");
        SignalingFixture.TestUser bob = f.user("Bob");
        String room = f.room(ada, Map.of());
        WsClient a = f.join(ada, room);
        WsClient b = f.join(bob, room);
        a.expect("peer-joined");
        try {
            for (int i = 0; i < 20 && !b.closed.isDone(); i++) {
                b.sendText("{\"type\":\"ping\"}");
            }
        } catch (java.util.concurrent.CompletionException closedMeanwhile) {
            // The server may close the socket (the point of the test) before the loop sees it: stop sending.
        }
        int pongs = 0;
        JsonNode n;
        while ((n = b.next()).path("type").asText().equals("pong")) {
            pongs++;
        }
        assertEquals("rate-limited", n.path("code").asText(), "after " + pongs + " pongs: " + n);
        assertEquals(1008, b.closeCode());
        a.expect("peer-left");
        a.send(Map.of("type", "ping"));
        a.expect("pong");
    }

    @Test
    void theUpgradeNeedsAValidToken() throws Exception {
        for (String query : new String[] {"", "?token=", "?token=garbage"}) {
            java.util.concurrent.CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(
                    java.util.concurrent.CompletionException.class, () -> f.http.newWebSocketBuilder()
                            .buildAsync(URI.create("ws://127.0.0.1:" + f.server.address().getPort() + "/ws" + query),
                                    new java.net.http.WebSocket.Listener() { }).join());
            java.net.http.WebSocketHandshakeException h = (java.net.http.WebSocketHandshakeException) e.getCause();
            assertEquals(401, h.getResponse().statusCode(), query);
            assertTrue(String.valueOf(h.getResponse().body()).contains("\"error\":\"unauthorized\""),
                    String.valueOf(h.getResponse().body()));
        }
        SignalingFixture.TestUser ada = f.user("Ada");
        HttpResponse<String> viaCookie = f.http.send(HttpRequest.newBuilder(URI.create(f.base() + "/ws"))
                .header("Cookie", "kezdesu_token=" + ada.token()).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, viaCookie.statusCode(), "authenticated, but not a WebSocket request");
    }

    @Test
    void theWebClientIsServedWithAStrictContentSecurityPolicy() throws Exception {
        HttpResponse<String> index = f.http.send(HttpRequest.newBuilder(URI.create(f.base() + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, index.statusCode());
        assertTrue(index.headers().firstValue("content-type").orElse("").startsWith("text/html"));
        assertTrue(index.headers().firstValue("content-security-policy").orElse("").contains("script-src 'self'"));
        assertTrue(index.body().contains("<title>kezdesu</title>"), index.body());
        HttpResponse<String> room = f.http.send(HttpRequest.newBuilder(URI.create(f.base() + "/r/AbC_12-x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, room.statusCode());
        assertTrue(room.body().contains("src=\"/js/room.js\""), "a join link serves room.html");
        HttpResponse<String> script = f.http.send(HttpRequest.newBuilder(URI.create(f.base() + "/js/room.js")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(script.headers().firstValue("content-type").orElse("").startsWith("text/javascript"));
        // The CSP allows no inline code or styles, so the pages must not carry any.
        for (String page : new String[] {"/", "/login.html", "/register.html", "/profile.html", "/r/AbC_12-x"}) {
            String body = f.http.send(HttpRequest.newBuilder(URI.create(f.base() + page)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertFalse(body.matches("(?s).*<script(?![^>]*\\bsrc=)[^>]*>.*"), page + ": inline script");
            assertFalse(body.matches("(?s).*(<style|\\sstyle=|\\son[a-z]+=).*"), page + ": inline style or handler");
        }
        for (String bad : new String[] {"/../pom.xml", "/%2e%2e/secret", "/nothing.js", "/web/index.html"}) {
            HttpResponse<String> r = f.http.send(HttpRequest.newBuilder(URI.create(f.base() + bad)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, r.statusCode(), bad);
        }
    }

    @Test
    void metricsAreExposedInPrometheusFormat() {
        SignalingFixture.TestUser ada = f.user("Ada");
        f.join(ada, f.room(ada, Map.of()));
        f.call("POST", "/api/login", java.util.Map.of("email", "nobody@example.org", "password", "wrong one"), null);
        SignalingFixture.Response r = f.call("GET", "/metrics", null, null);
        assertTrue(r.text().contains("kezdesu_auth_failures_total{kind=\"login\"} 1.0"), r.text());
        assertEquals(200, r.status());
        assertTrue(r.text().contains("kezdesu_joins_total{outcome=\"admitted\"}"), r.text());
        assertTrue(r.text().contains("kezdesu_websocket_sessions"), r.text());
        assertTrue(r.text().contains("kezdesu_participants"), r.text());
    }
}
