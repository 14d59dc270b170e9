package io.kezdesu.common.auth;

import java.util.concurrent.Semaphore;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Where every password hash and check runs: a few threads (one per core; each Argon2id call holds 19 MiB and tens of
 * milliseconds of a core) behind a bounded queue. Work past {@code capacity} (waiting or running) fails at once
 * with {@link BusyException}, which callers answer 503: a flood of registrations or password guesses costs the
 * server a bounded queue, not an unbounded one, and a wait that grows without end.
 *
 * <p>Two lanes share the queue. {@link Lane#LOGIN} may fill all of it; {@link Lane#OTHER} (registration, room
 * passwords, password changes) at most half, so that no flood of anything else can stall sign-ins.
 */
public final class PasswordPool implements AutoCloseable {

    /** Which share of the queue a piece of work may use. */
    public enum Lane { LOGIN, OTHER }

    /** The queue is full; try again shortly. */
    public static final class BusyException extends RuntimeException {
        BusyException() {
            super("password hashing queue full", null, false, false);
        }
    }

    private final PasswordHasher hasher;
    private final Scheduler threads;
    private final Semaphore all;
    private final Semaphore other;
    private final int capacity;

    public PasswordPool(PasswordHasher hasher, int threads, int capacity) {
        if (threads < 1 || capacity < 2) {
            throw new IllegalArgumentException("password pool: " + threads + " threads, capacity " + capacity
                    + " (expected: >= 1, >= 2)");
        }
        this.hasher = hasher;
        this.threads = Schedulers.newParallel("kezdesu-kdf", threads, true);
        this.capacity = capacity;
        this.all = new Semaphore(capacity);
        this.other = new Semaphore(capacity / 2);
    }

    /** A new PHC-format hash of {@code password}. */
    public Mono<String> hash(String password, Lane lane) {
        return run(lane, () -> hasher.hash(password));
    }

    /** Whether {@code password} matches {@code encoded}. */
    public Mono<Boolean> verify(String password, String encoded, Lane lane) {
        return run(lane, () -> hasher.verify(password, encoded));
    }

    private <T> Mono<T> run(Lane lane, java.util.concurrent.Callable<T> work) {
        return Mono.defer(() -> {
            Semaphore share = lane == Lane.OTHER ? other : null;
            if (share != null && !share.tryAcquire()) {
                return Mono.error(new BusyException());
            }
            if (!all.tryAcquire()) {
                if (share != null) {
                    share.release();
                }
                return Mono.error(new BusyException());
            }
            // Released before the result is delivered (so a caller that sees it also sees the place free), or on
            // cancel; once either way.
            java.util.concurrent.atomic.AtomicBoolean held = new java.util.concurrent.atomic.AtomicBoolean(true);
            Runnable release = () -> {
                if (held.compareAndSet(true, false)) {
                    all.release();
                    if (share != null) {
                        share.release();
                    }
                }
            };
            return Mono.fromCallable(work).subscribeOn(threads).doOnTerminate(release).doOnCancel(release);
        });
    }

    /** Work waiting or running now. */
    public int inUse() {
        return capacity - all.availablePermits();
    }

    public int capacity() {
        return capacity;
    }

    @Override
    public void close() {
        threads.dispose();
    }
}
