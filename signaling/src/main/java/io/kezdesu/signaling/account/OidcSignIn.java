package io.kezdesu.signaling.account;

import com.fasterxml.jackson.databind.JsonNode;
import io.kezdesu.common.auth.oidc.IdpTokens;
import io.kezdesu.signaling.http.ApiRequest;
import io.kezdesu.signaling.http.ApiResponse;
import io.kezdesu.signaling.http.Json;
import io.kezdesu.signaling.http.Router;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Sign-in with the organisation's OpenID provider (OpenID Connect Core, authorization code flow with PKCE, RFC 7636):
 * {@code GET /auth/<id>/start?next=/r/…} ({@code oidc} for the provider of oidc-issuer) sends the browser to the provider with a fresh {@code state}, {@code nonce}
 * and PKCE challenge, which travel in a short-lived cookie signed with a key derived from jwt-secret (so the callback
 * may reach any node of a cluster); {@code GET /auth/<id>/callback} checks the state against the cookie, exchanges
 * the code (with the PKCE verifier and the client secret, when one is configured), verifies the ID token (signature,
 * issuer, audience = client id, times, nonce), finds or makes the account, and hands the web client a login token in
 * the URL's fragment (never sent to a server, never in a log) on {@code /login.html}, which keeps it and goes on to
 * {@code next}. {@code GET /api/auth/providers} lists the providers for the login page.
 */
public final class OidcSignIn {

    private static final Logger LOG = LoggerFactory.getLogger(OidcSignIn.class);
    static final String COOKIE = "kezdesu_oidc";
    private static final Duration PENDING = Duration.ofMinutes(10);
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(10);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** A path of this site to go on to: no scheme, no host, no backslash or control characters. */
    private static final Pattern LOCAL_PATH = Pattern.compile("/(?![/\\\\])[\\x21-\\x7e&&[^\\\\]]*");

    /** The provider as configured for sign-in. */
    public record Settings(String clientId, Optional<String> clientSecret, String scopes, String displayName) {
    }

    private final String base;
    private final IdpTokens provider;
    private final Settings settings;
    private final AccountService accounts;
    private final byte[] cookieKey;
    private final Optional<String> publicUrl;
    private final boolean tls;
    private final Clock clock;
    private final io.kezdesu.common.http.LazyHttpClient http = new io.kezdesu.common.http.LazyHttpClient(HTTP_TIMEOUT);

    /** {@code id}: the provider's id, which names its paths: {@code /auth/<id>/start}, {@code /auth/<id>/callback}. */
    public OidcSignIn(String id, IdpTokens provider, Settings settings, AccountService accounts, String jwtSecret,
                      Optional<String> publicUrl, boolean tls, Clock clock) {
        this.base = "/auth/" + id;
        this.provider = provider;
        this.settings = settings;
        this.accounts = accounts;
        this.cookieKey = hmac(jwtSecret.getBytes(StandardCharsets.UTF_8), "kezdesu oidc sign-in cookie");
        this.publicUrl = publicUrl;
        this.tls = tls;
        this.clock = clock;
    }

    public void routes(Router router) {
        router.add(HttpMethod.GET, startPath(), this::start);
        router.add(HttpMethod.GET, base + "/callback", this::callback);
    }

    /** Where the login page's button sends the browser. */
    public String startPath() {
        return base + "/start";
    }

    private Mono<ApiResponse> start(ApiRequest req) {
        String next = req.queryParam("next").filter(n -> LOCAL_PATH.matcher(n).matches()).orElse("/");
        String state = random(24);
        String nonce = random(24);
        String verifier = random(48);
        String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(verifier));
        Map<String, Object> pending = new LinkedHashMap<>();
        pending.put("state", state);
        pending.put("nonce", nonce);
        pending.put("verifier", verifier);
        pending.put("next", next);
        pending.put("exp", clock.instant().plus(PENDING).getEpochSecond());
        String redirect = redirectUri(req);
        return provider.endpoints().map(ep -> {
            String location = ep.authorization() + (ep.authorization().getQuery() == null ? "?" : "&")
                    + form(Map.of("response_type", "code", "client_id", settings.clientId(), "redirect_uri", redirect,
                    "scope", settings.scopes(), "state", state, "nonce", nonce, "code_challenge", challenge,
                    "code_challenge_method", "S256"));
            return redirect(location).withHeader("Set-Cookie", COOKIE + "=" + seal(pending) + "; Path=" + base + "; "
                    + "Max-Age=" + PENDING.toSeconds() + "; HttpOnly; SameSite=Lax" + (secure(req) ? "; Secure" : ""));
        }).onErrorResume(e -> Mono.just(toLogin("The sign-in service cannot be reached right now; try again later.",
                next)));
    }

    private Mono<ApiResponse> callback(ApiRequest req) {
        Optional<JsonNode> pending = cookie(req).flatMap(this::open);
        String next = pending.map(p -> p.path("next").asText("/")).orElse("/");
        if (pending.isEmpty() || !pending.get().path("state").asText("").equals(req.queryParam("state").orElse(null))) {
            return Mono.just(clear(toLogin("That sign-in was not started here, or took too long; sign in again.",
                    next), req));
        }
        Optional<String> error = req.queryParam("error");
        if (error.isPresent()) {
            String why = req.queryParam("error_description").orElse(error.get());
            return Mono.just(clear(toLogin("The sign-in service said: " + why.substring(0, Math.min(200,
                    why.length())), next), req));
        }
        Optional<String> code = req.queryParam("code");
        if (code.isEmpty()) {
            return Mono.just(clear(toLogin("The sign-in service sent no code; sign in again.", next), req));
        }
        JsonNode p = pending.get();
        return provider.endpoints()
                .flatMap(ep -> exchange(ep.token(), code.get(), redirectUri(req), p.path("verifier").asText()))
                .flatMap(idToken -> provider.verifyIdToken(idToken, settings.clientId(), p.path("nonce").asText()))
                .flatMap(accounts::signIn)
                .map(login -> clear(redirect("/login.html?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8)
                        + "#token=" + login.token().token()), req))
                .onErrorResume(e -> {
                    LOG.info("sign-in through {} refused: {}", provider.issuer(), e.getMessage());
                    return Mono.just(clear(toLogin("Signing in did not work: " + e.getMessage(), next), req));
                });
    }

    /** The code for tokens (client_secret_basic when a secret is configured, else a public client). */
    private Mono<String> exchange(URI tokenEndpoint, String code, String redirectUri, String verifier) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "authorization_code");
        form.put("code", code);
        form.put("redirect_uri", redirectUri);
        form.put("code_verifier", verifier);
        HttpRequest.Builder request = HttpRequest.newBuilder(tokenEndpoint).timeout(HTTP_TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json");
        if (settings.clientSecret().isPresent()) {
            String basic = URLEncoder.encode(settings.clientId(), StandardCharsets.UTF_8) + ":"
                    + URLEncoder.encode(settings.clientSecret().get(), StandardCharsets.UTF_8);
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    basic.getBytes(StandardCharsets.UTF_8)));
        } else {
            form.put("client_id", settings.clientId());
        }
        HttpRequest built = request.POST(HttpRequest.BodyPublishers.ofString(form(form))).build();
        return Mono.fromFuture(() -> http.get().sendAsync(built, HttpResponse.BodyHandlers.ofString())).map(r -> {
            JsonNode body;
            try {
                body = Json.MAPPER.readTree(r.body());
            } catch (java.io.IOException e) {
                throw new IllegalStateException("the token endpoint answered " + r.statusCode() + " without JSON");
            }
            if (r.statusCode() != 200 || !body.path("id_token").isTextual()) {
                throw new IllegalStateException("the token endpoint refused the code ("
                        + body.path("error").asText("HTTP " + r.statusCode()) + ")");
            }
            return body.path("id_token").asText();
        });
    }

    private String redirectUri(ApiRequest req) {
        return publicUrl.orElseGet(() -> (tls ? "https://" : "http://")
                + req.headers().get(HttpHeaderNames.HOST, "localhost")) + base + "/callback";
    }

    private boolean secure(ApiRequest req) {
        return tls || publicUrl.map(u -> u.startsWith("https://")).orElse(false);
    }

    private static ApiResponse redirect(String location) {
        return new ApiResponse(HttpResponseStatus.FOUND, null, null, Map.of()).withHeader("Location", location)
                .withHeader("Cache-Control", "no-store");
    }

    private static ApiResponse toLogin(String message, String next) {
        return redirect("/login.html?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8) + "#error="
                + URLEncoder.encode(message, StandardCharsets.UTF_8));
    }

    private ApiResponse clear(ApiResponse r, ApiRequest req) {
        return r.withHeader("Set-Cookie", COOKIE + "=; Path=" + base + "; Max-Age=0; HttpOnly; SameSite=Lax"
                + (secure(req) ? "; Secure" : ""));
    }

    private static Optional<String> cookie(ApiRequest req) {
        for (String header : req.headers().getAll(HttpHeaderNames.COOKIE)) {
            for (String part : header.split(";")) {
                String c = part.strip();
                if (c.startsWith(COOKIE + "=")) {
                    return Optional.of(c.substring(COOKIE.length() + 1));
                }
            }
        }
        return Optional.empty();
    }

    /** {@code base64url(json).base64url(HMAC)}: the pending sign-in, which only this cluster can have written. */
    private String seal(Map<String, Object> pending) {
        try {
            String body = Base64.getUrlEncoder().withoutPadding().encodeToString(Json.MAPPER.writeValueAsBytes(
                    pending));
            return body + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(hmac(cookieKey, body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private Optional<JsonNode> open(String sealed) {
        int dot = sealed.indexOf('.');
        if (dot <= 0 || sealed.length() > 4096) {
            return Optional.empty();
        }
        String body = sealed.substring(0, dot);
        byte[] mac;
        try {
            mac = Base64.getUrlDecoder().decode(sealed.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!MessageDigest.isEqual(mac, hmac(cookieKey, body))) {
            return Optional.empty();
        }
        try {
            JsonNode p = Json.MAPPER.readTree(Base64.getUrlDecoder().decode(body));
            return p.path("exp").asLong(0) >= clock.instant().getEpochSecond() ? Optional.of(p) : Optional.empty();
        } catch (IllegalArgumentException | java.io.IOException e) {
            return Optional.empty();
        }
    }

    private static String form(Map<String, String> fields) {
        StringBuilder b = new StringBuilder();
        fields.forEach((k, v) -> b.append(b.length() == 0 ? "" : "&").append(URLEncoder.encode(k,
                StandardCharsets.UTF_8)).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return b.toString();
    }

    private static String random(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.US_ASCII));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
