package io.kezdesu.signaling.admin;

import io.kezdesu.signaling.account.AccountService;
import io.kezdesu.signaling.account.User;
import io.kezdesu.signaling.http.ApiError;
import io.kezdesu.signaling.http.ApiException;
import io.kezdesu.signaling.http.ApiRequest;
import io.kezdesu.signaling.http.ApiResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;

/**
 * Who may use the admin API: {@code Authorization: Bearer <admin token>} (checked in constant time), or, with
 * {@code oidc-admins}, the login of an account its identity provider puts in one of those groups (a token of the
 * provider, or of this server after signing in with it; the groups are as the provider last said).
 */
public final class AdminAuth {

    private final byte[] token;
    private final Set<String> adminGroups;
    private final Optional<AccountService> accounts;

    public AdminAuth(String token) {
        this(token, Set.of(), Optional.empty());
    }

    public AdminAuth(String token, Set<String> adminGroups, Optional<AccountService> accounts) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
        this.adminGroups = Set.copyOf(adminGroups);
        this.accounts = accounts;
    }

    /** Runs {@code then} for an administrator; 401 (no admin) or 403 (a login that is not an administrator). */
    public Mono<ApiResponse> require(ApiRequest req, Supplier<Mono<ApiResponse>> then) {
        Optional<String> bearer = req.bearerToken();
        if (MessageDigest.isEqual(token, bearer.orElse("").getBytes(StandardCharsets.UTF_8))) {
            return Mono.defer(then);
        }
        if (adminGroups.isEmpty() || accounts.isEmpty() || bearer.isEmpty()) {
            return Mono.error(refused());
        }
        return accounts.get().authenticate(bearer)
                .onErrorMap(ApiException.class, e -> refused())
                .flatMap(user -> administrator(user) ? Mono.defer(then)
                        : Mono.error(new ApiException(ApiError.FORBIDDEN, "the admin API is for the admin token and "
                                + "members of " + String.join(", ", adminGroups.stream().sorted().toList()))));
    }

    private boolean administrator(User user) {
        return user.groups().stream().anyMatch(adminGroups::contains);
    }

    private static ApiException refused() {
        return new ApiException(ApiError.UNAUTHORIZED, "the admin API requires Authorization: Bearer <admin token>");
    }
}
