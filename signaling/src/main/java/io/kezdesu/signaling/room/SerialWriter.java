package io.kezdesu.signaling.room;

import java.util.ArrayDeque;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Runs one room's store writes one after another, in submission order, without blocking the submitter, and hands
 * each answer to its submitter's callback before the next write starts: two quick changes of the same field never
 * land, or are acted on, in the wrong order. A write that fails is not retried: its submitter says so to whoever
 * asked and nothing of it is acted on (a change the room acted on before the store took it could be lost with the
 * store, or with this node). {@link #whenIdle} lets a room leave memory only once nothing is in flight.
 */
public final class SerialWriter {

    private static final Logger LOG = LoggerFactory.getLogger(SerialWriter.class);

    /** A write and what to do with its answer (the stored result, or empty, or the failure). */
    private record Pending<T>(Supplier<Mono<T>> write, BiConsumer<T, Throwable> then) {
    }

    private final String name;
    private final ArrayDeque<Pending<?>> queue = new ArrayDeque<>();
    private boolean running;
    private final java.util.List<Runnable> whenIdle = new java.util.ArrayList<>();

    public SerialWriter(String name) {
        this.name = name;
    }

    /**
     * Queues a write. {@code then} gets its answer (null when the write matched nothing) or its failure, on the
     * store's thread, before the next write starts.
     */
    public <T> void submit(Supplier<Mono<T>> write, BiConsumer<T, Throwable> then) {
        synchronized (this) {
            queue.add(new Pending<>(write, then));
            if (running) {
                return;
            }
            running = true;
        }
        next();
    }

    public synchronized boolean idle() {
        return !running && queue.isEmpty();
    }

    /** Runs the action once every write submitted so far has been answered (at once when none is pending). */
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
        Pending<?> p;
        java.util.List<Runnable> idleActions = java.util.List.of();
        synchronized (this) {
            p = queue.poll();
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
        run(p);
    }

    private <T> void run(Pending<T> p) {
        Mono<T> m;
        try {
            m = p.write().get();
        } catch (RuntimeException e) {
            m = Mono.error(e);
        }
        m.subscribe(new reactor.core.publisher.BaseSubscriber<T>() {
            private T value;

            @Override
            protected void hookOnNext(T v) {
                value = v;
            }

            @Override
            protected void hookOnComplete() {
                answer(p, value, null);
            }

            @Override
            protected void hookOnError(Throwable failure) {
                LOG.warn("{}: store write failed: {}", name, failure.toString());
                answer(p, null, failure);
            }
        });
    }

    private <T> void answer(Pending<T> p, T value, Throwable failure) {
        try {
            p.then().accept(value, failure);
        } catch (RuntimeException e) {
            LOG.warn("{}: acting on a store write's answer failed", name, e);
        }
        next();
    }
}
