package io.kezdesu.signaling.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kezdesu.signaling.account.User;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which sockets a change to an account ends, including those registered just after the change. */
class UserSocketsTest {

    private final UserSockets sockets = new UserSockets();
    private final List<String> ended = new ArrayList<>();

    @Test
    void aChangeEndsOnlyTheSocketsItRulesOut() {
        UserSockets.Revocable v0 = why -> ended.add("v0 " + why);
        UserSockets.Revocable v1 = why -> ended.add("v1 " + why);
        UserSockets.Revocable gone = why -> ended.add("gone " + why);
        UserSockets.Revocable other = why -> ended.add("other " + why);
        UserSockets.Revocable late = why -> ended.add("late " + why);
        assertEquals(Optional.empty(), sockets.add(carol(0, false), v0));
        assertEquals(Optional.empty(), sockets.add(carol(0, false), gone));
        assertEquals(Optional.empty(), sockets.add(carol(0, false), late));
        assertEquals(Optional.empty(), sockets.add(dave(), other));
        sockets.remove("carol", gone);
        assertEquals(2, sockets.count("carol"), "the socket between the others is the one removed");

        sockets.accessChanged(carol(1, false));
        assertEquals(List.of("v0 TOKEN_REVOKED", "late TOKEN_REVOKED"), ended);
        assertEquals(Optional.empty(), sockets.add(carol(1, false), v1));
        sockets.accessChanged(carol(1, false));
        assertEquals(List.of("v0 TOKEN_REVOKED", "late TOKEN_REVOKED"), ended, "the new token's socket stays");

        sockets.accessChanged(carol(1, true));
        assertEquals(List.of("v0 TOKEN_REVOKED", "late TOKEN_REVOKED", "v1 ACCOUNT_DISABLED"), ended);
        assertEquals(0, sockets.count("carol"));
        assertEquals(1, sockets.count("dave"));
    }

    /** A socket whose token was checked before a change but registers after it is refused, not let in. */
    @Test
    void aSocketCheckedBeforeAChangeAndRegisteredAfterItIsRefused() {
        sockets.accessChanged(carol(0, true));
        assertEquals(Optional.of(Revocation.ACCOUNT_DISABLED), sockets.add(carol(0, false), why -> { }));
        sockets.accessChanged(carol(2, false));
        assertEquals(Optional.of(Revocation.TOKEN_REVOKED), sockets.add(carol(1, false), why -> { }));
        // Answers to two changes may arrive out of order; the version never goes back down.
        sockets.accessChanged(carol(1, false));
        assertEquals(Optional.of(Revocation.TOKEN_REVOKED), sockets.add(carol(1, false), why -> { }));
        assertEquals(Optional.empty(), sockets.add(carol(2, false), why -> { }));
        assertEquals(1, sockets.count("carol"));
    }

    private static User carol(long tokenVersion, boolean disabled) {
        return new User("carol", "carol@example.org", "Carol", "$none", disabled, Instant.EPOCH, Instant.EPOCH,
                tokenVersion);
    }

    private static User dave() {
        return new User("dave", "dave@example.org", "Dave", "$none", false, Instant.EPOCH, Instant.EPOCH, 0);
    }
}
