package io.kezdesu.common.webhook;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Where events are delivered, and the secret they are signed with, as the Standard Webhooks specification has it:
 * the secret is {@code whsec_} followed by base64 (the key is what the base64 decodes to), and each delivery carries
 * {@code webhook-id}, {@code webhook-timestamp} (Unix seconds) and {@code webhook-signature: v1,<base64 of
 * HMAC-SHA256(key, id + "." + timestamp + "." + body)>}. Written {@code URL whsec_…} in the configuration.
 * {@link #toString()} never shows the secret.
 */
public record WebhookReceiver(URI url, byte[] key) {

    public static final String SECRET_PREFIX = "whsec_";

    public WebhookReceiver {
        key = key.clone();
    }

    /** {@code URL whsec_…} (one space or more between), or null when it is not that. */
    public static WebhookReceiver parse(String text) {
        String[] parts = text.strip().split("\\s+");
        if (parts.length != 2) {
            return null;
        }
        URI url = url(parts[0]);
        byte[] key = key(parts[1]);
        return url == null || key == null ? null : new WebhookReceiver(url, key);
    }

    /** An http:// or https:// URL with a host, or null. */
    public static URI url(String text) {
        try {
            URI u = new URI(text);
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            return (scheme.equals("http") || scheme.equals("https")) && u.getHost() != null ? u : null;
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }

    /** The key of a {@code whsec_…} secret (at least 16 bytes), or null. */
    public static byte[] key(String secret) {
        if (!secret.startsWith(SECRET_PREFIX)) {
            return null;
        }
        try {
            byte[] key = Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length()));
            return key.length >= 16 ? key : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The {@code webhook-signature} header value for one delivery. */
    public String sign(String id, long timestampSeconds, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] signed = mac.doFinal((id + "." + timestampSeconds + "." + body).getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(signed);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    @Override
    public byte[] key() {
        return key.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WebhookReceiver w && w.url.equals(url) && java.util.Arrays.equals(w.key, key);
    }

    @Override
    public int hashCode() {
        return url.hashCode() * 31 + java.util.Arrays.hashCode(key);
    }

    @Override
    public String toString() {
        return url + " " + SECRET_PREFIX + "<redacted>";
    }
}
