package io.kezdesu.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import io.kezdesu.common.data.DataDirectory;
import io.kezdesu.common.data.Secrets;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The accounts API end to end against a started daemon on ephemeral loopback ports, through the real MongoDB driver.
 * Subclasses choose the store: the embedded one, or a separately started wire server via {@code mongo-uri}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AccountsApiContract {

    private static final AtomicInteger SEQ = new AtomicInteger();

    Path dataDir;

    TestDaemon server;

    /** Extra settings for the store under test. */
    abstract Map<String, String> storeSettings();

    @BeforeAll
    void startDaemon(@TempDir Path dir) {
        dataDir = dir;
        Map<String, String> s = new HashMap<>(storeSettings());
        s.put("login-failures-per-account", "3");
        s.put("login-failures-per-ip", "1000");
        server = TestDaemon.start(dataDir, s);
    }

    @AfterAll
    void stopDaemon() {
        server.close();
    }

    static String email() {
        return "user" + SEQ.incrementAndGet() + "-" + System.nanoTime() + "@example.org";
    }

    @Test
    void registerLoginProfileAndRename() {
        String email = email();
        TestDaemon.Response reg = server.post("/api/register",
                Map.of("email", email.toUpperCase(), "name", "  Ada Lovelace ", "password", "correct horse"), null);
        assertEquals(201, reg.status(), reg::toString);
        assertEquals(email, reg.json().path("email").asText(), "emails are stored lower-case");
        assertEquals("Ada Lovelace", reg.json().path("name").asText());
        assertFalse(reg.json().has("passwordHash"));
        String id = reg.json().path("id").asText();

        TestDaemon.Response login = server.login(email, "correct horse");
        assertEquals(200, login.status(), login::toString);
        assertTrue(Instant.parse(login.json().path("expiresAt").asText()).isAfter(Instant.now()));
        String token = login.json().path("token").asText();

        TestDaemon.Response me = server.get("/api/me", token);
        assertEquals(200, me.status());
        assertEquals(id, me.json().path("id").asText());
        assertEquals(email, me.json().path("email").asText());

        TestDaemon.Response renamed = server.patch("/api/me", Map.of("name", "Ada King"), token);
        assertEquals(200, renamed.status(), renamed::toString);
        assertEquals("Ada King", server.get("/api/me", token).json().path("name").asText());
    }

    @Test
    void anEmailCanBeRegisteredOnce() {
        String email = email();
        assertEquals(201, server.post("/api/register", Map.of("email", email, "name", "A", "password", "12345678"),
                null).status());
        TestDaemon.Response again = server.post("/api/register",
                Map.of("email", email.toUpperCase(), "name", "B", "password", "12345678"), null);
        assertEquals(409, again.status());
        assertEquals("email-taken", again.error());
    }

    static Stream<Arguments> invalidRegistrations() {
        return Stream.of(
                Arguments.of(Map.of("name", "A", "password", "12345678"), "email"),
                Arguments.of(Map.of("email", "not-an-email", "name", "A", "password", "12345678"), "email"),
                Arguments.of(Map.of("email", 42, "name", "A", "password", "12345678"), "email"),
                Arguments.of(Map.of("email", "a@b.org", "name", "   ", "password", "12345678"), "name"),
                Arguments.of(Map.of("email", "a@b.org", "name", "x".repeat(101), "password", "12345678"), "name"),
                Arguments.of(Map.of("email", "a@b.org", "name", "A\u0007", "password", "12345678"), "name"),
                Arguments.of(Map.of("email", "a@b.org", "name", "A", "password", "short"), "password"),
                Arguments.of(Map.of("email", "a@b.org", "name", "A", "password", true), "password"),
                Arguments.of(Map.of("email", "a@b.org", "name", "A", "password", "12345678", "admin", true), "admin"));
    }

    @ParameterizedTest
    @MethodSource("invalidRegistrations")
    void invalidFieldsAreNamed(Map<String, Object> body, String field) {
        TestDaemon.Response r = server.post("/api/register", body, null);
        assertEquals(400, r.status(), r::toString);
        assertEquals("invalid-field", r.error());
        assertTrue(r.message().startsWith(field + ": "), r::toString);
    }

    @Test
    void malformedRequestsGetTheRightStatusAndOneErrorShape() {
        TestDaemon.Response notJson = server.raw("POST", "/api/register", "application/json",
                "{\"email\":".getBytes(StandardCharsets.UTF_8));
        assertEquals(400, notJson.status());
        assertEquals("invalid-json", notJson.error());
        TestDaemon.Response array = server.raw("POST", "/api/login", "application/json", "[1]".getBytes());
        assertEquals(400, array.status());
        assertEquals("invalid-json", array.error());
        TestDaemon.Response form = server.raw("POST", "/api/login", "application/x-www-form-urlencoded",
                "email=a".getBytes());
        assertEquals(415, form.status());
        assertEquals("unsupported-media-type", form.error());
        TestDaemon.Response big = server.raw("POST", "/api/register", "application/json", new byte[64 * 1024 + 1]);
        assertEquals(413, big.status());
        assertEquals("payload-too-large", big.error());
        TestDaemon.Response missing = server.get("/api/nothing-here", null);
        assertEquals(404, missing.status());
        assertEquals("not-found", missing.error());
        TestDaemon.Response method = server.raw("DELETE", "/api/me", null, new byte[0]);
        assertEquals(405, method.status());
        assertEquals("GET, HEAD, PATCH", method.header("Allow").orElse(""));
        for (TestDaemon.Response r : new TestDaemon.Response[] {notJson, form, big, missing, method}) {
            assertEquals(2, r.json().size(), "exactly {error, message}: " + r);
            assertFalse(r.message().isBlank());
        }
    }

    @Test
    void unknownEmailAndWrongPasswordAreAnsweredAlike() {
        String email = email();
        server.registerAndLogin(email, "A", "right password");
        TestDaemon.Response wrong = server.login(email, "wrong password");
        TestDaemon.Response unknown = server.login(email(), "wrong password");
        assertEquals(401, wrong.status());
        assertEquals(wrong.status(), unknown.status());
        assertEquals(wrong.json(), unknown.json());
        assertEquals("invalid-credentials", wrong.error());
    }

    @Test
    void failedLoginsAgainstOneAccountAreThrottled() {
        String email = email();
        server.registerAndLogin(email, "A", "right password");
        for (int i = 0; i < 3; i++) {
            assertEquals(401, server.login(email, "wrong " + i).status());
        }
        TestDaemon.Response limited = server.login(email, "right password");
        assertEquals(429, limited.status(), "even the right password waits out the window");
        assertEquals("too-many-requests", limited.error());
        assertTrue(Long.parseLong(limited.header("Retry-After").orElse("0")) > 0);
        assertEquals(401, server.login(email(), "x").status(), "other accounts are not throttled");
    }

    @Test
    void badTokensAreRefused() throws Exception {
        String token = server.registerAndLogin(email(), "A", "correct horse");
        String secret = Secrets.resolve(io.kezdesu.common.config.Config.defaults(), DataDirectory.open(dataDir))
                .jwtSecret();
        String sub = server.get("/api/me", token).json().path("id").asText();
        var key = Keys.hmacShaKeyFor(secret.getBytes(StandardCharsets.UTF_8));
        Instant now = Instant.now();
        String expired = Jwts.builder().issuer("kezdesu").subject(sub).id("x").claim("ver", 0)
                .issuedAt(Date.from(now.minusSeconds(7200))).expiration(Date.from(now.minusSeconds(60)))
                .signWith(key, Jwts.SIG.HS256).compact();
        String notYet = Jwts.builder().issuer("kezdesu").subject(sub).id("x").claim("ver", 0).issuedAt(Date.from(now))
                .notBefore(Date.from(now.plusSeconds(3600))).expiration(Date.from(now.plusSeconds(7200)))
                .signWith(key, Jwts.SIG.HS256).compact();
        String otherKey = Jwts.builder().issuer("kezdesu").subject(sub).id("x").claim("ver", 0).issuedAt(Date.from(now))
                .expiration(Date.from(now.plusSeconds(600)))
                .signWith(Keys.hmacShaKeyFor(new byte[32]), Jwts.SIG.HS256).compact();
        String[] parts = token.split("\\.");
        String none = b64("{\"alg\":\"none\"}") + "." + parts[1] + ".";
        String tampered = parts[0] + "." + parts[1].substring(0, parts[1].length() - 2) + "AA." + parts[2];

        TestDaemon.Response exp = server.get("/api/me", expired);
        assertEquals(401, exp.status());
        assertEquals("token-expired", exp.error());
        for (String bad : new String[] {notYet, otherKey, none, tampered, "not.a.jwt", token + "x"}) {
            TestDaemon.Response r = server.get("/api/me", bad);
            assertEquals(401, r.status(), bad);
            assertEquals("unauthorized", r.error());
            assertEquals("Bearer", r.header("WWW-Authenticate").orElse(""));
        }
        assertEquals(401, server.get("/api/me", null).status());
        assertEquals(200, server.get("/api/me", token).status(), "the genuine token still works");
    }

    @Test
    void passwordChangeNeedsTheCurrentPasswordAndRevokesOlderTokens() throws Exception {
        String email = email();
        String token = server.registerAndLogin(email, "A", "old password");
        TestDaemon.Response noCurrent = server.patch("/api/me", Map.of("password", "new password"), token);
        assertEquals(400, noCurrent.status());
        assertTrue(noCurrent.message().startsWith("currentPassword: "), noCurrent::toString);
        TestDaemon.Response wrongCurrent = server.patch("/api/me",
                Map.of("password", "new password", "currentPassword", "nope nope"), token);
        assertEquals(403, wrongCurrent.status());
        TestDaemon.Response changed = server.patch("/api/me",
                Map.of("password", "new password", "currentPassword", "old password"), token);
        assertEquals(200, changed.status(), changed::toString);
        String fresh = changed.json().path("token").asText();
        assertNotEquals("", fresh);
        assertEquals(401, server.get("/api/me", token).status(), "the old token is revoked");
        assertEquals(200, server.get("/api/me", fresh).status());
        assertEquals(401, server.login(email, "old password").status());
        assertEquals(200, server.login(email, "new password").status());
    }

    @Test
    void healthAndReadiness() {
        TestDaemon.Response health = server.get("/healthz", null);
        assertEquals(200, health.status());
        assertEquals("ok", health.json().path("status").asText());
        TestDaemon.Response ready = server.get("/readyz", null);
        assertEquals(200, ready.status());
        assertEquals("ready", ready.json().path("status").asText());
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
