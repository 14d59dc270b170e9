package io.kezdesu.common.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How one node proves to another that a link comes from a node of the cluster: the header
 * {@code X-Kezdesu-Node: <node id>.<unix seconds>.<HMAC-SHA256 of "<node id>.<unix seconds>" with cluster-secret>}.
 * A signature older or newer than two minutes is refused. The user on the link is proven separately, by a login
 * token the forwarding node mints (nodes share {@code jwt-secret}).
 */
public final class NodeSignature {

    public static final String HEADER = "X-Kezdesu-Node";
    private static final Duration SKEW = Duration.ofMinutes(2);

    private final byte[] secret;
    private final Clock clock;

    public NodeSignature(byte[] secret, Clock clock) {
        this.secret = secret.clone();
        this.clock = clock;
    }

    /** The cluster secret when none is configured: derived from the login-token secret every node shares. */
    public static byte[] derive(String jwtSecret) {
        return hmac(jwtSecret.getBytes(StandardCharsets.UTF_8), "kezdesu cluster-secret v1");
    }

    /** A fresh header value for this node. */
    public String sign(String node) {
        String signed = node + "." + clock.instant().getEpochSecond();
        return signed + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(hmac(secret, signed));
    }

    /** The signing node's id when {@code header} is a valid, current signature. */
    public Optional<String> verify(String header) {
        if (header == null) {
            return Optional.empty();
        }
        int last = header.lastIndexOf('.');
        int middle = last <= 0 ? -1 : header.lastIndexOf('.', last - 1);
        if (middle <= 0) {
            return Optional.empty();
        }
        String signed = header.substring(0, last);
        byte[] given;
        long at;
        try {
            given = Base64.getUrlDecoder().decode(header.substring(last + 1));
            at = Long.parseLong(header.substring(middle + 1, last));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!MessageDigest.isEqual(given, hmac(secret, signed))) {
            return Optional.empty();
        }
        Instant when = Instant.ofEpochSecond(at);
        Instant now = clock.instant();
        if (when.isBefore(now.minus(SKEW)) || when.isAfter(now.plus(SKEW))) {
            return Optional.empty();
        }
        return Optional.of(header.substring(0, middle));
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
