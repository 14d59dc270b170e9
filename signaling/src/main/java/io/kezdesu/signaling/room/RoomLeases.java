package io.kezdesu.signaling.room;

import java.util.Optional;
import java.util.Set;
import reactor.core.publisher.Mono;

/**
 * Which node serves a live room. A node takes a room's lease before it loads the room and keeps it while the room is
 * live here; only the holder admits, moderates and relays for the room, so its limits hold across nodes. A lease lives
 * as long as its node's heartbeat in the store (see the cluster's {@code RoomLeaseStore}).
 */
public interface RoomLeases {

    /** Takes (or keeps) the room for this node: empty when it is ours now, else the node that holds it. */
    Mono<Optional<Owner>> take(String roomId);

    /** The node that holds the room's lease now, if another one does (read only: nothing is taken). */
    Mono<Optional<Owner>> owner(String roomId);

    /** The room is no longer live here (only this node's own lease is given up). */
    void release(String roomId);

    /**
     * After this node's heartbeat landed: makes sure it still holds the rooms live here (reads them back only when
     * the heartbeat broke, or as a periodic check); returns those of them another node holds now.
     */
    Mono<Set<String>> renew(Set<String> live);

    /**
     * Another node, which serves the room.
     *
     * @param address where other nodes reach it ({@code node-address}), or null when it has none
     */
    record Owner(String node, String address) {
    }
}
