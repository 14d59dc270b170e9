package io.kezdesu.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.kezdesu.signaling.WsClient;
import java.net.http.HttpClient;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** What a client does after its room's node died: resume over new sockets until its place is back. */
final class Resumes {

    private Resumes() {
    }

    /** A socket that resumed, and its {@code resumed}. */
    record Resumed(WsClient socket, JsonNode message) {
    }

    /**
     * Resumes with {@code token} over new sockets to {@code url} until the place is back: a socket may meet a node that
     * cannot reach the room yet (it is sent off with 1013) or, behind a load balancer, no healthy node at all; the
     * client tries again. Fails unless it is back within 15 s of {@code since} (System.nanoTime).
     */
    static Resumed resume(HttpClient http, String url, String token, long since) {
        while (System.nanoTime() - since < TimeUnit.SECONDS.toNanos(15)) {
            WsClient socket;
            try {
                socket = WsClient.connect(http, url);
            } catch (RuntimeException e) {
                continue;
            }
            socket.send(Map.of("type", "resume", "token", token));
            while (!socket.hasPending() && !socket.closed.isDone()) {
                Thread.onSpinWait();
            }
            if (socket.hasPending()) {
                JsonNode answer = socket.next();
                assertEquals("resumed", answer.path("type").asText(), answer.toString());
                return new Resumed(socket, answer);
            }
        }
        throw new AssertionError("not resumed within 15 s of the node's death");
    }
}
