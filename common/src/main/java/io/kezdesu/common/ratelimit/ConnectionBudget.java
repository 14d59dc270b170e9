package io.kezdesu.common.ratelimit;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections a whole process may hold at once, HTTP, WebSocket and TURN over TCP/TLS together
 * ({@code max-connections}). Each holds a file descriptor; a crowd of idle connections from many addresses (which
 * {@code connections-per-ip} does not stop) used to take every descriptor the process had, after which the server
 * could accept nobody, not even its own store connections, until the crowd left. The budget keeps the descriptors
 * held back for what is already running, and when it is spent a new connection takes the place of the oldest one
 * that has not yet done anything ({@link #inUse} not called: an HTTP connection without a whole request, a TURN
 * connection without an allocation, a keep-alive connection between requests, longest waiting first), which is
 * closed; only when every connection is in use is the new one refused.
 * So an idle crowd cannot keep a real client out: the client's request arrives within milliseconds of its connect.
 */
public final class ConnectionBudget {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionBudget.class);
    private static final long WARN_EVERY_NANOS = 60_000_000_000L;

    private final int limit;
    private final AtomicInteger held = new AtomicInteger();
    /**
     * Connections waiting (for a first request, between requests, for an allocation), longest waiting first: ordered
     * by when each began to wait, then by when it was accepted.
     */
    private final java.util.TreeSet<Place> idle = new java.util.TreeSet<>(
            java.util.Comparator.<Place>comparingLong(p -> p.waitingSince).thenComparingLong(p -> p.number));
    /** The order of events that begin a wait; a counter, not a clock, so that two never tie or go backwards. */
    private final AtomicLong ticks = new AtomicLong();
    private final java.util.concurrent.atomic.LongAdder evicted = new java.util.concurrent.atomic.LongAdder();
    private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);

    public ConnectionBudget(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("max-connections: " + limit + " (expected: >= 1)");
        }
        this.limit = limit;
    }

    /**
     * The budget {@code max-connections} gives: {@code configured} when it is positive; 0 derives it from the
     * process's open-file limit, keeping a tenth of it (at least 256) for the store, files and relay sockets.
     */
    public static ConnectionBudget of(int configured) {
        return new ConnectionBudget(configured > 0 ? configured : derived(openFileLimit()));
    }

    /** What {@code max-connections: 0} means with this open-file limit (unknown, 0 or less: no cap of our own). */
    static int derived(long openFiles) {
        if (openFiles <= 0 || openFiles >= Integer.MAX_VALUE) {
            return Integer.MAX_VALUE;
        }
        long reserve = Math.max(256, openFiles / 10);
        return (int) Math.max(64, openFiles - reserve);
    }

    /** The process's open-file limit as the JVM sees it (after it raised the soft limit), or -1 when unknown. */
    static long openFileLimit() {
        if (ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return unix.getMaxFileDescriptorCount();
        }
        return -1;
    }

    /** One connection's place in the budget. */
    public final class Place {
        private final Runnable close;
        private final long number = ticks.incrementAndGet();
        private long waitingSince = number;
        private boolean released;

        private Place(Runnable close) {
            this.close = close;
        }

        /**
         * Now, in the order {@link #idleAgain(long)} takes: read when an answer is handed over, so that a connection
         * answered first counts as waiting longer even when its write completes (on another thread) after a later one.
         */
        public long now() {
            return ticks.incrementAndGet();
        }

        /** The connection has done something (a whole request, an allocation): it is not the first to go. */
        public void inUse() {
            synchronized (idle) {
                idle.remove(this);
            }
        }

        /**
         * The connection is waiting again (a keep-alive connection between requests): it may go, after every
         * connection that has been waiting longer.
         */
        public void idleAgain() {
            idleAgain(now());
        }

        /** As {@link #idleAgain()}, waiting since {@code since} (from {@link #now()}). */
        public void idleAgain(long since) {
            synchronized (idle) {
                if (!released) {
                    idle.remove(this);
                    waitingSince = since;
                    idle.add(this);
                }
            }
        }

        /** The connection closed: its place is free. Only the first call counts. */
        public void release() {
            synchronized (idle) {
                if (released) {
                    return;
                }
                released = true;
                idle.remove(this);
            }
            held.decrementAndGet();
        }
    }

    /**
     * Takes a place for a new connection, closing the oldest idle one (with its {@code close}) if none is free; null
     * (the caller closes the new one) when every place is in use. The caller calls {@link Place#release} when the
     * connection closes and {@link Place#inUse} once it does something.
     */
    public Place tryAcquire(Runnable close) {
        if (held.incrementAndGet() > limit) {
            Place oldest = evictable();
            if (oldest == null) {
                held.decrementAndGet();
                warn("refusing new connections until some close");
                return null;
            }
            // Its place goes to the new one when its close completes; until then the budget is one over.
            evicted.increment();
            warn("closing the oldest connections that have not sent a request for new ones");
            oldest.close.run();
        }
        Place place = new Place(close);
        synchronized (idle) {
            idle.add(place);
        }
        return place;
    }

    private Place evictable() {
        synchronized (idle) {
            var it = idle.iterator();
            if (!it.hasNext()) {
                return null;
            }
            Place oldest = it.next();
            it.remove();
            return oldest;
        }
    }

    private void warn(String what) {
        long now = System.nanoTime();
        long last = lastWarning.get();
        if (now - last >= WARN_EVERY_NANOS && lastWarning.compareAndSet(last, now)) {
            LOG.warn("max-connections ({}) reached: {}", limit, what);
        }
    }

    /** Idle connections closed to make room for new ones, since the start. */
    public long evicted() {
        return evicted.sum();
    }

    public int held() {
        return held.get();
    }

    public int limit() {
        return limit;
    }
}
