package io.kezdesu.signaling.room;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;

/**
 * What a room delivered to one participant, numbered, with the last few kept for replay: a client that resumes after
 * a dropped socket says how many it received and gets, in order, everything after, also what went into a socket that
 * was already dead. Bounded by count, by bytes, and (while the socket is up) by age: a message older than the
 * heartbeat window cannot have been lost in a dead socket. Guarded by the room's lock.
 */
final class ReplayBuffer {

    /** A delivered message and when (System.nanoTime). */
    private record Sent(byte[] json, long at) {
    }

    private final ArrayDeque<Sent> recent = new ArrayDeque<>();
    private long recentBytes;
    /** How many messages the room has delivered. */
    private long delivered;
    /** {@link #delivered} when the socket dropped: the replay point for a client that does not say. */
    private long deliveredAtDrop;

    /**
     * Numbers and keeps one delivered message, dropping what no longer needs keeping.
     *
     * @param connected whether the participant's socket is up (only then does age end the keeping)
     */
    void record(byte[] json, long now, int maxCount, long maxBytes, long windowNanos, boolean connected) {
        delivered++;
        recent.addLast(new Sent(json, now));
        recentBytes += json.length;
        while (!recent.isEmpty() && (recent.size() > maxCount || recentBytes > maxBytes
                || (connected && now - recent.peekFirst().at() > windowNanos))) {
            recentBytes -= recent.removeFirst().json().length;
        }
    }

    /** The socket dropped: a resume that does not say how much it received starts from here. */
    void dropped() {
        deliveredAtDrop = delivered;
    }

    /** Messages delivered since the socket dropped. */
    long sinceDrop() {
        return delivered - deliveredAtDrop;
    }

    /**
     * What a resuming client missed, in order: everything after the {@code received}-th message (by default, what
     * came after the drop while {@code suspended}, else nothing); empty when that is no longer kept.
     */
    Optional<List<byte[]>> missedAfter(Optional<Long> received, boolean suspended) {
        long from = received.orElse(suspended ? deliveredAtDrop : delivered);
        if (from > delivered || from < delivered - recent.size()) {
            return Optional.empty();
        }
        int skip = recent.size() - (int) (delivered - from);
        List<byte[]> out = new java.util.ArrayList<>();
        for (Sent s : recent) {
            if (skip-- <= 0) {
                out.add(s.json());
            }
        }
        return Optional.of(out);
    }

    /**
     * A participant taken over from a dead node resumes: everything kept here came after the node died, so the client
     * has none of it; numbering goes on from the client's own count ({@code received}, which only it knows now).
     */
    List<byte[]> takeOver(Optional<Long> received) {
        List<byte[]> out = new java.util.ArrayList<>();
        for (Sent s : recent) {
            out.add(s.json());
        }
        delivered = received.orElse(0L) + recent.size();
        deliveredAtDrop = delivered;
        return out;
    }

    /** For an error message: how many were delivered, how many are kept. */
    String describe() {
        return "delivered " + delivered + ", kept " + recent.size();
    }
}
