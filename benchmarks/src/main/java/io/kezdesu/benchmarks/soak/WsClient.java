package io.kezdesu.benchmarks.soak;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * One signaling socket driven step by step by one thread: send a message, wait for the one that answers it. The JDK's
 * WebSocket client (it answers the server's pings itself); received messages queue in an inbox, and every wait has a
 * deadline, so a server that stops answering shows up as a {@link SoakFailure} instead of a hung soak.
 */
final class WsClient implements WebSocket.Listener {

    private final BlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final Duration timeout;
    private WebSocket ws;

    private WsClient(Duration timeout) {
        this.timeout = timeout;
    }

    static WsClient open(HttpClient http, URI uri, Duration timeout) throws SoakFailure, InterruptedException {
        WsClient c = new WsClient(timeout);
        try {
            c.ws = http.newWebSocketBuilder().connectTimeout(timeout).buildAsync(uri, c)
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new SoakFailure("ws_open");
        }
        return c;
    }

    void send(String json) throws SoakFailure, InterruptedException {
        try {
            ws.sendText(json, true).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new SoakFailure("ws_send");
        }
    }

    /**
     * The next message of {@code type} that {@code match} accepts; other messages are skipped (presence of other
     * pairs in the room, media states), an {@code error} fails the cycle with its code.
     */
    JsonNode await(String type, Predicate<JsonNode> match) throws SoakFailure, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode m = inbox.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (m == null) {
                throw new SoakFailure(closed.isDone() ? "closed_awaiting_" + type : "timeout_" + type);
            }
            String t = m.path("type").asText();
            if (t.equals("error")) {
                throw new SoakFailure("error_" + m.path("code").asText() + "_re_" + m.path("re").asText());
            }
            if (t.equals(type) && match.test(m)) {
                return m;
            }
        }
    }

    /** The close handshake (1000), waiting for the server's close frame; a socket that does not finish is aborted. */
    void close() throws SoakFailure, InterruptedException {
        try {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            ws.abort();
            throw new SoakFailure("ws_close");
        }
    }

    /** Drops the TCP connection without a close frame, as a lost network or a killed tab does. */
    void abort() {
        if (ws != null) {
            ws.abort();
        }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                inbox.add(Api.JSON.readTree(partial.toString()));
            } catch (IOException e) {
                inbox.add(Api.JSON.createObjectNode().put("type", "error").put("code", "client-unparsable"));
            }
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete(-1);
    }
}
