package io.kezdesu.common.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TurnRestCredentialsTest {

    private static final Instant NOW = Instant.parse("2026-11-24T00:00:00Z");
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

    @Test
    void passwordIsCoturnsBase64HmacSha1OfTheUsername() {
        // Reference value computed independently: printf '%s' 1700000000:alice | openssl dgst -sha1 -hmac s3cret -binary | base64
        assertEquals("TtElzSjT0GdnTQ9xdcRNxx96yQs=",
                TurnRestCredentials.password("s3cret".getBytes(), "1700000000:alice"));
    }

    @Test
    void mintedCredentialVerifiesUntilItExpires() {
        TurnRestCredentials creds = new TurnRestCredentials(List.of("first-secret-123"), Duration.ofHours(1), clock);
        TurnCredential c = creds.mint("u1", Optional.of("room9"));
        assertEquals((NOW.getEpochSecond() + 3600) + ":u1:room9", c.username());
        assertEquals(List.of(c.password()), creds.passwordsFor(c.username()));

        TurnRestCredentials later = new TurnRestCredentials(List.of("first-secret-123"), Duration.ofHours(1),
                Clock.fixed(NOW.plusSeconds(3600), ZoneOffset.UTC));
        assertTrue(later.passwordsFor(c.username()).isEmpty(), "expired at its expiry second");
    }

    @Test
    void rotationAcceptsEverySecretButMintsWithTheFirst() {
        TurnRestCredentials old = new TurnRestCredentials(List.of("old-secret-00000"), Duration.ofHours(1), clock);
        TurnRestCredentials rotated = new TurnRestCredentials(List.of("new-secret-00000", "old-secret-00000"),
                Duration.ofHours(1), clock);
        TurnCredential issuedBefore = old.mint("u1", Optional.empty());
        assertTrue(rotated.passwordsFor(issuedBefore.username()).contains(issuedBefore.password()));
        TurnCredential issuedAfter = rotated.mint("u1", Optional.empty());
        assertEquals(rotated.passwordsFor(issuedAfter.username()).get(0), issuedAfter.password());
    }

    @Test
    void malformedUsernamesHaveNoPasswords() {
        TurnRestCredentials creds = new TurnRestCredentials(List.of("first-secret-123"), Duration.ofHours(1), clock);
        for (String bad : List.of("", "alice", ":u1", "x:u1", "-5:u1", "1999999999:", "1999999999:u:", "1:2:3:4",
                "99999999999999:u1")) {
            assertTrue(creds.passwordsFor(bad).isEmpty(), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> creds.mint("a:b", Optional.empty()));
    }
}
