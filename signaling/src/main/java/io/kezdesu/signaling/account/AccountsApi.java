package io.kezdesu.signaling.account;

import com.fasterxml.jackson.databind.JsonNode;
import io.kezdesu.signaling.http.ApiError;
import io.kezdesu.signaling.http.ApiException;
import io.kezdesu.signaling.http.ApiRequest;
import io.kezdesu.signaling.http.ApiResponse;
import io.kezdesu.signaling.http.Router;
import io.netty.handler.codec.http.HttpMethod;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import reactor.core.publisher.Mono;

/** {@code /api/register}, {@code /api/login}, {@code /api/me}. */
public final class AccountsApi {

    private final AccountService accounts;
    private final boolean registrationOpen;
    private final boolean passwords;
    private final io.kezdesu.signaling.metrics.SignalingMetrics metrics;

    public AccountsApi(AccountService accounts, boolean registrationOpen,
                       io.kezdesu.signaling.metrics.SignalingMetrics metrics) {
        this(accounts, registrationOpen, metrics, true);
    }

    /** {@code passwords} false (oidc-only): no registration, no password login; people sign in with the provider. */
    public AccountsApi(AccountService accounts, boolean registrationOpen,
                       io.kezdesu.signaling.metrics.SignalingMetrics metrics, boolean passwords) {
        this.passwords = passwords;
        this.accounts = accounts;
        this.registrationOpen = registrationOpen;
        this.metrics = metrics;
    }

    public void routes(Router router) {
        router.add(HttpMethod.POST, "/api/register", this::register)
                .add(HttpMethod.POST, "/api/login", this::login)
                .add(HttpMethod.GET, "/api/me", this::me)
                .add(HttpMethod.PATCH, "/api/me", this::updateMe);
    }

    private Mono<ApiResponse> register(ApiRequest req) {
        if (!passwords) {
            throw new ApiException(ApiError.REGISTRATION_CLOSED, "accounts come from the organisation's sign-in "
                    + "service here (oidc-only): sign in with it");
        }
        if (!registrationOpen) {
            throw new ApiException(ApiError.REGISTRATION_CLOSED, "registration is closed on this server");
        }
        JsonNode body = req.jsonBody();
        AccountRules.onlyFields(body, "email", "name", "password");
        String email = AccountRules.email(body);
        String name = AccountRules.name(body);
        String password = AccountRules.password(body, "password");
        return accounts.register(email, name, password, req.remote()).map(u -> ApiResponse.created(u.view()));
    }

    private Mono<ApiResponse> login(ApiRequest req) {
        if (!passwords) {
            throw new ApiException(ApiError.FORBIDDEN, "passwords are off here (oidc-only): sign in with the "
                    + "organisation's sign-in service");
        }
        JsonNode body = req.jsonBody();
        AccountRules.onlyFields(body, "email", "password");
        String email = AccountRules.requiredString(body, "email").strip().toLowerCase(java.util.Locale.ROOT);
        String password = AccountRules.requiredString(body, "password");
        if (email.isEmpty() || email.length() > AccountRules.MAX_EMAIL || password.length() > AccountRules.MAX_PASSWORD) {
            throw new ApiException(ApiError.INVALID_CREDENTIALS, "unknown email or wrong password");
        }
        return accounts.login(email, password, req.remote())
                .doOnError(ApiException.class, e -> metrics.authFailures.labelValues(
                        e.error() == ApiError.TOO_MANY_REQUESTS ? "login-throttled" : "login").inc())
                .map(login -> {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("token", login.token().token());
            out.put("expiresAt", login.token().expiresAt().toString());
            out.put("user", login.user().view());
            return ApiResponse.ok(out);
        });
    }

    private Mono<ApiResponse> me(ApiRequest req) {
        return accounts.authenticate(req.bearerToken()).map(u -> ApiResponse.ok(u.view()));
    }

    private Mono<ApiResponse> updateMe(ApiRequest req) {
        JsonNode body = req.jsonBody();
        AccountRules.onlyFields(body, "name", "password", "currentPassword");
        Optional<String> name = AccountRules.optionalString(body, "name").map(AccountRules::name);
        Optional<String> password = AccountRules.optionalString(body, "password")
                .map(p -> AccountRules.password(p, "password"));
        Optional<String> current = AccountRules.optionalString(body, "currentPassword");
        if (name.isEmpty() && password.isEmpty()) {
            throw ApiException.invalidField("name", "name or password required");
        }
        return accounts.authenticate(req.bearerToken())
                .flatMap(user -> accounts.updateProfile(user, name, password, current))
                .map(change -> {
                    Map<String, Object> out = new LinkedHashMap<>(change.user().view());
                    change.newToken().ifPresent(t -> {
                        out.put("token", t.token());
                        out.put("expiresAt", t.expiresAt().toString());
                    });
                    return ApiResponse.ok(out);
                });
    }
}
