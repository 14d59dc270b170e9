package io.kezdesu.signaling.room;

import io.kezdesu.common.store.StoreErrors;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Runs store writes one after another in submission order, without blocking the submitter: two quick changes of the
 * same field can never land in the wrong order. A write that fails because the store is unreachable is retried (with
 * waits from 250 ms to 4 s, the ones after it waiting their turn) until it lands: a ban given while the store was
 * down used to be dropped, and the room later reloaded without it. {@link #idle()} tells shutdown when everything has
 * landed.
 */
public final class SerialWriter {

    private static final Logger LOG = LoggerFactory.getLogger(SerialWriter.class);

    /** A write and what its submitter learns of its first attempt. */
    private record Pending(Supplier<Mono<?>> write, CompletableFuture<Void> firstAttempt) {
    }

    private final String name;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private boolean running;
    /** Why the write at the head of the queue is being retried; null while writes land. */
    private Throwable retrying;
    private final java.util.List<Runnable> whenIdle = new java.util.ArrayList<>();

    public SerialWriter(String name) {
        this.name = name;
    }

    /**
     * Queues a write. The future completes when its first attempt lands, or exceptionally with that attempt's
     * failure (or at once with the failure of an earlier write it waits behind), in which case the write is still
     * retried (store unreachable) or dropped (any other failure).
     */
    public synchronized CompletableFuture<Void> submit(Supplier<Mono<?>> write) {
        Pending p = new Pending(write, new CompletableFuture<>());
        if (retrying != null) {
            // It waits behind a write the store has not taken: the submitter learns that now, not at the end.
            p.firstAttempt().completeExceptionally(retrying);
        }
        queue.add(p);
        if (!running) {
            running = true;
            next();
        }
        return p.firstAttempt();
    }

    public synchronized boolean idle() {
        return !running && queue.isEmpty();
    }

    /** Runs the action once every write submitted so far has landed (at once when none is pending). */
    public void whenIdle(Runnable action) {
        synchronized (this) {
            if (running || !queue.isEmpty()) {
                whenIdle.add(action);
                return;
            }
        }
        action.run();
    }

    private void next() {
        Pending p;
        java.util.List<Runnable> idleActions = java.util.List.of();
        synchronized (this) {
            p = queue.peek();
            if (p == null) {
                running = false;
                idleActions = java.util.List.copyOf(whenIdle);
                whenIdle.clear();
            }
        }
        if (p == null) {
            idleActions.forEach(Runnable::run);
            return;
        }
        attempt(p, 0);
    }

    private void attempt(Pending p, int failures) {
        Mono<?> m;
        try {
            m = p.write().get();
        } catch (RuntimeException e) {
            m = Mono.error(e);
        }
        m.then().subscribe(null, failure -> failed(p, failures, failure), () -> {
            if (failures > 0) {
                LOG.info("{}: store write landed after {} failed tries", name, failures);
                synchronized (this) {
                    retrying = null;
                }
            }
            p.firstAttempt().complete(null);
            done();
        });
    }

    private void failed(Pending p, int failures, Throwable failure) {
        p.firstAttempt().completeExceptionally(failure);
        if (!StoreErrors.unreachable(failure)) {
            LOG.warn("{}: store write failed: {}", name, failure.toString());
            done();
            return;
        }
        if (failures == 0) {
            LOG.warn("{}: store write failed, retrying until it lands: {}", name, failure.toString());
            synchronized (this) {
                retrying = failure;
                for (Pending waiting : queue) {
                    waiting.firstAttempt().completeExceptionally(failure);
                }
            }
        }
        Mono.delay(Duration.ofMillis(StoreErrors.retryDelayMillis(failures + 1)))
                .subscribe(t -> attempt(p, failures + 1));
    }

    private void done() {
        synchronized (this) {
            queue.poll();
        }
        next();
    }
}
