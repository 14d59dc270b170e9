package io.kezdesu.signaling.room;

import io.kezdesu.signaling.protocol.ProtocolException;
import io.kezdesu.signaling.protocol.SignalingError;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.publisher.Mono;

/**
 * The live rooms of this node, by id, and the resume tokens of their participants. A room becomes live on its first
 * join (loaded from the store) and is dropped when empty; all decisions about a room happen inside its
 * {@link LiveRoom}. A room goes live here only under this node's lease ({@link RoomLeases}); a room another node
 * holds is refused with {@link RoomElsewhereException}, for the socket to forward.
 */
public final class RoomRegistry {

    private final RoomContext ctx;
    private final ConcurrentHashMap<String, LiveRoom> live = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LiveRoom> resumable = new ConcurrentHashMap<>();
    /** Rooms being loaded now, each by one load that every caller meanwhile shares. */
    private final ConcurrentHashMap<String, Mono<LiveRoom>> loading = new ConcurrentHashMap<>();

    RoomRegistry(RoomContext ctx) {
        this.ctx = ctx;
    }

    /**
     * The live room, loading it from the store when it is not live yet; errors {@code not-found}. Joins and resumes
     * that come while the room loads wait for that one load: a conference taken over from a dead node must land in
     * the room all of its people resume into, not in one that a second load made empty beside it.
     */
    public Mono<LiveRoom> acquire(String roomId) {
        LiveRoom existing = live.get(roomId);
        if (existing != null && !existing.retired()) {
            return Mono.just(existing);
        }
        return Mono.defer(() -> loading.computeIfAbsent(roomId, id -> {
            AtomicReference<Mono<LiveRoom>> self = new AtomicReference<>();
            self.set(load(id).doFinally(signal -> loading.remove(id, self.get())).cache());
            return self.get();
        }));
    }

    private Mono<LiveRoom> load(String roomId) {
        // A room that does not exist costs one read, no lease written. Then the lease: whoever holds it admits, so
        // two nodes never each admit up to the limit; the room is read again under it (the last owner may have
        // changed it meanwhile).
        Mono<Room> missing = Mono.error(new ProtocolException(SignalingError.NOT_FOUND, "no room " + roomId));
        return ctx.rooms().findById(roomId).switchIfEmpty(missing).flatMap(exists -> ctx.leases().take(roomId))
                .flatMap(owner -> owner.isPresent()
                ? Mono.error(new RoomElsewhereException(roomId, owner.get()))
                : ctx.rooms().findById(roomId)
                        .switchIfEmpty(Mono.defer(() -> {
                            if (!live.containsKey(roomId)) {
                                ctx.leases().release(roomId);
                            }
                            return missing;
                        }))
                        // A conference the room's last owner ran until it died goes on here, with its people.
                        .flatMap(room -> ctx.conferences().takeOver(roomId).map(conference ->
                                live.compute(roomId, (id, current) -> {
                                    if (current != null && !current.retired()) {
                                        return current;
                                    }
                                    LiveRoom fresh = new LiveRoom(room, ctx, this);
                                    conference.ifPresent(fresh::takeOver);
                                    return fresh;
                                }))));
    }

    /**
     * These rooms' leases are another node's now: everyone in them is sent off to reconnect (a resume lands at the
     * new owner), and the rooms retire here.
     */
    public void moved(java.util.Set<String> roomIds) {
        for (String id : roomIds) {
            LiveRoom room = live.get(id);
            if (room != null) {
                room.moved();
            }
        }
    }

    /** Rooms live here, by id. */
    public java.util.Set<String> liveIds() {
        return java.util.Set.copyOf(live.keySet());
    }

    public Optional<LiveRoom> find(String roomId) {
        return Optional.ofNullable(live.get(roomId)).filter(r -> !r.retired());
    }

    /** Rooms held in memory now (loaded for a join and not yet retired). */
    public int size() {
        return live.size();
    }

    public List<LiveRoom> all() {
        return List.copyOf(live.values());
    }

    public Optional<LiveRoom> byResumeToken(String token) {
        return Optional.ofNullable(resumable.get(LiveRoom.tokenHash(token)));
    }

    void registerResume(String tokenHash, LiveRoom room) {
        resumable.put(tokenHash, room);
    }

    void unregisterResume(String tokenHash) {
        resumable.remove(tokenHash);
    }

    void retire(LiveRoom room) {
        if (live.remove(room.room().id(), room)) {
            ctx.leases().release(room.room().id());
        }
    }

    /** Tells everyone the server is stopping, ends every conference, and waits (bounded) for room writes to land. */
    public void shutdown(Duration wait) {
        for (LiveRoom room : List.copyOf(live.values())) {
            room.shutdown();
        }
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline && !live.values().stream().allMatch(LiveRoom::writesIdle)) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    RoomContext context() {
        return ctx;
    }
}
