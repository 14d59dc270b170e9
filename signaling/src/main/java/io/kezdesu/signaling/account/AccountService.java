package io.kezdesu.signaling.account;

import io.kezdesu.common.auth.InvalidTokenException;
import io.kezdesu.common.auth.JwtService;
import io.kezdesu.common.auth.PasswordPool;
import io.kezdesu.common.data.RandomIds;
import io.kezdesu.common.ratelimit.AddressKey;
import io.kezdesu.common.ratelimit.FailureCounter;
import io.kezdesu.signaling.http.ApiError;
import io.kezdesu.signaling.http.ApiException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import reactor.core.publisher.Mono;

/**
 * Accounts: registration and login, each throttled per client address, token authentication and profile changes.
 * Password hashing runs in the bounded {@link PasswordPool} (logins in a lane nothing else can fill); everything else
 * is the store's publishers, so no event loop ever waits.
 */
public final class AccountService {


    private final UserRepository users;
    private final PasswordPool passwords;
    private final JwtService jwt;
    private final LoginThrottle throttle;
    private final FailureCounter registrationsByAddress;
    private final Clock clock;
    private final AccessListener accessChanges;
    /** A real hash to verify against for unknown emails and password-less accounts, so that refusals cost the same. */
    private final java.util.concurrent.atomic.AtomicReference<String> decoyHash =
            new java.util.concurrent.atomic.AtomicReference<>();

    /**
     * The three counters of failed logins, each progressive (free tries, then doubling waits). Per account they count
     * per client address too, so a guesser elsewhere never locks the owner out; only a guesser spread over many
     * addresses reaches the account-wide one.
     *
     * @param byAddress        per client address key ({@link AddressKey})
     * @param byAccountAddress per email and client address key
     * @param byAccount        per email, from all addresses
     */
    public record LoginThrottle(FailureCounter byAddress, FailureCounter byAccountAddress, FailureCounter byAccount) {

        Duration retryAfter(String email, String address) {
            return max(max(byAddress.retryAfter(address), byAccountAddress.retryAfter(email + " " + address)),
                    byAccount.retryAfter(email));
        }

        void failed(String email, String address) {
            byAddress.recordFailure(address);
            byAccountAddress.recordFailure(email + " " + address);
            byAccount.recordFailure(email);
        }

        void succeeded(String email, String address) {
            byAccountAddress.reset(email + " " + address);
        }
    }

    /** @param registrationsByAddress registrations per client address key */
    public AccountService(UserRepository users, PasswordPool passwords, JwtService jwt, LoginThrottle throttle,
                          FailureCounter registrationsByAddress, Clock clock, AccessListener accessChanges) {
        this.users = users;
        this.passwords = passwords;
        this.jwt = jwt;
        this.throttle = throttle;
        this.registrationsByAddress = registrationsByAddress;
        this.clock = clock;
        this.accessChanges = accessChanges;
    }

    private volatile java.util.List<io.kezdesu.common.auth.oidc.IdpTokens> idps = java.util.List.of();

    /** Accepts access tokens of these identity providers too (oidc-issuer, oidc-providers), as their users' accounts. */
    public AccountService acceptingIdpTokens(java.util.List<io.kezdesu.common.auth.oidc.IdpTokens> providers) {
        this.idps = java.util.List.copyOf(providers);
        return this;
    }

    /**
     * Self-service registration from {@code client}: at most {@code registrations-per-ip} per window per address
     * key, counted before the (costly) hash whether or not the email turns out to be free.
     */
    public Mono<User> register(String email, String name, String password, InetAddress client) {
        String key = AddressKey.of(client);
        Duration wait = registrationsByAddress.retryAfter(key);
        if (!wait.isZero()) {
            return Mono.error(new ApiException(ApiError.TOO_MANY_REQUESTS, "too many registrations from this address; "
                    + "try again in " + Math.max(1, wait.toSeconds()) + " s", Optional.of(wait)));
        }
        registrationsByAddress.recordFailure(key);
        return register(email, name, password);
    }

    /** Creates an account (the admin API's way, not throttled). */
    public Mono<User> register(String email, String name, String password) {
        return hash(password).flatMap(h -> {
            Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
            return users.insert(new User(newId(), email, name, h, false, now, now, 0L));
        });
    }

    /** A login token, or 401 {@code invalid-credentials} alike for an unknown email and a wrong password. */
    public Mono<Login> login(String email, String password, InetAddress client) {
        String address = AddressKey.of(client);
        Duration wait = throttle.retryAfter(email, address);
        if (!wait.isZero()) {
            return Mono.error(new ApiException(ApiError.TOO_MANY_REQUESTS,
                    "too many failed logins; try again in " + Math.max(1, wait.toSeconds()) + " s", Optional.of(wait)));
        }
        return users.findByEmail(email)
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .flatMap(user -> hashToCheck(user)
                        .flatMap(h -> passwords.verify(password, h, PasswordPool.Lane.LOGIN))
                        .flatMap(ok -> {
                            if (!ok || user.filter(AccountService::hasPassword).isEmpty()) {
                                throttle.failed(email, address);
                                return Mono.error(new ApiException(ApiError.INVALID_CREDENTIALS,
                                        "unknown email or wrong password"));
                            }
                            if (user.get().disabled()) {
                                return Mono.error(new ApiException(ApiError.ACCOUNT_DISABLED,
                                        "this account is disabled"));
                            }
                            throttle.succeeded(email, address);
                            return Mono.just(new Login(jwt.issue(user.get().id(), user.get().tokenVersion()), user.get()));
                        }));
    }

    /**
     * The hash a login checks the password against: the account's, or the decoy when there is no account or the
     * account has no password (it signs in through its identity provider). Every refusal then costs one Argon2id
     * check, so the time of an answer does not tell which accounts exist or which have a password.
     */
    Mono<String> hashToCheck(Optional<User> user) {
        return user.filter(AccountService::hasPassword).map(u -> Mono.just(u.passwordHash()))
                .orElseGet(this::decoyHash);
    }

    private static boolean hasPassword(User user) {
        return user.passwordHash() != null && !NO_PASSWORD.equals(user.passwordHash());
    }

    /** Made on first use and kept; a refusal (a full queue) is not kept, so a later login makes it. */
    private Mono<String> decoyHash() {
        String made = decoyHash.get();
        return made != null ? Mono.just(made) : passwords.hash(newSecret(), PasswordPool.Lane.LOGIN)
                .doOnNext(h -> decoyHash.compareAndSet(null, h));
    }

    /** The account behind a bearer token: valid signature and claims, an enabled account, not revoked since. */
    public Mono<User> authenticate(Optional<String> bearer) {
        if (bearer.isEmpty()) {
            return Mono.error(new ApiException(ApiError.UNAUTHORIZED, "missing Authorization: Bearer <token>"));
        }
        Optional<io.kezdesu.common.auth.oidc.IdpTokens> provider = idps.stream()
                .filter(p -> p.claims(bearer.get())).findFirst();
        if (provider.isPresent()) {
            return provider.get().verify(bearer.get())
                    .onErrorMap(InvalidTokenException.class, e -> new ApiException(
                            e.getMessage().contains("expired") ? ApiError.TOKEN_EXPIRED : ApiError.UNAUTHORIZED,
                            e.getMessage()))
                    .flatMap(this::idpAccount)
                    .flatMap(user -> user.disabled()
                            ? Mono.error(new ApiException(ApiError.ACCOUNT_DISABLED, "this account is disabled"))
                            : Mono.just(user));
        }
        JwtService.TokenClaims claims;
        try {
            claims = jwt.verify(bearer.get());
        } catch (InvalidTokenException e) {
            ApiError error = e.getMessage().contains("expired") ? ApiError.TOKEN_EXPIRED : ApiError.UNAUTHORIZED;
            return Mono.error(new ApiException(error, e.getMessage()));
        }
        return users.findById(claims.userId())
                .switchIfEmpty(Mono.error(new ApiException(ApiError.UNAUTHORIZED, "invalid token")))
                .flatMap(user -> {
                    if (user.disabled()) {
                        return Mono.error(new ApiException(ApiError.ACCOUNT_DISABLED, "this account is disabled"));
                    }
                    if (claims.tokenVersion() != user.tokenVersion()) {
                        return Mono.error(new ApiException(ApiError.UNAUTHORIZED,
                                "token revoked by a password change; log in again"));
                    }
                    return Mono.just(user);
                });
    }

    /**
     * The account of a provider's user: the one linked to it; else, the first time, the account with the same email
     * when the provider says the email is verified (linked from then on); else a new account (no password here: it
     * signs in through the provider). A provider's user without an email gets {@code <subject>@<provider's host>}.
     */
    private Mono<User> idpAccount(io.kezdesu.common.auth.oidc.IdpTokens.Holder h) {
        return linkedAccount(h).flatMap(user -> users.groups(user, h.groups()));
    }

    private Mono<User> linkedAccount(io.kezdesu.common.auth.oidc.IdpTokens.Holder h) {
        return users.findByIdp(h.issuer(), h.subject()).switchIfEmpty(Mono.defer(() -> {
            String email = h.email().map(e -> e.toLowerCase(java.util.Locale.ROOT))
                    .orElse(h.subject() + "@" + java.net.URI.create(h.issuer()).getHost());
            return users.findByEmail(email).flatMap(existing -> h.emailVerified()
                    ? users.link(existing.id(), h.issuer(), h.subject())
                    : Mono.<User>error(new ApiException(ApiError.UNAUTHORIZED, "the provider's token names " + email
                            + ", which has an account here, without saying that the email is verified")))
                    .switchIfEmpty(Mono.defer(() -> {
                        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
                        String name = h.name().filter(n -> !n.isBlank()).orElse(email.substring(0,
                                email.indexOf('@') > 0 ? email.indexOf('@') : email.length()));
                        return users.insertLinked(new User(newId(), email, name.length() > 100 ? name.substring(0, 100)
                                : name, NO_PASSWORD, false, now, now, 0L), h.issuer(), h.subject())
                                // Two first requests at once: the other one made the account.
                                .onErrorResume(ApiException.class, e -> users.findByIdp(h.issuer(), h.subject()));
                    }));
        }));
    }

    /** Sign-in through the identity provider (a verified ID token's holder): the account, and a login token. */
    public Mono<Login> signIn(io.kezdesu.common.auth.oidc.IdpTokens.Holder holder) {
        return idpAccount(holder).flatMap(user -> user.disabled()
                ? Mono.error(new ApiException(ApiError.ACCOUNT_DISABLED, "this account is disabled"))
                : Mono.just(new Login(jwt.issue(user.id(), user.tokenVersion()), user)));
    }

    /** The password hash of an account that signs in through its identity provider: no password matches it. */
    static final String NO_PASSWORD = "$none";

    /**
     * Changes name and/or password; a new password needs the current one and revokes every older token, including
     * those of open sockets (the {@link AccessListener} hears of it).
     */
    public Mono<ProfileChange> updateProfile(User user, Optional<String> name, Optional<String> newPassword,
                                             Optional<String> currentPassword) {
        if (newPassword.isEmpty()) {
            return users.update(user.id(), new UserRepository.Change(name.orElse(null), null, null), clock.instant())
                    .map(u -> new ProfileChange(u, Optional.empty()));
        }
        if (currentPassword.isEmpty()) {
            return Mono.error(ApiException.invalidField("currentPassword", "required to change the password"));
        }
        return verify(currentPassword.get(), user.passwordHash()).flatMap(ok -> {
            if (!ok) {
                return Mono.error(new ApiException(ApiError.FORBIDDEN, "currentPassword is wrong"));
            }
            return hash(newPassword.get())
                    .flatMap(h -> users.update(user.id(), new UserRepository.Change(name.orElse(null), h, null),
                            clock.instant()))
                    .doOnNext(accessChanges::accessChanged)
                    .map(u -> new ProfileChange(u, Optional.of(jwt.issue(u.id(), u.tokenVersion()))));
        });
    }

    /** Sets a password chosen by an administrator; revokes the account's tokens, those of open sockets too. */
    public Mono<User> resetPassword(User user, String password) {
        return hash(password).flatMap(h -> users.update(user.id(), new UserRepository.Change(null, h, null),
                clock.instant())).doOnNext(accessChanges::accessChanged);
    }

    /** Disables or enables an account; disabling ends its open sockets as well as its tokens. */
    public Mono<User> setDisabled(User user, boolean disabled) {
        return users.update(user.id(), new UserRepository.Change(null, null, disabled), clock.instant())
                .doOnNext(accessChanges::accessChanged);
    }

    /** An account by id or, when the key holds an '@', by email. */
    public Mono<User> find(String idOrEmail) {
        return idOrEmail.contains("@") ? users.findByEmail(idOrEmail.strip().toLowerCase(java.util.Locale.ROOT))
                : users.findById(idOrEmail);
    }

    public UserRepository repository() {
        return users;
    }

    private Mono<String> hash(String password) {
        return passwords.hash(password, PasswordPool.Lane.OTHER);
    }

    private Mono<Boolean> verify(String password, String hash) {
        return passwords.verify(password, hash, PasswordPool.Lane.OTHER);
    }

    /** A random password for accounts created or reset without one (shown once to the administrator). */
    public static String newSecret() {
        return RandomIds.next(12);
    }

    private static String newId() {
        return RandomIds.next(12);
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    public record Login(JwtService.IssuedToken token, User user) {
    }

    public record ProfileChange(User user, Optional<JwtService.IssuedToken> newToken) {
    }
}
