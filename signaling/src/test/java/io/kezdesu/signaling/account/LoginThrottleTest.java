package io.kezdesu.signaling.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kezdesu.signaling.SignalingFixture;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failed logins slow the guesser down without locking the account's owner out (behind a trusted proxy). */
class LoginThrottleTest {

    private static HttpResponse<String> post(SignalingFixture f, String path, String body, String from)
            throws Exception {
        return f.http.send(HttpRequest.newBuilder(URI.create(f.base() + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("X-Forwarded-For", from)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> login(SignalingFixture f, String password, String from) throws Exception {
        return post(f, "/api/login", "{\"email\":\"ada@example.org\",\"password\":\"" + password + "\"}", from);
    }

    @Test
    void aGuesserAtAnotherAddressNeverLocksTheOwnerOut(@TempDir Path dir) throws Exception {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of("trusted-proxies", "127.0.0.1"))) {
            assertEquals(201, post(f, "/api/register",
                    "{\"email\":\"ada@example.org\",\"name\":\"Ada\",\"password\":\"correct horse\"}",
                    "198.51.100.7").statusCode());
            // Past the default of 10 per account and address, the guesser waits.
            for (int i = 0; i < 10; i++) {
                assertEquals(401, login(f, "guess " + i, "203.0.113.66").statusCode());
            }
            HttpResponse<String> held = login(f, "guess 10", "203.0.113.66");
            assertEquals(429, held.statusCode(), held.body());
            assertTrue(Long.parseLong(held.headers().firstValue("Retry-After").orElse("0")) >= 1);
            // The owner, from their own address, is not held.
            HttpResponse<String> owner = login(f, "correct horse", "198.51.100.7");
            assertEquals(200, owner.statusCode(), owner.body());
        }
    }
}
