package io.kezdesu.signaling.peerjs;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Messages for ids that are not connected (peerjs-server's {@code MessageQueue}s), bounded per id. A queue's age
 * counts from its first message, as peerjs-server's does; when it is older than the expire timeout every sender
 * that put something in it (or tried to, past the bound) hears one EXPIRE.
 */
final class PendingMessages {

    private static final class Queue {
        final long createdNanos;
        final List<byte[]> messages = new ArrayList<>();
        final Set<String> senders = new LinkedHashSet<>();

        Queue(long createdNanos) {
            this.createdNanos = createdNanos;
        }
    }

    /** One EXPIRE owed: {@code dst} (the offline id) did not come for what {@code sender} sent. */
    record Expired(String sender, String dst) {
    }

    private final ConcurrentHashMap<String, Queue> queues = new ConcurrentHashMap<>();
    private final int limit;

    PendingMessages(int limit) {
        this.limit = limit;
    }

    /**
     * Queues {@code message} for {@code dst} unless {@code online} (checked under the same per-id lock that
     * {@link #drain} takes) says it connected meanwhile; then {@code deliver} runs instead, in order with the drain.
     *
     * @return whether the message was queued (false also when the queue is full)
     */
    boolean offer(String dst, String sender, byte[] message, long nowNanos, Predicate<String> online,
                  Runnable deliver) {
        boolean[] queued = new boolean[1];
        queues.compute(dst, (k, q) -> {
            if (online.test(dst)) {
                deliver.run();
                return q;
            }
            Queue queue = q != null ? q : new Queue(nowNanos);
            queue.senders.add(sender);
            if (queue.messages.size() < limit) {
                queue.messages.add(message);
                queued[0] = true;
            }
            return queue;
        });
        return queued[0];
    }

    /** Hands every message queued for {@code id} to {@code sink}, in order, and forgets the queue. */
    void drain(String id, Consumer<byte[]> sink) {
        queues.computeIfPresent(id, (k, q) -> {
            q.messages.forEach(sink);
            return null;
        });
    }

    void clear(String id) {
        queues.remove(id);
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
                q.senders.forEach(s -> out.add(new Expired(s, k)));
                return null;
            });
        }
        return out;
    }

    int size() {
        return queues.size();
    }
}
