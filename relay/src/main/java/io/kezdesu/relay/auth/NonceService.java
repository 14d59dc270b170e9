package io.kezdesu.relay.auth;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stateless nonces (RFC 8489 §9.2: "the server MAY use a nonce that encodes its own validity"): {@code
 * base64url(time[4] || HMAC-SHA256(nonce-secret, time || client IP)[0..12])}, 22 characters. Nothing is stored; a
 * relay fleet sharing {@code nonce-secret} accepts each other's nonces. Bound to the client IP (not the port, so a
 * client's UDP and TCP flows share it); a nonce presented from another address fails the MAC.
 */
public final class NonceService {

    public enum Verdict { VALID, STALE, INVALID }

    private static final String HMAC = "HmacSHA256";
    private static final int MAC_BYTES = 12;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final SecretKeySpec key;
    /** One keyed Mac per thread (doFinal resets it): no provider lookup and key setup per 401 and per request. */
    private final ThreadLocal<Mac> macs;
    private final Duration lifetime;
    private final Clock clock;

    public NonceService(String secret, Duration lifetime, Clock clock) {
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("lifetime: " + lifetime + " (expected: > 0)");
        }
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), HMAC);
        this.macs = ThreadLocal.withInitial(this::newMac);
        this.lifetime = lifetime;
        this.clock = clock;
    }

    public String issue(InetAddress client) {
        int now = (int) clock.instant().getEpochSecond();
        ByteBuffer out = ByteBuffer.allocate(4 + MAC_BYTES).putInt(now).put(mac(now, client), 0, MAC_BYTES);
        return ENCODER.encodeToString(out.array());
    }

    public Verdict verify(String nonce, InetAddress client) {
        byte[] raw;
        try {
            raw = nonce == null || nonce.length() != 22 ? null : DECODER.decode(nonce);
        } catch (IllegalArgumentException e) {
            raw = null;
        }
        if (raw == null || raw.length != 4 + MAC_BYTES) {
            return Verdict.INVALID;
        }
        int issued = ByteBuffer.wrap(raw).getInt();
        byte[] expected = java.util.Arrays.copyOf(mac(issued, client), MAC_BYTES);
        if (!MessageDigest.isEqual(expected, java.util.Arrays.copyOfRange(raw, 4, raw.length))) {
            return Verdict.INVALID;
        }
        long age = clock.instant().getEpochSecond() - Integer.toUnsignedLong(issued);
        return age >= 0 && age <= lifetime.toSeconds() ? Verdict.VALID : Verdict.STALE;
    }

    private byte[] mac(int time, InetAddress client) {
        Mac mac = macs.get();
        mac.update(ByteBuffer.allocate(4).putInt(time).array());
        return mac.doFinal(client.getAddress());
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(HMAC + " unavailable", e);
        }
    }
}
