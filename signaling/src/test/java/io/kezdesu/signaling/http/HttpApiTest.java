package io.kezdesu.signaling.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kezdesu.signaling.SignalingFixture;
import io.kezdesu.signaling.SignalingFixture.TestUser;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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

/** HTTP behaviour shared by every route (bodies), through the real server on loopback. */
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

}
