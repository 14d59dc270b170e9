package io.kezdesu.common.auth.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kezdesu.common.auth.InvalidTokenException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** Access tokens of an OpenID provider on loopback: what is accepted, what is refused and why, and key rotation. */
class IdpTokensTest {

    private static final Duration T = Duration.ofSeconds(10);

    private static String refusal(IdpTokens tokens, String token) {
        return assertThrows(InvalidTokenException.class, () -> tokens.verify(token).block(T)).getMessage();
    }

    @Test
    void tokensSignedWithRs256Es256AndEdDsaByTheProvidersKeysAreAccepted() throws Exception {
        try (TestProvider idp = new TestProvider()) {
            TestProvider.Key rsa = TestProvider.Key.rs256("r1");
            TestProvider.Key ec = TestProvider.Key.es256("e1");
            TestProvider.Key ed = TestProvider.Key.ed25519("d1");
            idp.publish(rsa, ec, ed);
            IdpTokens tokens = new IdpTokens(idp.issuer(), "kezdesu", Clock.systemUTC());
            for (TestProvider.Key k : List.of(rsa, ec, ed)) {
                String token = idp.token(k, Map.of("sub", "ada-" + k.alg(), "email", "ada@example.org",
                        "email_verified", true, "name", "Ada", "groups", List.of("staff", "admins")));
                assertTrue(tokens.claims(token));
                IdpTokens.Holder h = tokens.verify(token).block(T);
                assertEquals("ada-" + k.alg(), h.subject(), k.alg());
                assertEquals("ada@example.org", h.email().orElseThrow());
                assertTrue(h.emailVerified());
                assertEquals(List.of("staff", "admins"), h.groups());
            }
            assertEquals(1, idp.jwksFetches.get(), "the keys are fetched once and kept");
        }
    }

    @Test
    void aTokenForAnotherAudienceIssuerOrTimeIsRefusedSayingWhy() throws Exception {
        try (TestProvider idp = new TestProvider()) {
            TestProvider.Key ec = TestProvider.Key.es256("e1");
            idp.publish(ec);
            IdpTokens tokens = new IdpTokens(idp.issuer(), "kezdesu", Clock.systemUTC());
            assertEquals("token for another audience (expected kezdesu)",
                    refusal(tokens, idp.token(ec, Map.of("aud", "another-app"))));
            assertEquals("token expired", refusal(tokens, idp.token(ec, Map.of("exp",
                    Date.from(Instant.now().minus(Duration.ofMinutes(5)))))));
            assertEquals("invalid token signature or format", refusal(tokens, idp.token(ec, Map.of("nbf",
                    Date.from(Instant.now().plus(Duration.ofMinutes(5)))))));
            String foreign = idp.token(ec, Map.of("iss", "https://idp.example.org"));
            assertFalse(tokens.claims(foreign), "another issuer's token is not this provider's to check");
            assertTrue(refusal(tokens, foreign).startsWith("token from another issuer"));
            // A signature made by another key with the provider's key id.
            String forged = idp.token(new TestProvider.Key("e1", TestProvider.Key.es256("x").pair(), "ES256"),
                    Map.of());
            assertEquals("invalid token signature or format", refusal(tokens, forged));
        }
    }

    /** RFC 8725 §2.1 and §3.1: no unsigned tokens, and no HMAC keyed with the provider's public key. */
    @Test
    void unsignedAndAlgorithmConfusionTokensAreRefused() throws Exception {
        try (TestProvider idp = new TestProvider()) {
            TestProvider.Key rsa = TestProvider.Key.rs256("r1");
            idp.publish(rsa);
            IdpTokens tokens = new IdpTokens(idp.issuer(), "kezdesu", Clock.systemUTC());
            Map<String, Object> payload = Map.of("iss", idp.issuer(), "sub", "mallory", "aud", "kezdesu",
                    "exp", Instant.now().plusSeconds(300).getEpochSecond());
            String none = TestProvider.raw(Map.of("alg", "none", "kid", "r1"), payload, "");
            assertTrue(refusal(tokens, none).startsWith("token signed with none; this server accepts ES256, EdDSA, "
                    + "RS256"), refusal(tokens, none));
            String unsigned = TestProvider.raw(Map.of("alg", "HS256", "kid", "r1"), payload, "x");
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(rsa.pair().getPublic().getEncoded(), "HmacSHA256"));
            String body = unsigned.substring(0, unsigned.lastIndexOf('.'));
            String confused = body + "." + Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(mac.doFinal(TestProvider.utf8(body)));
            assertTrue(refusal(tokens, confused).startsWith("token signed with HS256"));
            // RS256 in the header over an EC key's id: the key decides, and it does not fit.
            TestProvider.Key ec = TestProvider.Key.es256("e1");
            idp.publish(rsa, ec);
            String mismatched = TestProvider.raw(Map.of("alg", "RS256", "kid", "e1"), payload, "AAAA");
            assertEquals("invalid token signature or format", refusal(tokens, mismatched));
            assertEquals("invalid token", refusal(tokens, "not.a-token"));
        }
    }

    @Test
    void aRotatedKeyIsFetchedWhenATokenNamesItButMadeUpKeyIdsFetchAtMostOnceInAWhile() throws Exception {
        try (TestProvider idp = new TestProvider()) {
            TestProvider.Key old = TestProvider.Key.es256("2026-11");
            idp.publish(old);
            io.kezdesu.common.testing.ManualClock clock = new io.kezdesu.common.testing.ManualClock(Instant.now());
            IdpTokens tokens = new IdpTokens(idp.issuer(), "kezdesu", clock);
            assertEquals("user-1", tokens.verify(idp.token(old, Map.of())).block(T).subject());
            // The provider rotates: a token with the new key's id makes us read the keys again (once the last
            // reading is half a minute old).
            TestProvider.Key fresh = TestProvider.Key.es256("2026-12");
            idp.publish(fresh);
            String early = idp.token(fresh, Map.of());
            assertTrue(refusal(tokens, early).contains("does not publish"), "not within 30 s of the last reading");
            clock.advance(Duration.ofSeconds(IdpTokens.REFETCH_SECONDS + 1));
            assertEquals("user-1", tokens.verify(idp.token(fresh, Map.of())).block(T).subject());
            assertEquals(2, idp.jwksFetches.get());
            assertTrue(refusal(tokens, idp.token(old, Map.of())).contains("does not publish"),
                    "the retired key is gone with the fetch");
            // Made-up key ids: refused without another fetch for a while.
            for (int i = 0; i < 20; i++) {
                String made = idp.token(new TestProvider.Key("made-up-" + i, fresh.pair(), "ES256"), Map.of());
                assertTrue(refusal(tokens, made).contains("does not publish"));
            }
            assertEquals(2, idp.jwksFetches.get(), "no fetch per made-up key id");
        }
    }

    @Test
    void onlyHttpsIssuersOrHttpOnLoopback() {
        assertEquals("https://idp.example.org", IdpTokens.checkedIssuer("https://idp.example.org/").toString());
        assertEquals("http://127.0.0.1:9000", IdpTokens.checkedIssuer("http://127.0.0.1:9000").toString());
        assertEquals("http://[::1]:9000", IdpTokens.checkedIssuer("http://[::1]:9000").toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> IdpTokens.checkedIssuer("http://idp.example.org"));
        assertEquals("oidc-issuer: http://idp.example.org (expected: an https:// URL; http:// only on a loopback "
                + "address)", e.getMessage());
    }

    @Test
    void theConfigurationRefusesAPlainHttpIssuerElsewhereAndAnIssuerWithoutAudience() {
        io.kezdesu.common.config.ConfigException e = assertThrows(io.kezdesu.common.config.ConfigException.class,
                () -> io.kezdesu.common.config.ConfigLoader.load(java.util.Optional.empty(), Map.of(),
                        Map.of("oidc-issuer", List.of("http://idp.example.org"))));
        assertTrue(e.getMessage().contains("oidc-issuer: http://idp.example.org (expected: an https:// URL; http:// "
                + "only on a loopback address)"), e.getMessage());
        assertTrue(e.getMessage().contains("oidc-audience: unset"), e.getMessage());
        io.kezdesu.common.config.ConfigLoader.load(java.util.Optional.empty(), Map.of(),
                Map.of("oidc-issuer", List.of("https://idp.example.org"), "oidc-client-id", List.of("kezdesu")));
    }

    /** An ID token from the sign-in: for this server as client, and only with the nonce the sign-in started with. */
    @Test
    void anIdTokenNeedsTheClientAsAudienceAndTheNonceOfItsSignIn() throws Exception {
        try (TestProvider idp = new TestProvider()) {
            TestProvider.Key key = TestProvider.Key.es256("k");
            idp.publish(key);
            IdpTokens tokens = new IdpTokens(idp.issuer(), "kezdesu-api", Clock.systemUTC());
            String id = idp.token(key, Map.of("aud", "kezdesu-web", "nonce", "n-123"));
            assertEquals("user-1", tokens.verifyIdToken(id, "kezdesu-web", "n-123").block(T).subject());
            assertEquals("ID token with another nonce (a replayed or mixed-up sign-in)", assertThrows(
                    InvalidTokenException.class, () -> tokens.verifyIdToken(id, "kezdesu-web", "n-456").block(T))
                    .getMessage());
            assertEquals("token for another audience (expected kezdesu-web)", assertThrows(
                    InvalidTokenException.class, () -> tokens.verifyIdToken(idp.token(key, Map.of("nonce", "n-123")),
                            "kezdesu-web", "n-123").block(T)).getMessage());
            IdpTokens.Endpoints ep = tokens.endpoints().block(T);
            assertEquals(idp.issuer() + "/authorize", ep.authorization().toString());
        }
    }

    @Test
    void moreProvidersAreWrittenAsKeyValuePairs() {
        ProviderSpec p = ProviderSpec.parse("id=partners issuer=https://login.partner.example client-id=kezdesu "
                + "client-secret=s3cret name=\"Partner login\" scopes=\"openid email\"");
        assertEquals("partners", p.id());
        assertEquals("Partner login", p.name().orElseThrow());
        assertEquals("openid email", p.scopes().orElseThrow());
        assertFalse(p.toString().contains("s3cret"), p.toString());
        for (String bad : List.of("issuer=https://x.example client-id=k", "id=a issuer=http://x.example client-id=k",
                "id=a issuer=https://x.example", "id=a id=b issuer=https://x.example client-id=k",
                "id=a issuer=https://x.example client-id=k colour=blue", "id=A! issuer=https://x.example client-id=k")) {
            assertEquals(null, ProviderSpec.parse(bad), bad);
        }
        io.kezdesu.common.config.ConfigException e = assertThrows(io.kezdesu.common.config.ConfigException.class,
                () -> io.kezdesu.common.config.ConfigLoader.load(java.util.Optional.empty(), Map.of(), Map.of(
                        "oidc-issuer", List.of("https://idp.example.org"), "oidc-client-id", List.of("k"),
                        "oidc-providers", List.of("id=oidc issuer=https://other.example client-id=k"))));
        assertTrue(e.getMessage().contains("oidc-providers: id=oidc (expected: an id of its own"), e.getMessage());
    }

    /** A provider that publishes no keys yet (or cannot be read) is not asked again for each made-up key id. */
    @Test
    void madeUpKeyIdsDoNotHammerAProviderWithoutKeys() throws Exception {
        try (TestProvider idp = new TestProvider()) {
            IdpTokens tokens = new IdpTokens(idp.issuer(), "kezdesu", Clock.systemUTC());
            TestProvider.Key stranger = TestProvider.Key.es256("nobody");
            for (int i = 0; i < 10; i++) {
                String made = idp.token(new TestProvider.Key("made-up-" + i, stranger.pair(), "ES256"), Map.of());
                String why = refusal(tokens, made);
                assertTrue(why.contains("does not publish") || why.startsWith("cannot read the keys"), why);
            }
            assertEquals(1, idp.jwksFetches.get());
        }
        IdpTokens unreachable = new IdpTokens("http://127.0.0.1:9", "kezdesu", Clock.systemUTC());
        String token = TestProvider.raw(Map.of("alg", "ES256", "kid", "k"), Map.of("iss", "http://127.0.0.1:9"), "x");
        assertTrue(refusal(unreachable, token).startsWith("cannot read the keys of http://127.0.0.1:9"));
        assertTrue(refusal(unreachable, token).startsWith("cannot read the keys of http://127.0.0.1:9"),
                "within the interval the last failure is the answer, without another attempt");
    }
}
