package io.kezdesu.signaling.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kezdesu.signaling.SignalingFixture;
import io.kezdesu.signaling.SignalingFixture.TestUser;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** HTTP behaviour shared by every route (bodies, methods), through the real server on loopback. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SignalingFixture f;

    @BeforeAll
    void start(@TempDir Path dir) {
        f = SignalingFixture.start(dir, Map.of());
    }

    @AfterAll
    void stop() {
        f.close();
    }

    private HttpResponse<String> raw(String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(f.base() + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return f.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"name\":\"Ops\"} trailing", "{\"name\":\"Ops\"}{}", "{\"name\":\"Ops\"} 1"})
    void textAfterTheJsonObjectIsRefused(String body) throws Exception {
        TestUser ada = f.user("Ada");
        HttpResponse<String> r = raw("POST", "/api/rooms", body, ada.token());
        assertEquals(400, r.statusCode(), r.body());
        JsonNode json = JSON.readTree(r.body());
        assertEquals("invalid-json", json.path("error").asText());
        assertEquals("request body has text after the JSON object (expected: one JSON object)",
                json.path("message").asText());
    }

    @Test
    void loginWithTextAfterTheBodyIsRefusedBeforeTheCredentialsAreChecked() throws Exception {
        HttpResponse<String> r = raw("POST", "/api/login",
                "{\"email\":\"nobody@example.org\",\"password\":\"correct horse\"} trailing", null);
        assertEquals(400, r.statusCode(), r.body());
        assertEquals("invalid-json", JSON.readTree(r.body()).path("error").asText());
    }

    @Test
    void aDuplicatedKeyIsNamed() throws Exception {
        TestUser ada = f.user("Ada");
        HttpResponse<String> r = raw("POST", "/api/rooms", "{\"name\":\"a\",\"name\":\"b\"}", ada.token());
        assertEquals(400, r.statusCode(), r.body());
        JsonNode json = JSON.readTree(r.body());
        assertEquals("invalid-json", json.path("error").asText());
        assertEquals("request body has the key 'name' twice (expected: each key once)", json.path("message").asText());
    }

    /** Sends raw HTTP/1.1 on one connection: a HEAD, then a GET that closes, and returns all that came back. */
    private String headThenGet(String path) throws IOException {
        try (Socket s = new Socket("127.0.0.1", f.server.address().getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("HEAD " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    + "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/healthz", "/metrics", "/r/abc", "/api/me"})
    void headAnswersAsGetWithoutTheBody(String path) throws IOException {
        String both = headThenGet(path);
        int split = both.indexOf("\r\n\r\n") + 4;
        String head = both.substring(0, split);
        String get = both.substring(split);
        assertTrue(get.startsWith("HTTP/1.1 "), "HEAD sent a body: " + both);
        int getHeaderEnd = get.indexOf("\r\n\r\n") + 4;
        assertEquals(statusLine(get), statusLine(head));
        String getBody = get.substring(getHeaderEnd);
        assertEquals(header(get, "content-length"), header(head, "content-length"));
        assertEquals(header(get, "content-type"), header(head, "content-type"));
        assertEquals(String.valueOf(getBody.getBytes(StandardCharsets.UTF_8).length), header(head, "content-length"));
    }

    @Test
    void allowNamesHeadWhereverItNamesGet() throws Exception {
        HttpResponse<String> put = raw("PUT", "/api/rooms", "{}", null);
        assertEquals(405, put.statusCode());
        assertEquals("POST, GET, HEAD", put.headers().firstValue("allow").orElse(""));
        HttpResponse<String> delete = raw("DELETE", "/healthz", "{}", null);
        assertEquals(405, delete.statusCode());
        assertEquals("GET, HEAD", delete.headers().firstValue("allow").orElse(""));
    }

    private static String statusLine(String response) {
        return response.substring(0, response.indexOf("\r\n"));
    }

    private static String header(String response, String name) {
        for (String line : response.substring(0, response.indexOf("\r\n\r\n")).split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).strip();
            }
        }
        return null;
    }
}
