package io.kezdesu.common.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import org.junit.jupiter.api.Test;

class JwtServiceTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final JwtService jwt = new JwtService(SECRET, "kezdesu", Duration.ofHours(12), clock);

    @Test
    void issuedTokenCarriesTheClaimsAndVerifies() {
        JwtService.IssuedToken t = jwt.issue("user-1", 7);
        JwtService.TokenClaims c = jwt.verify(t.token());
        assertEquals("user-1", c.userId());
        assertEquals(NOW, c.issuedAt());
        assertEquals(NOW.plus(Duration.ofHours(12)), c.expiresAt());
        assertEquals(36, c.tokenId().length());
        assertEquals(7, c.tokenVersion());
        String header = new String(Base64.getUrlDecoder().decode(t.token().split("\\.")[0]), StandardCharsets.UTF_8);
        assertEquals("{\"alg\":\"HS256\"}", header);
    }

    @Test
    void expiredTokenIsRefusedAsExpired() {
        String token = jwt.issue("u", 0).token();
        JwtService later = new JwtService(SECRET, "kezdesu", Duration.ofHours(12),
                Clock.fixed(NOW.plus(Duration.ofHours(12)).plusSeconds(1), ZoneOffset.UTC));
        InvalidTokenException e = assertThrows(InvalidTokenException.class, () -> later.verify(token));
        assertEquals("token expired", e.getMessage());
    }

    @Test
    void notYetValidTokenIsRefused() {
        String token = Jwts.builder().claim("ver", 0).issuer("kezdesu").subject("u").issuedAt(Date.from(NOW))
                .notBefore(Date.from(NOW.plusSeconds(600))).expiration(Date.from(NOW.plusSeconds(3600))).id("j")
                .signWith(key(SECRET), Jwts.SIG.HS256).compact();
        assertThrows(InvalidTokenException.class, () -> jwt.verify(token));
    }

    @Test
    void tamperedPayloadIsRefused() {
        String[] parts = jwt.issue("alice", 0).token().split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("alice", "admin");
        String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        assertThrows(InvalidTokenException.class, () -> jwt.verify(forged));
    }

    @Test
    void unsignedAlgNoneTokenIsRefused() {
        String header = b64("{\"alg\":\"none\"}");
        String payload = b64("{\"iss\":\"kezdesu\",\"sub\":\"u\",\"iat\":" + NOW.getEpochSecond() + ",\"exp\":"
                + (NOW.getEpochSecond() + 3600) + ",\"jti\":\"x\"}");
        assertThrows(InvalidTokenException.class, () -> jwt.verify(header + "." + payload + "."));
    }

    @Test
    void tokenSignedWithAnotherKeyIsRefused() {
        JwtService other = new JwtService("another-secret-another-secret-another-secret", "kezdesu",
                Duration.ofHours(1), clock);
        assertThrows(InvalidTokenException.class, () -> jwt.verify(other.issue("u", 0).token()));
    }

    @Test
    void otherAlgorithmWithTheSameKeyIsRefused() {
        // A 512-bit secret can sign HS512 too; verification is pinned to HS256 all the same.
        String token = Jwts.builder().claim("ver", 0).issuer("kezdesu").subject("u").issuedAt(Date.from(NOW))
                .expiration(Date.from(NOW.plusSeconds(3600))).id("j")
                .signWith(key(SECRET), Jwts.SIG.HS512).compact();
        assertThrows(InvalidTokenException.class, () -> jwt.verify(token));
    }

    @Test
    void otherIssuerAndMissingClaimsAreRefused() {
        JwtService foreign = new JwtService(SECRET, "someone-else", Duration.ofHours(1), clock);
        assertThrows(InvalidTokenException.class, () -> jwt.verify(foreign.issue("u", 0).token()));
        String noSubject = Jwts.builder().claim("ver", 0).issuer("kezdesu").issuedAt(Date.from(NOW))
                .expiration(Date.from(NOW.plusSeconds(3600))).id("j").signWith(key(SECRET), Jwts.SIG.HS256).compact();
        assertThrows(InvalidTokenException.class, () -> jwt.verify(noSubject));
        assertThrows(InvalidTokenException.class, () -> jwt.verify("garbage"));
        assertThrows(InvalidTokenException.class, () -> jwt.verify(""));
    }

    @Test
    void aValidlySignedTokenWithoutTheVersionClaimIsRefused() {
        String token = Jwts.builder().issuer("kezdesu").subject("u").issuedAt(Date.from(NOW))
                .expiration(Date.from(NOW.plusSeconds(3600))).id("j").signWith(key(SECRET), Jwts.SIG.HS256).compact();
        assertThrows(InvalidTokenException.class, () -> jwt.verify(token));
        String withVersion = Jwts.builder().claim("ver", 0).issuer("kezdesu").subject("u").issuedAt(Date.from(NOW))
                .expiration(Date.from(NOW.plusSeconds(3600))).id("j").signWith(key(SECRET), Jwts.SIG.HS256).compact();
        assertEquals("u", jwt.verify(withVersion).userId(), "the same token with the claim is accepted");
    }

    @Test
    void shortSecretIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new JwtService("short", "k", Duration.ofHours(1), clock));
    }

    private static javax.crypto.SecretKey key(String s) {
        return Keys.hmacShaKeyFor(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
