package io.kezdesu.benchmarks.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The few HTTP API calls the soaks make, as a client would: log in ({@code POST /api/login}), the rooms a user heads
 * ({@code GET/POST /api/rooms}), and the ICE servers with a fresh TURN REST credential ({@code GET /api/ice-servers},
 * the same array {@code joined} carries). The accounts themselves are created by soak.sh with {@code kezdesu user add}.
 */
final class Api {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final URI base;

    Api(URI base) {
        this.base = base;
    }

    HttpClient http() {
        return http;
    }

    URI webSocket(String token) {
        return URI.create("ws://" + base.getHost() + ":" + base.getPort() + "/ws?token=" + token);
    }

    /** {@code soak<i>@soak.invalid}: the accounts soak.sh creates. */
    static String email(int i) {
        return "soak" + i + "@soak.invalid";
    }

    /** A login token; a 503 (password-hash queue full) or 429 is retried after its Retry-After. */
    String login(String email, String password) throws IOException, InterruptedException {
        String body = JSON.createObjectNode().put("email", email).put("password", password).toString();
        for (int attempt = 0; ; attempt++) {
            HttpResponse<String> r = http.send(post("/api/login", null, body), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                return JSON.readTree(r.body()).path("token").asText();
            }
            if ((r.statusCode() != 503 && r.statusCode() != 429) || attempt == 5) {
                throw new IOException("login " + email + ": " + r.statusCode() + " " + r.body());
            }
            long wait = r.headers().firstValueAsLong("Retry-After").orElse(1);
            Thread.sleep(Math.min(wait, 10) * 1000);
        }
    }

    /** The ids of {@code count} open rooms headed by the token's user, created when missing (so reruns reuse them). */
    List<String> rooms(String token, int count) throws IOException, InterruptedException {
        List<String> ids = new ArrayList<>();
        for (JsonNode room : call(get("/api/rooms", token), 200).path("rooms")) {
            if (room.path("name").asText().startsWith("soak ") && ids.size() < count) {
                ids.add(room.path("id").asText());
            }
        }
        while (ids.size() < count) {
            String body = JSON.createObjectNode().put("name", "soak " + ids.size()).toString();
            ids.add(call(post("/api/rooms", token, body), 201).path("id").asText());
        }
        return ids;
    }

    /** {@code GET /api/ice-servers}: the RTCIceServer array, one entry with the TURN URLs and credential. */
    JsonNode iceServers(String token) throws IOException, InterruptedException {
        return call(get("/api/ice-servers", token), 200);
    }

    private JsonNode call(HttpRequest request, int expected) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expected) {
            throw new IOException(request.method() + " " + request.uri().getPath() + ": " + r.statusCode() + " "
                    + r.body());
        }
        return JSON.readTree(r.body());
    }

    private HttpRequest get(String path, String token) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT).header("Authorization", "Bearer " + token)
                .GET().build();
    }

    private HttpRequest post(String path, String token, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b.build();
    }
}
