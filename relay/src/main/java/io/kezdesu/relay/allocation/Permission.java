package io.kezdesu.relay.allocation;

import io.netty.util.concurrent.EventExecutor;
import java.net.InetAddress;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * RFC 8656 §9: a permission for one peer IP (ports are ignored), refreshed by CreatePermission or ChannelBind.
 * Owns its expiry: one scheduled check per deadline, re-armed when a refresh moved the deadline on.
 */
final class Permission {

    private final InetAddress peer;
    private long deadlineNanos;
    private ScheduledFuture<?> timer;

    Permission(InetAddress peer) {
        this.peer = peer;
    }

    InetAddress peer() {
        return peer;
    }

    boolean valid(long nowNanos) {
        return nowNanos - deadlineNanos < 0;
    }

    void refresh(long lifetimeNanos, EventExecutor loop, Runnable onExpiry) {
        boolean armed = deadlineNanos != 0;
        deadlineNanos = System.nanoTime() + lifetimeNanos;
        if (!armed) {
            arm(loop, onExpiry, lifetimeNanos);
        }
    }

    /** Stops the timer when the allocation goes away first, so nothing keeps it reachable. */
    void cancel() {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    private void arm(EventExecutor loop, Runnable onExpiry, long delayNanos) {
        timer = loop.schedule(() -> {
            long left = deadlineNanos - System.nanoTime();
            if (left > 0) {
                arm(loop, onExpiry, left);
            } else {
                onExpiry.run();
            }
        }, delayNanos, TimeUnit.NANOSECONDS);
    }
}
