package io.kezdesu.signaling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A WebSocket test client (the JDK's): messages queue up as JSON; the close code completes {@link #closed}. */
public final class WsClient implements WebSocket.Listener {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final Duration WAIT = Duration.ofSeconds(20);

    private static final java.util.Set<String> SOCKET_LEVEL = java.util.Set.of("joined", "resumed", "lobby", "pong",
            "error");
    private final LinkedBlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
    /** Room messages received (all but joined, resumed, lobby, pong, error): what {@code resume} reports. */
    public volatile long roomMessages;
    private final StringBuilder partial = new StringBuilder();
    private final java.util.concurrent.Semaphore pings = new java.util.concurrent.Semaphore(0);
    public final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private WebSocket socket;
    /** The {@code joined} message, when connected through {@link SignalingFixture#join}. */
    public JsonNode joined;

    public static WsClient connect(HttpClient http, String url) {
        WsClient c = new WsClient();
        c.socket = http.newWebSocketBuilder().connectTimeout(WAIT).buildAsync(URI.create(url), c).join();
        return c;
    }

    public String id() {
        return joined.path("you").asText();
    }

    public void send(Object message) {
        try {
            sendText(JSON.writeValueAsString(message));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public void sendText(String text) {
        socket.sendText(text, true).join();
    }

    public void sendBinary(byte[] bytes) {
        socket.sendBinary(ByteBuffer.wrap(bytes), true).join();
    }

    /**
     * Sends {@code message} on every client at once (from a pool of threads released together), for races; returns
     * when every one is sent.
     */
    public static void sendAllAtOnce(List<WsClient> clients, Object message) {
        sendAllAtOnce(clients, c -> message);
    }

    /** As {@link #sendAllAtOnce(List, Object)}, each client sending its own message. */
    public static void sendAllAtOnce(List<WsClient> clients, java.util.function.Function<WsClient, Object> messages) {
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(16);
        List<java.util.concurrent.Future<?>> sent = new java.util.ArrayList<>();
        for (WsClient c : clients) {
            sent.add(pool.submit(() -> {
                Object message = messages.apply(c);
                go.await();
                c.send(message);
                return null;
            }));
        }
        go.countDown();
        try {
            for (java.util.concurrent.Future<?> f : sent) {
                f.get(60, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new AssertionError("sending to every client at once: " + e, e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** The next message, whatever it is. */
    public JsonNode next() {
        return next(WAIT);
    }

    /** The next message within {@code wait} (a burst on a small machine may need longer than the default). */
    public JsonNode next(java.time.Duration wait) {
        try {
            JsonNode n = inbox.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
            if (n == null) {
                throw new AssertionError("no message within " + wait + (closed.isDone() ? "; the socket closed with "
                        + closed.getNow(null) : ""));
            }
            return n;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next message, which must be of {@code type}. */
    public JsonNode expect(String type) {
        JsonNode n = next();
        if (!type.equals(n.path("type").asText())) {
            throw new AssertionError("expected " + type + " but got " + n);
        }
        return n;
    }

    /** The next message of {@code type}, skipping others. */
    public JsonNode await(String type) {
        while (true) {
            JsonNode n = next();
            if (type.equals(n.path("type").asText())) {
                return n;
            }
        }
    }

    /** An error with this code must come next. */
    public JsonNode expectError(String code) {
        JsonNode n = expect("error");
        if (!code.equals(n.path("code").asText())) {
            throw new AssertionError("expected error " + code + " but got " + n);
        }
        return n;
    }

    /** Asserts the connection is alive and in order: a ping is answered by the next message, a pong. */
    public void assertAlive() {
        send(java.util.Map.of("type", "ping"));
        expect("pong");
    }

    public boolean hasPending() {
        return !inbox.isEmpty();
    }

    public int closeCode() {
        return closed.orTimeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    public void close() {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
    }

    /** Drops the TCP connection without a close handshake, like a crashed tab or a lost network. */
    public void abort() {
        socket.abort();
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                JsonNode n = JSON.readTree(partial.toString());
                if (!SOCKET_LEVEL.contains(n.path("type").asText())) {
                    roomMessages++;
                }
                inbox.add(n);
            } catch (IOException e) {
                inbox.add(JSON.createObjectNode().put("type", "unparseable").put("text", partial.toString()));
            }
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    /** Completes when the server has pinged this client {@code n} times (the JDK answers each with a pong). */
    public void awaitPings(int n) {
        try {
            if (!pings.tryAcquire(n, WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("fewer than " + n + " pings within " + WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
        pings.release();
        return WebSocket.Listener.super.onPing(webSocket, message);
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
