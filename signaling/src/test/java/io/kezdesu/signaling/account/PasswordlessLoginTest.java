package io.kezdesu.signaling.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kezdesu.common.auth.PasswordHasher;
import io.kezdesu.common.auth.PasswordPool;
import io.kezdesu.signaling.SignalingFixture;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An account that signs in only through its identity provider has no password. A password login for its email is
 * refused exactly as one for an unknown email, after the same Argon2id check against the decoy hash: it used to be
 * refused without any check, so the time of the answer told that such an account exists.
 */
class PasswordlessLoginTest {

    private static User account(String hash) {
        return new User("u1", "ada@example.org", "Ada", hash, false, Instant.EPOCH, Instant.EPOCH, 0);
    }

    @Test
    void aPasswordlessAccountIsCheckedAgainstTheDecoyAsAnUnknownEmailIs() {
        PasswordHasher hasher = new PasswordHasher();
        try (PasswordPool pool = new PasswordPool(hasher, 1, 4)) {
            // Only the pool is used to choose the hash; the rest of the service plays no part in it.
            AccountService accounts = new AccountService(null, pool, null, null, null, Clock.systemUTC(), null);
            String forUnknown = accounts.hashToCheck(Optional.empty()).block();
            String forPasswordless = accounts.hashToCheck(Optional.of(account(AccountService.NO_PASSWORD))).block();
            assertTrue(forPasswordless.startsWith("$argon2id$"), "a real Argon2id hash: " + forPasswordless);
            assertEquals(forUnknown, forPasswordless, "the same decoy for both");
            assertFalse(hasher.verify(AccountService.NO_PASSWORD, forPasswordless), "no password matches the decoy");

            String own = hasher.hash("correct horse");
            assertEquals(own, accounts.hashToCheck(Optional.of(account(own))).block(), "an account's own hash");
        }
    }

    @Test
    void aPasswordLoginForAPasswordlessAccountIsRefusedAsForAnUnknownEmail(@TempDir Path dir) throws Exception {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of())) {
            // The fixture's accounts are made without a password, as the provider's sign-in makes them.
            SignalingFixture.TestUser ada = f.user("Ada");
            String email = f.call("GET", "/api/me", null, ada.token()).json().path("email").asText();
            SignalingFixture.Response passwordless = f.call("POST", "/api/login",
                    Map.of("email", email, "password", AccountService.NO_PASSWORD), null);
            SignalingFixture.Response unknown = f.call("POST", "/api/login",
                    Map.of("email", "nobody@example.org", "password", AccountService.NO_PASSWORD), null);
            assertEquals(401, passwordless.status(), passwordless.toString());
            assertEquals(unknown.status(), passwordless.status());
            assertEquals(unknown.json(), passwordless.json(), "the same refusal, word for word");
        }
    }
}
