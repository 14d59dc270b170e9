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
 * could accept nobody, not even its own store connections, until the crowd left. Below the budget a new connection
 * is refused at once instead and the descriptors kept back stay for what is already running.
 */
public final class ConnectionBudget {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionBudget.class);
    private static final long WARN_EVERY_NANOS = 60_000_000_000L;

    private final int limit;
    private final AtomicInteger held = new AtomicInteger();
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

    /** What {@code max-connections: 0} means with this open-file limit (-1 when unknown: no cap of our own). */
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

    /** Takes a place for a new connection; false (and a warning at most once a minute) when none is left. */
    public boolean tryAcquire() {
        int n = held.incrementAndGet();
        if (n <= limit) {
            return true;
        }
        held.decrementAndGet();
        long now = System.nanoTime();
        long last = lastWarning.get();
        if (now - last >= WARN_EVERY_NANOS && lastWarning.compareAndSet(last, now)) {
            LOG.warn("max-connections ({}) reached: refusing new connections until some close", limit);
        }
        return false;
    }

    public void release() {
        held.decrementAndGet();
    }

    public int held() {
        return held.get();
    }

    public int limit() {
        return limit;
    }
}
