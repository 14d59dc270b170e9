package io.kezdesu.signaling.peerjs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kezdesu.signaling.SignalingFixture;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PeerJS HTTP API as peerjs-server answers it, and the ICE servers endpoint PeerJS pages use for our TURN. */
class PeerJsApiTest {

    private static HttpResponse<String> get(SignalingFixture f, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(f.base() + path));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return f.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void infoIdAndPeersWithCors(@TempDir Path dir) throws Exception {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of()); PeerJsPeers p = new PeerJsPeers(f)) {
            for (String path : new String[] {"/peerjs", "/peerjs/"}) {
                HttpResponse<String> info = get(f, path);
                assertEquals(200, info.statusCode());
                assertEquals("{\"name\":\"PeerJS Server\",\"description\":\"A server side element to broker "
                        + "connections between PeerJS clients.\",\"website\":\"https://peerjs.com/\"}", info.body());
            }
            HttpResponse<String> id = get(f, "/peerjs/peerjs/id?ts=1&version=1.5.5", "Origin", "http://app.test");
            assertEquals(200, id.statusCode());
            assertTrue(id.headers().firstValue("content-type").orElse("").startsWith("text/html"));
            assertEquals(id.body(), UUID.fromString(id.body()).toString());
            assertEquals("http://app.test", id.headers().firstValue("access-control-allow-origin").orElse(""));
            assertFalse(get(f, "/peerjs/peerjs/id").headers().firstValue("access-control-allow-origin").isPresent());
            // peerjs-server does not check the key on these routes.
            assertEquals(200, get(f, "/peerjs/anykey/id").statusCode());
            p.open("alice", "t");
            HttpResponse<String> peers = get(f, "/peerjs/peerjs/peers");
            assertEquals(401, peers.statusCode());
            assertEquals("Unauthorized", peers.body());
            HttpResponse<String> pre = f.http.send(HttpRequest.newBuilder(URI.create(f.base() + "/peerjs/peerjs/id"))
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                    .headers("Origin", "http://app.test", "Access-Control-Request-Method", "GET",
                            "Access-Control-Request-Headers", "x-custom").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(204, pre.statusCode());
            assertEquals("http://app.test", pre.headers().firstValue("access-control-allow-origin").orElse(""));
            assertEquals("GET,HEAD,PUT,PATCH,POST,DELETE",
                    pre.headers().firstValue("access-control-allow-methods").orElse(""));
            assertEquals("x-custom", pre.headers().firstValue("access-control-allow-headers").orElse(""));
        }
    }

    @Test
    void discoveryListsConnectedIdsWhenAllowed(@TempDir Path dir) throws Exception {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of("peerjs-allow-discovery", "true",
                "peerjs-path", "/signal")); PeerJsPeers p = new PeerJsPeers(f, "/signal")) {
            assertEquals(404, get(f, "/peerjs/peerjs/peers").statusCode());
            assertEquals(0, new ObjectMapper().readTree(get(f, "/signal/peerjs/peers").body()).size());
            p.open("alice", "t1");
            p.open("bob", "t2");
            HttpResponse<String> peers = get(f, "/signal/peerjs/peers");
            assertEquals(200, peers.statusCode());
            assertTrue(peers.headers().firstValue("content-type").orElse("").startsWith("application/json"));
            JsonNode ids = new ObjectMapper().readTree(peers.body());
            assertEquals(java.util.Set.of("alice", "bob"), java.util.Set.of(ids.get(0).asText(), ids.get(1).asText()));
        }
    }

    @Test
    void iceServersNeedALoginAndCarryATurnCredential(@TempDir Path dir) throws Exception {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of())) {
            assertEquals(401, f.call("GET", "/api/ice-servers", null, null).status());
            SignalingFixture.TestUser u = f.user("Ann");
            SignalingFixture.Response r = f.call("GET", "/api/ice-servers", null, u.token());
            assertEquals(200, r.status());
            JsonNode ice = r.json();
            assertTrue(ice.isArray(), r.text());
            assertEquals("stun:127.0.0.1:3478", ice.get(0).path("urls").get(0).asText());
            JsonNode turn = ice.get(1);
            assertEquals("turn:127.0.0.1:3478?transport=udp", turn.path("urls").get(0).asText());
            assertTrue(turn.path("username").asText().endsWith(":" + u.id()), turn.toString());
            assertFalse(turn.path("credential").asText().isEmpty());
            assertEquals("password", turn.path("credentialType").asText());
        }
    }
}
