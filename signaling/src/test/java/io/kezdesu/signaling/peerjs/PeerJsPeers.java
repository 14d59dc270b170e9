package io.kezdesu.signaling.peerjs;

import com.fasterxml.jackson.databind.JsonNode;
import io.kezdesu.signaling.SignalingFixture;
import io.kezdesu.signaling.WsClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** PeerJS sockets against a {@link SignalingFixture}, built the way the peerjs 1.5 client builds its URL. */
final class PeerJsPeers implements AutoCloseable {

    final SignalingFixture f;
    private final String socketPath;
    private final List<WsClient> open = new ArrayList<>();

    PeerJsPeers(SignalingFixture f) {
        this(f, "/peerjs");
    }

    /** Peers of a server whose {@code peerjs-path} is {@code base}. */
    PeerJsPeers(SignalingFixture f, String base) {
        this.f = f;
        this.socketPath = base + "/peerjs";
    }

    /** A socket with exactly these query parameters (null leaves one out). */
    WsClient raw(String key, String id, String token) {
        StringBuilder q = new StringBuilder("version=1.5.5");
        if (key != null) {
            q.append("&key=").append(URLEncoder.encode(key, StandardCharsets.UTF_8));
        }
        if (id != null) {
            q.append("&id=").append(URLEncoder.encode(id, StandardCharsets.UTF_8));
        }
        if (token != null) {
            q.append("&token=").append(URLEncoder.encode(token, StandardCharsets.UTF_8));
        }
        WsClient c = WsClient.connect(f.http, "ws://127.0.0.1:" + f.server.address().getPort()
                + socketPath + "?" + q);
        open.add(c);
        return c;
    }

    /** A registered peer: OPEN consumed. */
    WsClient open(String id, String token) {
        WsClient c = raw("peerjs", id, token);
        c.expect("OPEN");
        return c;
    }

    static Map<String, Object> msg(String type, String dst, Object payload) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("type", type);
        m.put("dst", dst);
        if (payload != null) {
            m.put("payload", payload);
        }
        return m;
    }

    /** Proves everything sent to {@code c} before now has arrived: a message to itself must come next. */
    static void barrier(WsClient c, String selfId) {
        c.send(msg("CANDIDATE", selfId, Map.of("barrier", true)));
        JsonNode n = c.expect("CANDIDATE");
        if (!n.path("payload").path("barrier").asBoolean()) {
            throw new AssertionError("expected the barrier, got " + n);
        }
    }

    @Override
    public void close() {
        open.forEach(WsClient::abort);
    }
}
