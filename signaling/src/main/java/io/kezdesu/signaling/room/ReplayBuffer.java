package io.kezdesu.signaling.room;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a room delivered to one participant, numbered, with the last few kept for replay: a client that resumes after
 * a dropped socket says how many it received and gets, in order, everything after, also what went into a socket that
 * was already dead. Bounded by count, by bytes, and (while the socket is up) by age: a message older than the
 * heartbeat window cannot have been lost in a dead socket. Guarded by the room's lock.
 *
 * <p>The kept messages are copied into one byte ring per participant rather than held as an object each. Under load
 * each participant keeps its last few hundred messages for about a second, long enough to outlive a young
 * collection: held one object each, they were most of what every young pause copied (25 MB at 30k msg/s over 100
 * sockets, 6-33 ms pauses). The ring lives long, so the collector moves it to the old generation once; writing
 * bytes into it costs the collector nothing, and the message arrays themselves die young.
 */
final class ReplayBuffer {

    private static final byte[] NO_BYTES = new byte[0];
    private static final int MIN_RING = 256;
    /** A ring larger than this shrinks when a quarter of it holds what is kept. */
    private static final int SHRINK_ABOVE = 4096;
    private static final int MIN_SLOTS = 4;

    /** The kept messages' bytes, back to back from {@link #head}, wrapping at the end. */
    private byte[] ring = NO_BYTES;
    private int head;
    private int usedBytes;
    /** Per kept message, oldest at {@link #first}, wrapping: its length and when it was delivered (nanoTime). */
    private int[] lengths = new int[0];
    private long[] times = new long[0];
    private int first;
    private int kept;
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
        if (json.length > maxBytes || maxCount <= 0) {
            // It cannot be kept, and what came before it is of no use without it.
            dropOldest(kept);
            return;
        }
        while (kept > 0 && (kept >= maxCount || usedBytes + (long) json.length > maxBytes
                || (connected && now - times[first] > windowNanos))) {
            dropOldest(1);
        }
        if (kept == lengths.length) {
            growSlots(maxCount);
        }
        int needed = usedBytes + json.length;
        if (ring.length < needed || ring.length > SHRINK_ABOVE && needed <= ring.length / 4) {
            // Grown for a burst (an SDP exchange), it is given back once what is kept fits in a quarter of it.
            resizeRing(needed, maxBytes);
        }
        if (json.length > 0) {
            int tail = (head + usedBytes) % ring.length;
            int firstPart = Math.min(json.length, ring.length - tail);
            System.arraycopy(json, 0, ring, tail, firstPart);
            System.arraycopy(json, firstPart, ring, 0, json.length - firstPart);
            usedBytes = needed;
        }
        int slot = (first + kept) % lengths.length;
        lengths[slot] = json.length;
        times[slot] = now;
        kept++;
    }

    private void dropOldest(int n) {
        for (int i = 0; i < n; i++) {
            int length = lengths[first];
            head = usedBytes == length ? 0 : (head + length) % ring.length;
            usedBytes -= length;
            first = (first + 1) % lengths.length;
            kept--;
        }
        if (kept == 0) {
            first = 0;
            head = 0;
        }
    }

    private void growSlots(int maxCount) {
        int size = Math.min(Math.max(MIN_SLOTS, lengths.length * 2), Math.max(maxCount, MIN_SLOTS));
        int[] newLengths = new int[size];
        long[] newTimes = new long[size];
        for (int i = 0; i < kept; i++) {
            int from = (first + i) % lengths.length;
            newLengths[i] = lengths[from];
            newTimes[i] = times[from];
        }
        lengths = newLengths;
        times = newTimes;
        first = 0;
    }

    /** A ring for {@code needed} bytes: the smallest power of two from {@link #MIN_RING} up, at most maxBytes. */
    private void resizeRing(int needed, long maxBytes) {
        long size = MIN_RING;
        while (size < needed) {
            size *= 2;
        }
        size = Math.max(needed, Math.min(size, maxBytes));
        byte[] bigger = new byte[(int) size];
        copyOut(head, usedBytes, bigger, 0);
        ring = bigger;
        head = 0;
    }

    /** Copies {@code length} ring bytes from {@code offset} (wrapping) into {@code to} at {@code at}. */
    private void copyOut(int offset, int length, byte[] to, int at) {
        if (length == 0) {
            return;
        }
        int firstPart = Math.min(length, ring.length - offset);
        System.arraycopy(ring, offset, to, at, firstPart);
        System.arraycopy(ring, 0, to, at + firstPart, length - firstPart);
    }

    /** The kept messages from the {@code skip}-th oldest on, each as its own array. */
    private List<byte[]> keptFrom(int skip) {
        List<byte[]> out = new ArrayList<>(kept - skip);
        int offset = head;
        for (int i = 0; i < kept; i++) {
            int length = lengths[(first + i) % lengths.length];
            if (i >= skip) {
                byte[] json = new byte[length];
                copyOut(offset, length, json, 0);
                out.add(json);
            }
            offset = ring.length == 0 ? 0 : (offset + length) % ring.length;
        }
        return out;
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
        if (from > delivered || from < delivered - kept) {
            return Optional.empty();
        }
        return Optional.of(keptFrom(kept - (int) (delivered - from)));
    }

    /**
     * A participant taken over from a dead node resumes: everything kept here came after the node died, so the client
     * has none of it; numbering goes on from the client's own count ({@code received}, which only it knows now).
     */
    List<byte[]> takeOver(Optional<Long> received) {
        List<byte[]> out = keptFrom(0);
        delivered = received.orElse(0L) + kept;
        deliveredAtDrop = delivered;
        return out;
    }

    /** For an error message: how many were delivered, how many are kept. */
    String describe() {
        return "delivered " + delivered + ", kept " + kept;
    }

    /** Bytes this buffer holds on the heap for its kept messages (a test's view of its footprint). */
    int capacityBytes() {
        return ring.length + lengths.length * (Integer.BYTES + Long.BYTES);
    }
}
