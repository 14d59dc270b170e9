package io.kezdesu.signaling.peerjs;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Clients by id (peerjs-server's {@code Realm}), safe for every event loop at once. Registration is one atomic
 * {@code compute} per id, so two sockets racing for an id cannot both win, and the concurrent limit is a reservation
 * rather than a count read before the insert.
 */
public final class PeerRealm {

    /** What a socket asking for an id gets. */
    public sealed interface Registration {
        /** A new id: answer OPEN. */
        record Opened(PeerClient client) implements Registration {
        }

        /** The same id and owner on a new socket: it takes over; the old socket (if still open) is let go. */
        record Replaced(PeerClient client, PeerLink previous) implements Registration {
        }

        /** Another owner holds the id: answer ID-TAKEN. */
        record Taken() implements Registration {
        }

        /** The concurrent limit is reached: answer the limit ERROR. */
        record Full() implements Registration {
        }
    }

    private final ConcurrentHashMap<String, PeerClient> clients = new ConcurrentHashMap<>();
    private final AtomicInteger size = new AtomicInteger();
    private final int limit;

    public PeerRealm(int limit) {
        this.limit = limit;
    }

    /**
     * @param onLinked runs, under the id's lock, when {@code link} has become the id's socket (new or replacing)
     */
    public Registration register(String id, String owner, PeerLink link, long nowNanos, Runnable onLinked) {
        Registration[] outcome = new Registration[1];
        clients.compute(id, (k, existing) -> {
            if (existing != null) {
                if (!existing.owner().equals(owner)) {
                    outcome[0] = new Registration.Taken();
                    return existing;
                }
                PeerLink previous = existing.link();
                existing.link(link, nowNanos);
                outcome[0] = new Registration.Replaced(existing, previous);
                onLinked.run();
                return existing;
            }
            if (size.incrementAndGet() > limit) {
                size.decrementAndGet();
                outcome[0] = new Registration.Full();
                return null;
            }
            PeerClient c = new PeerClient(id, owner, link, nowNanos);
            outcome[0] = new Registration.Opened(c);
            onLinked.run();
            return c;
        });
        return outcome[0];
    }

    public PeerClient get(String id) {
        return clients.get(id);
    }

    /** Removes the client if {@code link} still speaks for it (a replaced socket closing removes nothing). */
    public boolean remove(PeerClient client, PeerLink link) {
        boolean[] removed = new boolean[1];
        clients.computeIfPresent(client.id(), (k, c) -> {
            if (c == client && c.link() == link) {
                removed[0] = true;
                size.decrementAndGet();
                return null;
            }
            return c;
        });
        return removed[0];
    }

    /** Removes the client whatever socket it has now. */
    boolean remove(PeerClient client) {
        boolean removed = clients.remove(client.id(), client);
        if (removed) {
            size.decrementAndGet();
        }
        return removed;
    }

    public int size() {
        return size.get();
    }

    public List<String> ids() {
        return new ArrayList<>(clients.keySet());
    }

    /** A fresh random id no client holds (peerjs-server uses {@code crypto.randomUUID}). */
    public String freshId() {
        String id;
        do {
            id = UUID.randomUUID().toString();
        } while (clients.containsKey(id));
        return id;
    }

    /** Clients whose last HEARTBEAT (or registration) is at least {@code timeoutNanos} old. */
    List<PeerClient> silentSince(long nowNanos, long timeoutNanos) {
        List<PeerClient> out = new ArrayList<>();
        for (PeerClient c : clients.values()) {
            if (nowNanos - c.lastHeartbeatNanos() >= timeoutNanos) {
                out.add(c);
            }
        }
        return out;
    }
}
