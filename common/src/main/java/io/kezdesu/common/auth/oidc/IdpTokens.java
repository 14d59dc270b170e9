package io.kezdesu.common.auth.oidc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.ExpiredJwtException;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Jwk;
import io.jsonwebtoken.security.JwkSet;
import io.jsonwebtoken.security.Jwks;
import io.kezdesu.common.auth.InvalidTokenException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.publisher.Mono;

/**
 * Access tokens an OpenID provider issued, checked as a resource server checks them (RFC 9068, RFC 8725): the
 * provider is found by discovery ({@code <issuer>/.well-known/openid-configuration}, whose {@code issuer} must be the
 * configured one exactly), its keys by its {@code jwks_uri}. A token must be signed by one of those keys with RS256,
 * ES256 or EdDSA (the key's own type decides: {@code none}, HS* or a header that does not fit the key are refused),
 * name that issuer, carry the audience, and be within {@code nbf}/{@code exp} (60 s of clock skew between machines).
 *
 * <p>Keys are cached; a token naming a key not seen yet makes the keys be fetched again (the provider rotated them),
 * at most once every {@code oidc-keys-min-interval} (30 s), so that tokens with made-up key ids cannot make us hammer the
 * provider. An {@code http://} issuer is refused unless it is on a loopback address (tests, a provider on the same
 * machine).
 */
public final class IdpTokens {

    /** The algorithms a provider's token may use. */
    public static final Set<String> ALGORITHMS = Set.of("RS256", "ES256", "EdDSA");
    static final long REFETCH_SECONDS = 30;
    private final Duration minInterval;
    private final ClaimNames claimNames;
    private static final Duration SKEW = Duration.ofSeconds(60);
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Which claims give a holder's email, name and groups (the provider's own names for them). */
    public record ClaimNames(String email, String name, String groups) {
        public static final ClaimNames STANDARD = new ClaimNames("email", "name", "groups");
    }

    /** What a verified token says about its holder. */
    public record Holder(String issuer, String subject, Optional<String> email, boolean emailVerified,
                         Optional<String> name, List<String> groups, Optional<String> nonce) {
    }

    private final URI issuer;
    private final String audience;
    private final Clock clock;
    private final io.kezdesu.common.http.LazyHttpClient http;
    private final AtomicReference<Optional<URI>> jwksUri = new AtomicReference<>(Optional.empty());
    private final Map<String, PublicKey> keys = new ConcurrentHashMap<>();
    private volatile Instant lastFetch = Instant.EPOCH;
    private volatile InvalidTokenException lastFailure;
    private volatile Mono<Void> fetching;

    public IdpTokens(String issuer, String audience, Clock clock) {
        this(issuer, audience, clock, Duration.ofSeconds(REFETCH_SECONDS));
    }

    /** {@code minInterval}: the least time between two readings of the provider's keys. */
    public IdpTokens(String issuer, String audience, Clock clock, Duration minInterval) {
        this(issuer, audience, clock, minInterval, ClaimNames.STANDARD);
    }

    public IdpTokens(String issuer, String audience, Clock clock, Duration minInterval, ClaimNames claims) {
        this.claimNames = claims;
        this.minInterval = minInterval;
        this.issuer = checkedIssuer(issuer);
        this.audience = audience;
        this.clock = clock;
        this.http = new io.kezdesu.common.http.LazyHttpClient(HTTP_TIMEOUT);
    }

    /**
     * An issuer URL this server may trust: {@code https://}, or {@code http://} on a loopback address only. The
     * message of the exception says which.
     */
    public static URI checkedIssuer(String issuer) {
        URI u;
        try {
            u = new URI(issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("oidc-issuer: " + issuer + " (expected: an https:// URL)");
        }
        if ("https".equals(u.getScheme()) && u.getHost() != null) {
            return u;
        }
        if ("http".equals(u.getScheme()) && u.getHost() != null && loopback(u.getHost())) {
            return u;
        }
        throw new IllegalArgumentException("oidc-issuer: " + issuer + " (expected: an https:// URL; http:// only on a "
                + "loopback address)");
    }

    private static boolean loopback(String host) {
        String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        byte[] literal = io.netty.util.NetUtil.createByteArrayFromIpAddressString(h);
        try {
            return literal != null ? InetAddress.getByAddress(literal).isLoopbackAddress() : "localhost".equals(h);
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    public String issuer() {
        return issuer.toString();
    }

    /** Whether a token claims to come from this provider (read without verifying: only to pick the verifier). */
    public boolean claims(String token) {
        return payload(token).map(p -> issuer().equals(p.path("iss").asText(null))).orElse(false);
    }

    /** Where a browser signs in, and where a code is exchanged for tokens (from discovery). */
    public record Endpoints(URI authorization, URI token) {
    }

    /** The provider's authorization and token endpoints. */
    public Mono<Endpoints> endpoints() {
        return discovery().map(d -> new Endpoints(URI.create(d.path("authorization_endpoint").asText("")),
                URI.create(d.path("token_endpoint").asText(""))));
    }

    /**
     * Verifies an ID token from the sign-in flow (OpenID Connect Core §3.1.3.7): as an access token, but for this
     * server as client ({@code aud} its client id) and with the {@code nonce} the sign-in started with.
     */
    public Mono<Holder> verifyIdToken(String token, String clientId, String nonce) {
        return verify(token, clientId).doOnNext(h -> {
            if (!nonce.equals(h.nonce().orElse(null))) {
                throw new InvalidTokenException("ID token with another nonce (a replayed or mixed-up sign-in)");
            }
        });
    }

    /** Verifies a token; errors with {@link InvalidTokenException} saying why it is refused. */
    public Mono<Holder> verify(String token) {
        return verify(token, audience);
    }

    private Mono<Holder> verify(String token, String audience) {
        JsonNode header = header(token).orElse(null);
        if (header == null) {
            return Mono.error(new InvalidTokenException("invalid token"));
        }
        String alg = header.path("alg").asText("");
        if (!ALGORITHMS.contains(alg)) {
            return Mono.error(new InvalidTokenException("token signed with " + (alg.isEmpty() ? "no algorithm" : alg)
                    + "; this server accepts " + String.join(", ", ALGORITHMS.stream().sorted().toList())
                    + " from " + issuer));
        }
        String kid = header.path("kid").asText("");
        PublicKey key = keys.get(kid);
        Mono<PublicKey> found = key != null ? Mono.just(key)
                : refetch().then(Mono.defer(() -> Mono.justOrEmpty(keys.get(kid))))
                        .switchIfEmpty(Mono.error(new InvalidTokenException("token signed with a key " + issuer
                                + " does not publish (kid " + (kid.isEmpty() ? "missing" : kid) + ")")));
        return found.map(k -> holder(check(token, k, audience)));
    }

    private Claims check(String token, PublicKey key, String audience) {
        Claims c;
        try {
            c = Jwts.parser().verifyWith(key).clock(() -> Date.from(clock.instant()))
                    .clockSkewSeconds(SKEW.toSeconds()).requireIssuer(issuer()).build()
                    .parseSignedClaims(token).getPayload();
        } catch (ExpiredJwtException e) {
            throw new InvalidTokenException("token expired");
        } catch (io.jsonwebtoken.IncorrectClaimException | io.jsonwebtoken.MissingClaimException e) {
            throw new InvalidTokenException("token from another issuer (expected " + issuer + ")");
        } catch (JwtException | IllegalArgumentException e) {
            throw new InvalidTokenException("invalid token signature or format");
        }
        if (c.getExpiration() == null) {
            throw new InvalidTokenException("token without exp");
        }
        Set<String> aud = c.getAudience();
        if (aud == null || !aud.contains(audience)) {
            throw new InvalidTokenException("token for another audience (expected " + audience + ")");
        }
        if (c.getSubject() == null || c.getSubject().isBlank()) {
            throw new InvalidTokenException("token without sub");
        }
        return c;
    }

    private Holder holder(Claims c) {
        Object groups = c.get(claimNames.groups());
        List<String> list = groups instanceof Collection<?> g ? g.stream().map(String::valueOf).toList()
                : groups instanceof String one ? List.of(one) : List.of();
        Object email = c.get(claimNames.email());
        Object name = c.get(claimNames.name());
        return new Holder(issuer(), c.getSubject(), Optional.ofNullable(email instanceof String e ? e : null),
                Boolean.TRUE.equals(c.get("email_verified", Boolean.class)),
                Optional.ofNullable(name instanceof String n ? n : null), list,
                Optional.ofNullable(c.get("nonce", String.class)));
    }

    /** Fetches the keys again unless that was done less than the minimum interval ago; one fetch at a time. */
    private synchronized Mono<Void> refetch() {
        Instant now = clock.instant();
        if (fetching != null) {
            return fetching;
        }
        // Also when the last reading failed or found no keys: a provider that is down or empty must not be asked
        // again for every token with a made-up key id.
        if (now.isBefore(lastFetch.plus(minInterval))) {
            InvalidTokenException failed = lastFailure;
            return failed != null ? Mono.error(failed) : Mono.empty();
        }
        lastFetch = now;
        Mono<Void> f = jwksUri().flatMap(this::get).doOnNext(this::useKeys).then()
                .onErrorMap(e -> e instanceof InvalidTokenException ? e
                        : new InvalidTokenException("cannot read the keys of " + issuer + " (" + e.getMessage() + ")"))
                .doOnSuccess(ok -> lastFailure = null)
                .doOnError(InvalidTokenException.class, e -> lastFailure = (InvalidTokenException) e)
                .doFinally(s -> {
                    synchronized (this) {
                        fetching = null;
                    }
                })
                .cache();
        fetching = f;
        return f;
    }

    /** The discovery document, read once (and again only after a failure). */
    private Mono<JsonNode> discovery() {
        JsonNode known = discovered.get();
        if (known != null) {
            return Mono.just(known);
        }
        return get(URI.create(issuer + "/.well-known/openid-configuration")).map(body -> {
            JsonNode d = parse(body);
            if (!issuer().equals(d.path("issuer").asText(null))) {
                throw new InvalidTokenException("the discovery document of " + issuer + " names another issuer");
            }
            discovered.set(d);
            return d;
        });
    }

    private final AtomicReference<JsonNode> discovered = new AtomicReference<>();

    private Mono<URI> jwksUri() {
        Optional<URI> known = jwksUri.get();
        if (known.isPresent()) {
            return Mono.just(known.get());
        }
        return discovery().map(d -> {
            URI uri = URI.create(d.path("jwks_uri").asText(""));
            if (!"https".equals(uri.getScheme()) && !("http".equals(uri.getScheme()) && uri.getHost() != null
                    && loopback(uri.getHost()))) {
                throw new InvalidTokenException("the jwks_uri of " + issuer + " is not https");
            }
            jwksUri.set(Optional.of(uri));
            return uri;
        });
    }

    private void useKeys(String body) {
        JwkSet set = Jwks.setParser().ignoreUnsupported(true).build().parse(body);
        Map<String, PublicKey> fresh = new java.util.HashMap<>();
        for (Jwk<?> jwk : set) {
            Key k = jwk.toKey();
            if (k instanceof PublicKey pk && jwk.getId() != null && !"enc".equals(jwk.get("use"))) {
                fresh.put(jwk.getId(), pk);
            }
        }
        keys.keySet().retainAll(fresh.keySet());
        keys.putAll(fresh);
    }

    private Mono<String> get(URI uri) {
        return Mono.fromFuture(() -> http.get().sendAsync(HttpRequest.newBuilder(uri).timeout(HTTP_TIMEOUT)
                        .header("Accept", "application/json").build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)))
                .map(r -> {
                    if (r.statusCode() != 200) {
                        throw new InvalidTokenException(uri + " answered " + r.statusCode());
                    }
                    return r.body();
                });
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (java.io.IOException e) {
            throw new InvalidTokenException("not JSON");
        }
    }

    private static Optional<JsonNode> header(String token) {
        return part(token, 0);
    }

    private static Optional<JsonNode> payload(String token) {
        return part(token, 1);
    }

    private static Optional<JsonNode> part(String token, int index) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3 || parts[index].length() > 8192) {
            return Optional.empty();
        }
        try {
            JsonNode n = JSON.readTree(Base64.getUrlDecoder().decode(parts[index]));
            return n != null && n.isObject() ? Optional.of(n) : Optional.empty();
        } catch (IllegalArgumentException | java.io.IOException e) {
            return Optional.empty();
        }
    }
}
