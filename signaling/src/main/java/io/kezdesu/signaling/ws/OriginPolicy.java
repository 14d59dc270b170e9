package io.kezdesu.signaling.ws;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which web pages may open {@code /ws}: the page's own origin (the Origin's host and port are those the browser
 * reached us at, the Host header; the scheme is not compared, since a TLS-terminating proxy speaks http to us), the
 * {@code public-url}'s, and those listed in {@code allowed-origins}. A browser always sends Origin on a WebSocket
 * handshake; another site's page must not open a socket with the login cookie of the person visiting it
 * (cross-site WebSocket hijacking). A request without Origin is no browser's, and carries no one else's cookie.
 */
public final class OriginPolicy {

    private final Set<String> allowed;

    /** @param allowedOrigins {@code allowed-origins}, each {@code scheme://host[:port]}; plus {@code public-url} */
    public OriginPolicy(List<String> allowedOrigins, Optional<String> publicUrl) {
        this.allowed = java.util.stream.Stream.concat(allowedOrigins.stream(), publicUrl.stream())
                .map(OriginPolicy::origin).collect(Collectors.toUnmodifiableSet());
    }

    /** Whether a handshake with this {@code Origin} (null: none sent) and {@code Host} may go ahead. */
    public boolean allows(String originHeader, String hostHeader) {
        if (originHeader == null) {
            return true;
        }
        String origin = originHeader.strip().toLowerCase(Locale.ROOT);
        if (allowed.contains(origin)) {
            return true;
        }
        try {
            URI u = URI.create(origin);
            String authority = u.getRawAuthority();
            return authority != null && hostHeader != null
                    && authority.equals(hostHeader.strip().toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException notAUri) {
            return false;
        }
    }

    /** {@code scheme://host[:port]} of a URL, lower case, as a browser writes an Origin. */
    static String origin(String url) {
        URI u = URI.create(url.strip());
        return (u.getScheme() + "://" + u.getRawAuthority()).toLowerCase(Locale.ROOT);
    }
}
