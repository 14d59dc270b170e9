package io.kezdesu.signaling.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kezdesu.common.auth.oidc.TestProvider;
import io.kezdesu.signaling.SignalingFixture;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sign-in flow's server side, for what a browser cannot be made to do in e2e/tests/signin.test.js: the start
 * (PKCE S256, state and nonce, the sealed cookie, only local paths to go on to), and callbacks that must not sign
 * anyone in (no or forged cookie, another state, the provider's refusal); and oidc-only.
 */
class OidcSignInTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(SignalingFixture f, String path, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(f.base() + path));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String cookieValue(HttpResponse<?> r) {
        String set = r.headers().firstValue("Set-Cookie").orElseThrow();
        return set.substring(set.indexOf('=') + 1, set.indexOf(';'));
    }

    private static JsonNode pending(String cookie) throws Exception {
        return JSON.readTree(Base64.getUrlDecoder().decode(cookie.substring(0, cookie.indexOf('.'))));
    }

    private static String loginError(HttpResponse<?> r) {
        assertEquals(302, r.statusCode());
        String location = r.headers().firstValue("Location").orElseThrow();
        assertTrue(location.startsWith("/login.html?next="), location);
        assertFalse(location.contains("token="), location);
        return URLDecoder.decode(location.substring(location.indexOf("#error=") + 7), StandardCharsets.UTF_8);
    }

    @Test
    void theStartAndTheCallbacksThatSignNobodyIn(@TempDir Path dir) throws Exception {
        try (TestProvider idp = new TestProvider()) {
            idp.publish(TestProvider.Key.es256("k"));
            try (SignalingFixture f = SignalingFixture.start(dir, Map.of("oidc-issuer", idp.issuer(),
                    "oidc-client-id", "kezdesu-web", "oidc-client-secret", "the client secret"))) {
                HttpResponse<String> start = get(f, "/auth/oidc/start?next=/r/abc", null);
                assertEquals(302, start.statusCode());
                URI to = URI.create(start.headers().firstValue("Location").orElseThrow());
                assertEquals(idp.issuer() + "/authorize", to.getScheme() + "://" + to.getAuthority() + to.getPath());
                Map<String, String> q = new java.util.HashMap<>();
                for (String kv : to.getRawQuery().split("&")) {
                    q.put(kv.substring(0, kv.indexOf('=')), URLDecoder.decode(kv.substring(kv.indexOf('=') + 1),
                            StandardCharsets.UTF_8));
                }
                assertEquals("code", q.get("response_type"));
                assertEquals("kezdesu-web", q.get("client_id"));
                assertEquals("S256", q.get("code_challenge_method"));
                assertEquals(f.base() + "/auth/oidc/callback", q.get("redirect_uri"));
                assertEquals("openid email profile", q.get("scope"));
                String set = start.headers().firstValue("Set-Cookie").orElseThrow();
                assertTrue(set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Path=/auth/oidc"),
                        set);
                String cookie = cookieValue(start);
                JsonNode p = pending(cookie);
                assertEquals(q.get("state"), p.path("state").asText());
                assertEquals(q.get("nonce"), p.path("nonce").asText());
                assertEquals("/r/abc", p.path("next").asText());
                byte[] challenge = java.security.MessageDigest.getInstance("SHA-256")
                        .digest(p.path("verifier").asText().getBytes(StandardCharsets.US_ASCII));
                assertEquals(Base64.getUrlEncoder().withoutPadding().encodeToString(challenge),
                        q.get("code_challenge"), "the challenge is the verifier's S256");

                // Only this site's paths to go on to.
                for (String bad : new String[] {"//evil.example/x", "https://evil.example/", "/\\\\evil.example"}) {
                    HttpResponse<String> r = get(f, "/auth/oidc/start?next="
                            + java.net.URLEncoder.encode(bad, StandardCharsets.UTF_8), null);
                    assertEquals("/", pending(cookieValue(r)).path("next").asText(), bad);
                }

                String state = q.get("state");
                assertTrue(loginError(get(f, "/auth/oidc/callback?code=c&state=" + state, null))
                        .startsWith("That sign-in was not started here"));
                assertTrue(loginError(get(f, "/auth/oidc/callback?code=c&state=another", "kezdesu_oidc=" + cookie))
                        .startsWith("That sign-in was not started here"));
                String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(JSON.writeValueAsBytes(
                        Map.of("state", "mine", "nonce", "n", "verifier", "v", "next", "/", "exp", 9_999_999_999L)))
                        + cookie.substring(cookie.indexOf('.'));
                assertTrue(loginError(get(f, "/auth/oidc/callback?code=c&state=mine", "kezdesu_oidc=" + forged))
                        .startsWith("That sign-in was not started here"));
                assertEquals("The sign-in service said: the user said no", loginError(get(f,
                        "/auth/oidc/callback?error=access_denied&error_description=the+user+said+no&state=" + state,
                        "kezdesu_oidc=" + cookie)));
            }
        }
    }

    @Test
    void oidcOnlyTurnsPasswordsOff(@TempDir Path dir) throws Exception {
        try (TestProvider idp = new TestProvider();
             SignalingFixture f = SignalingFixture.start(dir, Map.of("oidc-issuer", idp.issuer(),
                     "oidc-client-id", "kezdesu-web", "oidc-only", "true", "oidc-display-name", "Staff login"))) {
            JsonNode providers = f.call("GET", "/api/auth/providers", null, null).json();
            assertFalse(providers.path("passwords").asBoolean(true));
            assertEquals("Staff login", providers.path("providers").get(0).path("name").asText());
            SignalingFixture.Response login = f.call("POST", "/api/login", Map.of("email", "a@example.org",
                    "password", "whatever it is"), null);
            assertEquals(403, login.status());
            assertTrue(login.json().path("message").asText().contains("oidc-only"), login.toString());
            assertEquals(403, f.call("POST", "/api/register", Map.of("email", "a@example.org", "name", "A",
                    "password", "long enough password"), null).status());
        }
    }

    /** Two providers: a button and paths each, and the tokens of both accepted, each its own people's accounts. */
    @Test
    void severalProvidersEachSignPeopleIn(@TempDir Path dir) throws Exception {
        try (TestProvider staff = new TestProvider(); TestProvider partners = new TestProvider()) {
            TestProvider.Key a = TestProvider.Key.es256("a");
            TestProvider.Key b = TestProvider.Key.rs256("b");
            staff.publish(a);
            partners.publish(b);
            try (SignalingFixture f = SignalingFixture.start(dir, Map.of("oidc-issuer", staff.issuer(),
                    "oidc-client-id", "kezdesu-web", "oidc-display-name", "Staff login", "oidc-providers",
                    "id=partners issuer=" + partners.issuer() + " client-id=kezdesu-partners name=\"Partner login\""))) {
                JsonNode providers = f.call("GET", "/api/auth/providers", null, null).json().path("providers");
                assertEquals("Staff login", providers.get(0).path("name").asText());
                assertEquals("/auth/oidc/start", providers.get(0).path("start").asText());
                assertEquals("Partner login", providers.get(1).path("name").asText());
                assertEquals("/auth/partners/start", providers.get(1).path("start").asText());
                HttpResponse<String> start = get(f, "/auth/partners/start?next=/", null);
                assertTrue(start.headers().firstValue("Location").orElseThrow().startsWith(partners.issuer()
                        + "/authorize?"));
                assertTrue(start.headers().firstValue("Location").orElseThrow().contains("client_id=kezdesu-partners"));
                assertTrue(start.headers().firstValue("Set-Cookie").orElseThrow().contains("Path=/auth/partners"));

                String fromStaff = staff.token(a, Map.of("sub", "same-sub", "aud", "kezdesu-web",
                        "email", "ann@staff.example"));
                String fromPartners = partners.token(b, Map.of("sub", "same-sub", "aud", "kezdesu-partners",
                        "email", "pat@partner.example"));
                JsonNode one = f.call("GET", "/api/me", null, fromStaff).json();
                JsonNode two = f.call("GET", "/api/me", null, fromPartners).json();
                assertEquals("ann@staff.example", one.path("email").asText(), one.toString());
                assertEquals("pat@partner.example", two.path("email").asText(), two.toString());
                assertTrue(two.path("id").isTextual(), two.toString());
                assertFalse(one.path("id").asText().equals(two.path("id").asText()),
                        "one subject at two providers is two people");
            }
        }
    }
}
