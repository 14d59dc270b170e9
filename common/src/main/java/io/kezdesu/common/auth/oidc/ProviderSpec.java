package io.kezdesu.common.auth.oidc;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One more OpenID provider, as {@code oidc-providers} lists it: {@code id=partners issuer=https://login.partner.example
 * client-id=kezdesu client-secret=… name="Partner login" audience=kezdesu scopes="openid email profile"} (values with
 * spaces in double quotes; {@code client-secret}, {@code name}, {@code audience} and {@code scopes} optional).
 * {@link #toString()} never shows the secret.
 */
public record ProviderSpec(String id, String issuer, String clientId, Optional<String> clientSecret,
                           Optional<String> name, Optional<String> audience, Optional<String> scopes) {

    private static final Pattern PAIR = Pattern.compile("\\s*([a-z-]+)=(\"([^\"]*)\"|(\\S+))");
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");
    private static final Set<String> KEYS = Set.of("id", "issuer", "client-id", "client-secret", "name", "audience",
            "scopes");

    /** The spec, or null when the text is not one (unknown or repeated keys, a missing id, issuer or client-id). */
    public static ProviderSpec parse(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        Matcher matcher = PAIR.matcher(text);
        int end = 0;
        while (matcher.find() && matcher.start() == end) {
            String key = matcher.group(1);
            String value = matcher.group(3) != null ? matcher.group(3) : matcher.group(4);
            if (!KEYS.contains(key) || m.put(key, value) != null) {
                return null;
            }
            end = matcher.end();
        }
        if (end != text.stripTrailing().length() || !m.containsKey("id") || !ID.matcher(m.get("id")).matches()
                || !m.containsKey("issuer") || !m.containsKey("client-id")) {
            return null;
        }
        try {
            IdpTokens.checkedIssuer(m.get("issuer"));
        } catch (IllegalArgumentException e) {
            return null;
        }
        return new ProviderSpec(m.get("id"), m.get("issuer"), m.get("client-id"),
                Optional.ofNullable(m.get("client-secret")), Optional.ofNullable(m.get("name")),
                Optional.ofNullable(m.get("audience")), Optional.ofNullable(m.get("scopes")));
    }

    @Override
    public String toString() {
        return "id=" + id + " issuer=" + issuer + " client-id=" + clientId
                + clientSecret.map(s -> " client-secret=<redacted>").orElse("")
                + name.map(n -> " name=\"" + n + "\"").orElse("") + audience.map(a -> " audience=" + a).orElse("")
                + scopes.map(s -> " scopes=\"" + s + "\"").orElse("");
    }
}
