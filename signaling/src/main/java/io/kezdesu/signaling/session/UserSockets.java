package io.kezdesu.signaling.session;

import io.kezdesu.signaling.account.AccessListener;
import io.kezdesu.signaling.account.User;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every open socket that authenticated with a login token (signaling's {@code /ws}, PeerJS with
 * {@code peerjs-require-auth}), by account, with the token version it presented. When an account is disabled, or a
 * password change or reset raises its token version, the {@link AccessListener} call ends each of its sockets whose
 * token no longer holds — the same rule {@code AccountService.authenticate} applies to a new request.
 *
 * <p>A socket is checked between its token's lookup in the store and its registration here, so a change that lands in
 * that gap would miss it; the registry therefore remembers the last standing it heard of for each account (version,
 * disabled) and refuses a socket that standing already rules out. That memory is one small entry per account changed
 * while the server runs. Registration and change for one account are serialised by the map's per-key lock.
 */
public final class UserSockets implements AccessListener {

    /** A socket that can be ended from any thread; implementations hand the work to their event loop. */
    public interface Revocable {
        void revoke(Revocation why);
    }

    private final ConcurrentHashMap<String, Entry> byUser = new ConcurrentHashMap<>();

    /**
     * Registers a socket authenticated as {@code user} (as read from the store when its token was checked).
     *
     * @return why the socket's login no longer holds, in which case it is not registered and must be ended
     */
    public Optional<Revocation> add(User user, Revocable socket) {
        Revocation[] refused = new Revocation[1];
        byUser.compute(user.id(), (id, e) -> {
            Entry entry = e == null ? new Entry() : e;
            refused[0] = entry.refuses(user.tokenVersion());
            if (refused[0] == null) {
                entry.add(new Registered(socket, user.tokenVersion()));
            }
            return entry.isEmpty() ? null : entry;
        });
        return Optional.ofNullable(refused[0]);
    }

    /** The socket closed. */
    public void remove(String userId, Revocable socket) {
        byUser.computeIfPresent(userId, (id, entry) -> {
            entry.remove(socket);
            return entry.isEmpty() ? null : entry;
        });
    }

    @Override
    public void accessChanged(User user) {
        List<Registered> ended = new ArrayList<>();
        Revocation[] why = new Revocation[1];
        byUser.compute(user.id(), (id, e) -> {
            Entry entry = e == null ? new Entry() : e;
            entry.known = true;
            // Two changes answered out of order must not lower the version: the store only ever raises it.
            entry.tokenVersion = Math.max(entry.tokenVersion, user.tokenVersion());
            entry.disabled = user.disabled();
            for (Registered r : entry.sockets) {
                Revocation refused = entry.refuses(r.tokenVersion);
                if (refused != null) {
                    ended.add(r);
                    why[0] = refused;
                }
            }
            for (Registered r : ended) {
                entry.remove(r.socket);
            }
            return entry;
        });
        // Outside the map's lock: revoking only queues work on each socket's event loop, but it is foreign code.
        for (Registered r : ended) {
            r.socket.revoke(why[0]);
        }
    }

    /** Open sockets registered for an account (for tests and metrics). */
    public int count(String userId) {
        Entry e = byUser.get(userId);
        return e == null ? 0 : e.sockets.length;
    }

    private record Registered(Revocable socket, long tokenVersion) {
    }

    private static final class Entry {
        private static final Registered[] NONE = {};
        /**
         * Changed only under the map's lock for this account, replaced whole so that {@link #count} may read it
         * without; an array, because an account nearly always has one or two sockets (a set was 200 bytes each).
         */
        volatile Registered[] sockets = NONE;
        /** Whether a change was heard of: until then nothing is known beyond what each socket's lookup saw. */
        boolean known;
        long tokenVersion;
        boolean disabled;

        Revocation refuses(long socketTokenVersion) {
            if (!known) {
                return null;
            }
            if (disabled) {
                return Revocation.ACCOUNT_DISABLED;
            }
            return socketTokenVersion < tokenVersion ? Revocation.TOKEN_REVOKED : null;
        }

        void add(Registered r) {
            Registered[] now = Arrays.copyOf(sockets, sockets.length + 1);
            now[now.length - 1] = r;
            sockets = now;
        }

        void remove(Revocable socket) {
            Registered[] now = sockets;
            for (int i = 0; i < now.length; i++) {
                if (now[i].socket == socket) {
                    Registered[] less = Arrays.copyOf(now, now.length - 1);
                    System.arraycopy(now, i + 1, less, i, now.length - i - 1);
                    sockets = less;
                    return;
                }
            }
        }

        boolean isEmpty() {
            return sockets.length == 0 && !known;
        }
    }
}
