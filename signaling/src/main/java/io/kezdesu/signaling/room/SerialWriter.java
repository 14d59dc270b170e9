package io.kezdesu.signaling.room;

import java.util.ArrayDeque;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Runs store writes one after another in submission order, without blocking the submitter: two quick changes of the
 * same field can never land in the wrong order. {@link #idle()} tells shutdown when everything has landed.
 */
public final class SerialWriter {

    private static final Logger LOG = LoggerFactory.getLogger(SerialWriter.class);

    private final String name;
    private final ArrayDeque<Supplier<Mono<?>>> queue = new ArrayDeque<>();
    private boolean running;
    private final java.util.List<Runnable> whenIdle = new java.util.ArrayList<>();

    public SerialWriter(String name) {
        this.name = name;
    }

    public synchronized void submit(Supplier<Mono<?>> write) {
        queue.add(write);
        if (!running) {
            running = true;
            next();
        }
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
        Supplier<Mono<?>> write;
        java.util.List<Runnable> idleActions = java.util.List.of();
        synchronized (this) {
            write = queue.poll();
            if (write == null) {
                running = false;
                idleActions = java.util.List.copyOf(whenIdle);
                whenIdle.clear();
            }
        }
        if (write == null) {
            idleActions.forEach(Runnable::run);
            return;
        }
        Mono<?> m;
        try {
            m = write.get();
        } catch (RuntimeException e) {
            m = Mono.error(e);
        }
        m.doOnError(e -> LOG.warn("{}: store write failed: {}", name, e.toString()))
                .onErrorResume(e -> Mono.empty())
                .doFinally(s -> next())
                .subscribe();
    }
}
