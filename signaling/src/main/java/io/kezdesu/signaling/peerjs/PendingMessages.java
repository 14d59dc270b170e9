package io.kezdesu.signaling.peerjs;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Messages for ids that are not connected (peerjs-server's {@code MessageQueue}s). A queue's age counts from its
 * first message, as peerjs-server's does; when it is older than the expire timeout every sender that put something
 * in it (or tried to, past a bound) hears one EXPIRE.
 *
 * <p>Bounded four ways, since anyone may send to any id: messages per id, ids with a queue, bytes per sender and
 * bytes in all. Without the byte bounds memory grew with inbound bandwidth × expire timeout (256 messages of 1 MiB
 * for one id, and as many ids as anyone named). A message past a byte bound is dropped; its sender hears EXPIRE with
 * the queue's others, or at once when no queue could be made for it.
 */
final class PendingMessages {

    private record Held(String sender, byte[] message) {
    }

    private static final class Queue {
        final long createdNanos;
        final List<Held> messages = new ArrayList<>();
        final Set<String> senders = new LinkedHashSet<>();

        Queue(long createdNanos) {
            this.createdNanos = createdNanos;
        }
    }

    /** One EXPIRE owed: {@code dst} (the offline id) did not come for what {@code sender} sent. */
    record Expired(String sender, String dst) {
    }

    /** What became of an offered message. */
    enum Offer {
        /** Held for the id. */
        QUEUED,
        /** Delivered: the id was online after all. */
        DELIVERED,
        /** Dropped over a bound; the sender hears EXPIRE when the queue expires. */
        DROPPED,
        /** Dropped, and no queue holds the sender's name (too many ids wait): tell the sender now. */
        REFUSED
    }

    /** The four bounds; see the {@code peerjs-queue-*} configuration keys. */
    record Limits(int messagesPerId, int ids, long bytesPerSender, long bytes) {
    }

    private final ConcurrentHashMap<String, Queue> queues = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicLong> bySender = new ConcurrentHashMap<>();
    private final AtomicLong bytes = new AtomicLong();
    private final Limits limits;

    PendingMessages(Limits limits) {
        this.limits = limits;
    }

    /**
     * Queues {@code message} for {@code dst} unless {@code online} (checked under the same per-id lock that
     * {@link #drain} takes) says it connected meanwhile; then {@code deliver} runs instead, in order with the drain.
     */
    Offer offer(String dst, String sender, byte[] message, long nowNanos, Predicate<String> online,
                Runnable deliver) {
        Offer[] result = new Offer[1];
        queues.compute(dst, (k, q) -> {
            if (online.test(dst)) {
                deliver.run();
                result[0] = Offer.DELIVERED;
                return q;
            }
            if (q == null && queues.size() >= limits.ids()) {
                result[0] = Offer.REFUSED;
                return null;
            }
            Queue queue = q != null ? q : new Queue(nowNanos);
            queue.senders.add(sender);
            if (queue.messages.size() < limits.messagesPerId() && reserve(sender, message.length)) {
                queue.messages.add(new Held(sender, message));
                result[0] = Offer.QUEUED;
            } else {
                result[0] = Offer.DROPPED;
            }
            return queue;
        });
        return result[0];
    }

    /** Takes {@code n} bytes from the sender's and the global budget, or nothing when either would overflow. */
    private boolean reserve(String sender, int n) {
        if (bytes.addAndGet(n) > limits.bytes()) {
            bytes.addAndGet(-n);
            return false;
        }
        AtomicLong mine = bySender.computeIfAbsent(sender, s -> new AtomicLong());
        if (mine.addAndGet(n) > limits.bytesPerSender()) {
            release(sender, n);
            return false;
        }
        return true;
    }

    private void release(String sender, int n) {
        bytes.addAndGet(-n);
        bySender.computeIfPresent(sender, (s, held) -> held.addAndGet(-n) <= 0 ? null : held);
    }

    private void releaseAll(Queue q) {
        q.messages.forEach(h -> release(h.sender(), h.message().length));
    }

    /** Hands every message queued for {@code id} to {@code sink}, in order, and forgets the queue. */
    void drain(String id, Consumer<byte[]> sink) {
        queues.computeIfPresent(id, (k, q) -> {
            releaseAll(q);
            q.messages.forEach(h -> sink.accept(h.message()));
            return null;
        });
    }

    void clear(String id) {
        queues.computeIfPresent(id, (k, q) -> {
            releaseAll(q);
            return null;
        });
    }

    /** Removes the queues at least {@code timeoutNanos} old; one EXPIRE owed per sender and queue. */
    List<Expired> expire(long nowNanos, long timeoutNanos) {
        List<Expired> out = new ArrayList<>();
        for (Map.Entry<String, Queue> e : queues.entrySet()) {
            if (nowNanos - e.getValue().createdNanos < timeoutNanos) {
                continue;
            }
            queues.computeIfPresent(e.getKey(), (k, q) -> {
                if (q != e.getValue()) {
                    return q;
                }
                releaseAll(q);
                q.senders.forEach(s -> out.add(new Expired(s, k)));
                return null;
            });
        }
        return out;
    }

    /** Ids with a queue. */
    int size() {
        return queues.size();
    }

    /** Bytes held in all queues. */
    long bytes() {
        return bytes.get();
    }
}
