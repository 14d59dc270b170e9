package io.kezdesu.relay.allocation;

import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** RFC 8656 §12: a channel number bound to one peer transport address; owns its expiry like {@link Permission}. */
final class ChannelBinding {

    private final int number;
    private final InetSocketAddress peer;
    private long deadlineNanos;
    private ScheduledFuture<?> timer;

    ChannelBinding(int number, InetSocketAddress peer) {
        this.number = number;
        this.peer = peer;
    }

    int number() {
        return number;
    }

    InetSocketAddress peer() {
        return peer;
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
