package io.kezdesu.common.auth;

import io.jsonwebtoken.Claims;
import io.jsonwebtoken.ExpiredJwtException;
import io.jsonwebtoken.Jws;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;
import javax.crypto.SecretKey;

/**
 * Login tokens: HS256 JWTs with {@code iss, sub, iat, exp, jti} and {@code ver}, the account's token version (raised
 * on every password change, so that older tokens stop working at once). Verification pins the algorithm and the issuer and
 * rejects unsigned ({@code alg: none}), foreign-key, expired and not-yet-valid tokens. No clock skew is allowed: the
 * issuer and the verifier are the same process (or fleet with synchronised clocks).
 */
public final class JwtService {

    public static final String ALGORITHM = "HS256";
    static final String VERSION_CLAIM = "ver";

    private final SecretKey key;
    private final String issuer;
    private final Duration ttl;
    private final Clock clock;

    public JwtService(String secret, String issuer, Duration ttl, Clock clock) {
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < 32) {
            throw new IllegalArgumentException("jwt-secret: <redacted> (expected: at least 32 bytes)");
        }
        this.key = Keys.hmacShaKeyFor(bytes);
        this.issuer = issuer;
        this.ttl = ttl;
        this.clock = clock;
    }

    public IssuedToken issue(String userId, long tokenVersion) {
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Instant exp = now.plus(ttl);
        String token = Jwts.builder()
                .issuer(issuer)
                .subject(userId)
                .issuedAt(Date.from(now))
                .expiration(Date.from(exp))
                .id(UUID.randomUUID().toString())
                .claim(VERSION_CLAIM, tokenVersion)
                .signWith(key, Jwts.SIG.HS256)
                .compact();
        return new IssuedToken(token, now, exp);
    }

    /**
     * Verifies a token and returns its claims.
     *
     * @throws InvalidTokenException with a reason safe to show to the client
     */
    public TokenClaims verify(String token) {
        if (token == null || token.isEmpty() || token.length() > 4096) {
            throw new InvalidTokenException("missing or oversized token");
        }
        Jws<Claims> jws;
        try {
            jws = Jwts.parser()
                    .verifyWith(key)
                    .requireIssuer(issuer)
                    .clock(() -> Date.from(clock.instant()))
                    .build()
                    .parseSignedClaims(token);
        } catch (ExpiredJwtException e) {
            throw new InvalidTokenException("token expired");
        } catch (JwtException | IllegalArgumentException e) {
            throw new InvalidTokenException("invalid token");
        }
        if (!ALGORITHM.equals(jws.getHeader().getAlgorithm())) {
            throw new InvalidTokenException("invalid token");
        }
        Claims c = jws.getPayload();
        Object version = c.get(VERSION_CLAIM);
        if (c.getSubject() == null || c.getIssuedAt() == null || c.getExpiration() == null || c.getId() == null
                || !(version instanceof Number)) {
            throw new InvalidTokenException("invalid token");
        }
        return new TokenClaims(c.getSubject(), c.getIssuedAt().toInstant(), c.getExpiration().toInstant(), c.getId(),
                ((Number) version).longValue());
    }

    /** A signed token and its validity. {@link #toString()} hides the token. */
    public record IssuedToken(String token, Instant issuedAt, Instant expiresAt) {
        @Override
        public String toString() {
            return "IssuedToken[issuedAt=" + issuedAt + ", expiresAt=" + expiresAt + "]";
        }
    }

    public record TokenClaims(String userId, Instant issuedAt, Instant expiresAt, String tokenId, long tokenVersion) {
    }
}
