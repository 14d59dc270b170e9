package io.kezdesu.signaling.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.kezdesu.signaling.account.AccountRules;
import io.kezdesu.signaling.account.AccountService;
import io.kezdesu.signaling.account.User;
import io.kezdesu.signaling.http.ApiError;
import io.kezdesu.signaling.http.ApiException;
import io.kezdesu.signaling.http.ApiRequest;
import io.kezdesu.signaling.http.ApiResponse;
import io.kezdesu.signaling.http.Json;
import io.kezdesu.signaling.http.Router;
import io.netty.handler.codec.http.HttpMethod;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * {@code /admin/users}: what {@code kezdesu user …} calls. A user is addressed by id or by email. Passwords the
 * server generates are returned once, in the response that created them.
 */
public final class AdminUsersApi {

    private static final int MAX_LIST = 10_000;

    private final AccountService accounts;
    private final AdminAuth auth;

    public AdminUsersApi(AccountService accounts, AdminAuth auth) {
        this.accounts = accounts;
        this.auth = auth;
    }

    public void routes(Router router) {
        router.add(HttpMethod.GET, "/admin/users", guarded(this::list))
                .add(HttpMethod.POST, "/admin/users", guarded(this::add))
                .add(HttpMethod.GET, "/admin/users/{user}", guarded(this::show))
                .add(HttpMethod.POST, "/admin/users/{user}/disable", guarded(r -> setDisabled(r, true)))
                .add(HttpMethod.POST, "/admin/users/{user}/enable", guarded(r -> setDisabled(r, false)))
                .add(HttpMethod.POST, "/admin/users/{user}/reset-password", guarded(this::resetPassword));
    }

    private Router.Handler guarded(Function<ApiRequest, Mono<ApiResponse>> handler) {
        return req -> auth.require(req, () -> handler.apply(req));
    }

    private Mono<ApiResponse> list(ApiRequest req) {
        int limit = req.queryParam("limit").map(s -> parseLimit(s)).orElse(1000);
        return accounts.repository().list(limit).map(User::view).collectList()
                .map(users -> ApiResponse.ok(Map.of("users", users)));
    }

    private Mono<ApiResponse> add(ApiRequest req) {
        JsonNode body = req.jsonBody();
        AccountRules.onlyFields(body, "email", "name", "password");
        String email = AccountRules.email(body);
        String name = AccountRules.name(body);
        Optional<String> given = AccountRules.optionalString(body, "password");
        String password = AccountRules.password(given.orElseGet(AccountService::newSecret), "password");
        return accounts.register(email, name, password)
                .map(u -> ApiResponse.created(withPassword(u, given.isEmpty() ? Optional.of(password) : Optional.empty())));
    }

    private Mono<ApiResponse> show(ApiRequest req) {
        return user(req).map(u -> ApiResponse.ok(u.view()));
    }

    private Mono<ApiResponse> setDisabled(ApiRequest req, boolean disabled) {
        return user(req).flatMap(u -> accounts.setDisabled(u, disabled)).map(u -> ApiResponse.ok(u.view()));
    }

    private Mono<ApiResponse> resetPassword(ApiRequest req) {
        JsonNode body = req.body().length == 0 ? Json.MAPPER.createObjectNode() : req.jsonBody();
        AccountRules.onlyFields(body, "password");
        Optional<String> given = AccountRules.optionalString(body, "password");
        String password = AccountRules.password(given.orElseGet(AccountService::newSecret), "password");
        return user(req).flatMap(u -> accounts.resetPassword(u, password))
                .map(u -> ApiResponse.ok(withPassword(u, given.isEmpty() ? Optional.of(password) : Optional.empty())));
    }

    private Mono<User> user(ApiRequest req) {
        String key = req.param("user");
        return accounts.find(key).switchIfEmpty(Mono.error(new ApiException(ApiError.NOT_FOUND, "no user " + key)));
    }

    private static Map<String, Object> withPassword(User u, Optional<String> generated) {
        Map<String, Object> out = new LinkedHashMap<>(u.view());
        generated.ifPresent(p -> out.put("password", p));
        return out;
    }

    private static int parseLimit(String s) {
        try {
            int v = Integer.parseInt(s);
            if (v >= 1 && v <= MAX_LIST) {
                return v;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw ApiException.invalidField("limit", "expected an integer in [1, " + MAX_LIST + "]");
    }

}
