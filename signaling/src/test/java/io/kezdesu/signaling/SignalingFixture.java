package io.kezdesu.signaling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kezdesu.common.auth.JwtService;
import io.kezdesu.common.config.Config;
import io.kezdesu.common.config.ConfigLoader;
import io.kezdesu.common.data.DataDirectory;
import io.kezdesu.common.data.Secrets;
import io.kezdesu.common.store.Store;
import io.kezdesu.signaling.ice.IceServers;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.bson.Document;
import reactor.core.publisher.Mono;

/**
 * A signaling server on an ephemeral loopback port over the embedded store, plus what tests need: users (inserted
 * through the real driver, with real login tokens), JSON over HTTP, and WebSocket clients.
 */
public final class SignalingFixture implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger SEQ = new AtomicInteger();

    public final Path dataDir;
    public final Config config;
    public final Secrets secrets;
    public final Store store;
    public final SignalingServer server;
    public final HttpClient http = HttpClient.newHttpClient();
    private final JwtService jwt;
    private final List<WsClient> clients = new ArrayList<>();

    private SignalingFixture(Path dataDir, Config config, Store store, SignalingServer server, Clock clock) {
        this.dataDir = dataDir;
        this.config = config;
        this.secrets = Secrets.resolve(config, DataDirectory.open(dataDir));
        this.store = store;
        this.server = server;
        this.jwt = new JwtService(secrets.jwtSecret(), "kezdesu", Duration.ofHours(1), clock);
    }

    public static SignalingFixture start(Path dataDir, Map<String, String> settings) {
        return start(dataDir, settings, Clock.systemUTC());
    }

    public static SignalingFixture start(Path dataDir, Map<String, String> settings, Clock clock) {
        return start(dataDir, settings, clock, null);
    }

    /**
     * As {@link #start(Path, Map)}, counting connections against {@code budget} (so that a test can see the server
     * hold them); null: the budget {@code max-connections} gives.
     */
    public static SignalingFixture start(Path dataDir, Map<String, String> settings,
                                         io.kezdesu.common.ratelimit.ConnectionBudget budget) {
        return start(dataDir, settings, Clock.systemUTC(), budget);
    }

    private static SignalingFixture start(Path dataDir, Map<String, String> settings, Clock clock,
                                          io.kezdesu.common.ratelimit.ConnectionBudget budget) {
        Map<String, List<String>> flags = new LinkedHashMap<>();
        flags.put("data-dir", List.of(dataDir.toString()));
        flags.put("http-ip", List.of("127.0.0.1"));
        flags.put("http-port", List.of("0"));
        settings.forEach((k, v) -> flags.put(k, List.of(v)));
        Config config = ConfigLoader.load(Optional.empty(), Map.of(), flags);
        DataDirectory dir = DataDirectory.open(dataDir);
        Secrets secrets = Secrets.resolve(config, dir);
        Store store = Store.open(config, dir);
        SignalingConfig signaling = SignalingConfig.from(config, secrets, Optional.empty(),
                Optional.of(new IceServers.RelayPorts(3478, Optional.empty())));
        SignalingServer server = budget == null
                ? SignalingServer.start(signaling, store, clock)
                : SignalingServer.start(signaling, store, clock, () -> new byte[0], budget);
        return new SignalingFixture(dataDir, config, store, server, clock);
    }

    public String base() {
        return "http://127.0.0.1:" + server.address().getPort();
    }

    /** A user stored directly (no password hashing), and a genuine login token for it. */
    public TestUser user(String name) {
        String id = "u" + SEQ.incrementAndGet() + "x" + Long.toHexString(System.nanoTime());
        Instant now = Instant.now();
        Mono.from(store.database().getCollection("users").insertOne(new Document("_id", id)
                .append("email", id + "@example.org").append("name", name).append("passwordHash", "$none")
                .append("disabled", false).append("createdAt", Date.from(now)).append("updatedAt", Date.from(now))
                .append("tokenVersion", 0L))).block(Duration.ofSeconds(10));
        return new TestUser(id, name, jwt.issue(id, 0).token());
    }

    public record TestUser(String id, String name, String token) {
    }

    /** A new login token for a user, issued now by the fixture's clock (its tokens last an hour of it). */
    public String freshToken(TestUser user) {
        return jwt.issue(user.id(), 0).token();
    }

    public Response call(String method, String path, Object body, String token) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(30));
            if (body == null) {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                b.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
            }
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = r.body().isEmpty() || !r.headers().firstValue("content-type").orElse("")
                    .startsWith("application/json") ? JSON.createObjectNode() : JSON.readTree(r.body());
            return new Response(r.statusCode(), json, r.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The room's conference reports ({@code conferences} of its list), once {@code ready} holds for them: records
     * are written to the store after each event, asynchronously, so a test polls for what it expects; fails after 20 s.
     */
    public JsonNode awaitConferences(String room, String token, java.util.function.Predicate<JsonNode> ready) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonNode list = null;
        while (System.nanoTime() < deadline) {
            list = call("GET", "/api/rooms/" + room + "/conferences", null, token).json().path("conferences");
            if (ready.test(list)) {
                return list;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("the room's conferences never became what the test waits for: " + list);
    }

    public record Response(int status, JsonNode json, String text) {
    }

    /** Creates a room through the API; returns its id. */
    public String room(TestUser head, Map<String, Object> settings) {
        Map<String, Object> body = new LinkedHashMap<>(settings);
        body.putIfAbsent("name", "room of " + head.name());
        Response r = call("POST", "/api/rooms", body, head.token());
        if (r.status() != 201) {
            throw new AssertionError("create room: " + r);
        }
        return r.json().path("id").asText();
    }

    public WsClient ws(TestUser user) {
        WsClient c = WsClient.connect(http, "ws://127.0.0.1:" + server.address().getPort() + "/ws?token="
                + user.token());
        clients.add(c);
        return c;
    }

    /** Connects and joins; returns the client with {@code joined} consumed (available as {@link WsClient#joined}). */
    public WsClient join(TestUser user, String roomId) {
        WsClient c = ws(user);
        c.send(Map.of("type", "join", "room", roomId));
        c.joined = c.expect("joined");
        return c;
    }

    /**
     * Asks to upgrade {@code /ws} over a raw socket with a valid login and these extra header lines (each ending in
     * CRLF), and returns the status line of the answer: what the upgrade checks decide, before any WebSocket.
     */
    public String upgradeStatusLine(String extraHeaders) throws IOException {
        int port = server.address().getPort();
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            String host = "127.0.0.1:" + port;
            s.getOutputStream().write(("GET /ws?token=" + user("Ada").token() + " HTTP/1.1\r\nHost: " + host
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n" + extraHeaders.replace("SELF", host) + "\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            java.io.InputStream in = s.getInputStream();
            java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1 && b != '\n') {
                line.write(b);
            }
            return line.toString(java.nio.charset.StandardCharsets.US_ASCII).strip();
        }
    }

    @Override
    public void close() {
        clients.forEach(WsClient::abort);
        server.close();
        store.close();
    }
}
