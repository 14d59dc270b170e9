package io.kezdesu.common.turn;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The TURN REST credential scheme (draft-uberti-behave-turn-rest, coturn's {@code use-auth-secret}):
 * {@code password = base64(HMAC-SHA1(secret, username))}. Signaling mints with the first secret; the relay verifies
 * statelessly against every configured secret, so secrets can be rotated by listing the new one first.
 */
public final class TurnRestCredentials {

    private static final String HMAC = "HmacSHA1";
    private static final ThreadLocal<Mac> MACS = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance(HMAC);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 unavailable", e);
        }
    });

    private final List<byte[]> secrets;
    private final Duration ttl;
    private final Clock clock;

    public TurnRestCredentials(List<String> secrets, Duration ttl, Clock clock) {
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("secrets: [] (expected: at least one TURN REST secret)");
        }
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl: " + ttl + " (expected: > 0)");
        }
        List<byte[]> keys = new ArrayList<>();
        for (String s : secrets) {
            keys.add(s.getBytes(StandardCharsets.UTF_8));
        }
        this.secrets = List.copyOf(keys);
        this.ttl = ttl;
        this.clock = clock;
    }

    /** A fresh credential for a user, optionally scoped to a room; valid for the configured TTL. */
    public TurnCredential mint(String userId, Optional<String> roomId) {
        if (userId.isEmpty() || userId.contains(":") || roomId.map(r -> r.isEmpty() || r.contains(":")).orElse(false)) {
            throw new IllegalArgumentException("user and room ids must be non-empty and free of ':'");
        }
        RestUsername name = new RestUsername(clock.instant().plus(ttl).plusMillis(999).truncatedTo(
                java.time.temporal.ChronoUnit.SECONDS), userId, roomId);
        String username = name.format();
        return new TurnCredential(username, password(secrets.get(0), username), name.expiresAt());
    }

    /**
     * The passwords a client presenting {@code username} may hold, one per configured secret; empty when the
     * username is not of the REST shape or has expired. The caller checks MESSAGE-INTEGRITY against each.
     */
    public List<String> passwordsFor(String username) {
        Optional<RestUsername> parsed = RestUsername.parse(username);
        if (parsed.isEmpty() || !parsed.get().expiresAt().isAfter(clock.instant())) {
            return List.of();
        }
        List<String> out = new ArrayList<>(secrets.size());
        for (byte[] secret : secrets) {
            out.add(password(secret, username));
        }
        return out;
    }

    public static String password(byte[] secret, String username) {
        try {
            // One Mac per thread: Mac.getInstance's provider lookup cost as much as the HMAC itself on the relay's
            // Allocate path. init() resets it with this secret.
            Mac mac = MACS.get();
            mac.init(new SecretKeySpec(secret, HMAC));
            return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 unavailable", e);
        }
    }
}
