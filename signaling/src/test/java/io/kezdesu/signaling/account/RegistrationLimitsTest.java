package io.kezdesu.signaling.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kezdesu.signaling.SignalingFixture;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Registration costs a password hash and an account: it is limited per client address (behind a trusted proxy, the
 * address the proxy names), and the hashing queue answers 503 when full instead of growing.
 */
class RegistrationLimitsTest {

    private static final AtomicInteger SEQ = new AtomicInteger();

    private static CompletableFuture<HttpResponse<String>> register(SignalingFixture f, String forwardedFor) {
        String body = "{\"email\":\"r" + SEQ.incrementAndGet() + "@example.org\",\"name\":\"R\",\"password\":"
                + "\"correct horse\"}";
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(f.base() + "/api/register"))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (forwardedFor != null) {
            b.header("X-Forwarded-For", forwardedFor);
        }
        return f.http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void oneAddressGetsItsRegistrationsPerWindowThen429(@TempDir Path dir) {
        // At the default of 20 per hour.
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of())) {
            for (int i = 0; i < 20; i++) {
                assertEquals(201, register(f, null).join().statusCode());
            }
            HttpResponse<String> refused = register(f, null).join();
            assertEquals(429, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("\"too-many-requests\""), refused.body());
            assertTrue(refused.headers().firstValue("Retry-After").isPresent());
            // Headers from a peer that is not a trusted proxy change nothing.
            assertEquals(429, register(f, "198.51.100.7").join().statusCode());
        }
    }

    @Test
    void behindATrustedProxyEachForwardedAddressHasItsOwnCount(@TempDir Path dir) {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of("registrations-per-ip", "1",
                "trusted-proxies", "127.0.0.1"))) {
            assertEquals(201, register(f, "198.51.100.7").join().statusCode());
            assertEquals(429, register(f, "198.51.100.7").join().statusCode());
            assertEquals(201, register(f, "198.51.100.8").join().statusCode());
            // An IPv6 client is counted by its /64: another address in it is the same client.
            assertEquals(201, register(f, "2001:db8:1:2::1").join().statusCode());
            assertEquals(429, register(f, "2001:db8:1:2::99").join().statusCode());
        }
    }

    @Test
    void aFullHashingQueueAnswers503WithRetryAfter(@TempDir Path dir) {
        // A queue of 2: registrations may hold one place. Many at once from many addresses: those that find it
        // taken are refused at once.
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of("password-hash-queue", "2",
                "trusted-proxies", "127.0.0.1"))) {
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                all.add(register(f, "198.51.100." + (i + 1)));
            }
            int created = 0;
            int busy = 0;
            for (CompletableFuture<HttpResponse<String>> r : all) {
                HttpResponse<String> response = r.join();
                if (response.statusCode() == 201) {
                    created++;
                } else {
                    assertEquals(503, response.statusCode(), response.body());
                    assertTrue(response.body().contains("\"unavailable\""), response.body());
                    assertEquals("1", response.headers().firstValue("Retry-After").orElse(""));
                    busy++;
                }
            }
            assertTrue(created >= 1, created + " created");
            assertTrue(busy >= 1, "none refused of " + all.size());
        }
    }
}
