package io.kezdesu.common.auth.oidc;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Jwks;
import io.jsonwebtoken.security.PublicJwk;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal OpenID provider on loopback for tests of token verification: a discovery document and a JWKS that can
 * be changed (key rotation), and tokens signed with its keys. The sign-in flow is tested against a real provider
 * (npm oidc-provider) in e2e/.
 */
public final class TestProvider implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One signing key: its id, its pair, and the algorithm it signs with. */
    public record Key(String kid, KeyPair pair, String alg) {
        public static Key es256(String kid) {
            return new Key(kid, Jwts.SIG.ES256.keyPair().build(), "ES256");
        }

        public static Key rs256(String kid) {
            return new Key(kid, Jwts.SIG.RS256.keyPair().build(), "RS256");
        }

        public static Key ed25519(String kid) {
            return new Key(kid, Jwts.SIG.EdDSA.keyPair().build(), "EdDSA");
        }
    }

    private final HttpServer server;
    private volatile List<Key> published = List.of();
    /** How many times the JWKS was fetched. */
    public final AtomicInteger jwksFetches = new AtomicInteger();

    public TestProvider() throws java.io.IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/.well-known/openid-configuration", x -> {
            byte[] body = JSON.writeValueAsBytes(Map.of("issuer", issuer(), "jwks_uri", issuer() + "/jwks",
                    "authorization_endpoint", issuer() + "/authorize", "token_endpoint", issuer() + "/token"));
            x.getResponseHeaders().set("Content-Type", "application/json");
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        server.createContext("/jwks", x -> {
            jwksFetches.incrementAndGet();
            List<Map<String, Object>> keys = new ArrayList<>();
            for (Key k : published) {
                PublicJwk<?> jwk = Jwks.builder().key(k.pair().getPublic()).id(k.kid()).build();
                keys.add(new LinkedHashMap<>(jwk));
            }
            byte[] body = JSON.writeValueAsBytes(Map.of("keys", keys));
            x.getResponseHeaders().set("Content-Type", "application/json");
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        server.start();
    }

    public String issuer() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The keys the JWKS lists from now on. */
    public void publish(Key... keys) {
        published = List.of(keys);
    }

    /** A token signed by {@code key} with these claims (iss, aud, sub, exp in 5 minutes unless given). */
    public String token(Key key, Map<String, Object> claims) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("iss", issuer());
        c.put("sub", "user-1");
        c.put("aud", "kezdesu");
        c.put("iat", Date.from(Instant.now()));
        c.put("exp", Date.from(Instant.now().plus(Duration.ofMinutes(5))));
        c.putAll(claims);
        PrivateKey signer = key.pair().getPrivate();
        return Jwts.builder().header().keyId(key.kid()).and().claims(c).signWith(signer).compact();
    }

    /** A token with {@code header} and {@code payload} as given, and this signature part (for forged tokens). */
    public static String raw(Map<String, Object> header, Map<String, Object> payload, String signature)
            throws Exception {
        java.util.Base64.Encoder b64 = java.util.Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString(JSON.writeValueAsBytes(header)) + "."
                + b64.encodeToString(JSON.writeValueAsBytes(payload)) + "." + signature;
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
