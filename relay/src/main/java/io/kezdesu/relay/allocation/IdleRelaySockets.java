package io.kezdesu.relay.allocation;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Relayed sockets of one event loop whose allocations have ended, kept bound for a short while so that the next
 * allocation on the loop takes one instead of opening its own. A socket's life in the kernel (socket, options,
 * bind, epoll registration, close: a dozen system calls) was half of an allocation's CPU (docs/BENCHMARKS.md,
 * Relay), and allocations come in bursts: a meeting starts, a network changes, an ICE restart.
 *
 * <p>An idle socket drops whatever reaches it. The next allocation starts with no permissions, so nothing queued for
 * the previous one reaches its client (RFC 8656 §9: a peer needs a permission). A socket idle for
 * {@code idleNanos} is closed and its port freed; so is any socket offered when {@code capacity} are already idle.
 * Confined to its loop: every method runs on {@link #loop}.
 */
final class IdleRelaySockets {

    /** A bound relayed socket and its handler, which is pointed at each allocation that takes the socket. */
    record Socket(Channel channel, InetSocketAddress address, RelayChannelHandler handler) { }

    private record Idle(Socket socket, long since) { }

    private final EventLoop loop;
    private final int capacity;
    private final long idleNanos;
    private final List<Idle> sockets = new ArrayList<>();
    private boolean sweepScheduled;

    IdleRelaySockets(EventLoop loop, int capacity, long idleNanos) {
        this.loop = loop;
        this.capacity = capacity;
        this.idleNanos = idleNanos;
    }

    /** A random idle socket (ports stay unpredictable, RFC 8656 §7.2), or null. */
    Socket take() {
        while (!sockets.isEmpty()) {
            int i = Unpredictable.nextInt(sockets.size());
            Idle taken = sockets.get(i);
            sockets.set(i, sockets.get(sockets.size() - 1));
            sockets.remove(sockets.size() - 1);
            if (taken.socket.channel().isActive()) {
                return taken.socket;
            }
        }
        return null;
    }

    /** Keeps the socket for the next allocation, or closes it when full. */
    void offer(Socket socket) {
        socket.handler().detach();
        if (capacity == 0 || sockets.size() >= capacity || !socket.channel().isActive()) {
            socket.channel().close();
            return;
        }
        sockets.add(new Idle(socket, System.nanoTime()));
        if (!sweepScheduled) {
            sweepScheduled = true;
            loop.schedule(this::sweep, idleNanos, TimeUnit.NANOSECONDS);
        }
    }

    int size() {
        return sockets.size();
    }

    /** Closes every idle socket, which frees their ports. */
    void clear() {
        sockets.forEach(idle -> idle.socket.channel().close());
        sockets.clear();
    }

    private void sweep() {
        sweepScheduled = false;
        long now = System.nanoTime();
        long oldest = Long.MAX_VALUE;
        for (int i = sockets.size() - 1; i >= 0; i--) {
            Idle idle = sockets.get(i);
            if (now - idle.since >= idleNanos) {
                idle.socket.channel().close();
                sockets.remove(i);
            } else {
                oldest = Math.min(oldest, idle.since);
            }
        }
        if (!sockets.isEmpty()) {
            sweepScheduled = true;
            loop.schedule(this::sweep, oldest + idleNanos - now, TimeUnit.NANOSECONDS);
        }
    }
}
