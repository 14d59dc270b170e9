package io.kezdesu.relay.allocation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The per-loop pool of relayed sockets, on real UDP sockets bound on loopback and a real event loop. */
class IdleRelaySocketsTest {

    private static final long HOUR = TimeUnit.HOURS.toNanos(1);

    private EventLoopGroup group;
    private EventLoop loop;

    @BeforeEach
    void start() {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        loop = group.next();
    }

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private IdleRelaySockets.Socket bound() throws Exception {
        RelayChannelHandler handler = new RelayChannelHandler(null);
        Channel ch = new io.netty.bootstrap.Bootstrap().group(loop).channel(NioDatagramChannel.class)
                .handler(handler).bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
        return new IdleRelaySockets.Socket(ch, (InetSocketAddress) ch.localAddress(), handler);
    }

    private <T> T onLoop(Callable<T> task) throws Exception {
        return loop.submit(task).get(5, TimeUnit.SECONDS);
    }

    @Test
    void anOfferedSocketIsTakenOnceAndNoLongerPointsAtItsAllocation() throws Exception {
        IdleRelaySockets idle = new IdleRelaySockets(loop, 4, HOUR);
        IdleRelaySockets.Socket socket = bound();
        socket.handler().attach(allocationStandIn());
        assertNull(onLoop(idle::take), "nothing idle yet");
        onLoop(() -> {
            idle.offer(socket);
            return null;
        });
        assertNull(socket.handler().allocation(), "an idle socket delivers to no allocation");
        assertTrue(socket.channel().isActive(), "kept open");
        assertSame(socket, onLoop(idle::take));
        assertNull(onLoop(idle::take), "taken once");
    }

    @Test
    void takesAnyOfTheIdleSocketsAndSkipsOnesClosedMeanwhile() throws Exception {
        IdleRelaySockets idle = new IdleRelaySockets(loop, 8, HOUR);
        List<IdleRelaySockets.Socket> sockets = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            sockets.add(bound());
        }
        onLoop(() -> {
            sockets.forEach(idle::offer);
            return null;
        });
        sockets.get(0).channel().close().sync();
        Set<IdleRelaySockets.Socket> taken = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            taken.add(onLoop(idle::take));
        }
        assertEquals(Set.copyOf(sockets.subList(1, 4)), taken, "every open one, each once");
        assertNull(onLoop(idle::take), "the closed one is never handed out");
    }

    @Test
    void beyondCapacityASocketIsClosed() throws Exception {
        IdleRelaySockets idle = new IdleRelaySockets(loop, 1, HOUR);
        IdleRelaySockets.Socket kept = bound();
        IdleRelaySockets.Socket extra = bound();
        onLoop(() -> {
            idle.offer(kept);
            idle.offer(extra);
            return null;
        });
        assertTrue(extra.channel().closeFuture().await(5, TimeUnit.SECONDS), "closed, so its port is freed");
        assertTrue(kept.channel().isActive());
        assertEquals(1, (int) onLoop(idle::size));
    }

    @Test
    void anIdleSocketIsClosedAfterTheIdleTime() throws Exception {
        IdleRelaySockets idle = new IdleRelaySockets(loop, 4, TimeUnit.MILLISECONDS.toNanos(50));
        IdleRelaySockets.Socket first = bound();
        IdleRelaySockets.Socket second = bound();
        onLoop(() -> {
            idle.offer(first);
            return null;
        });
        assertTrue(first.channel().closeFuture().await(5, TimeUnit.SECONDS), "closed by the sweep");
        onLoop(() -> {
            idle.offer(second);
            return null;
        });
        assertTrue(second.channel().closeFuture().await(5, TimeUnit.SECONDS), "the sweep is scheduled again");
        assertEquals(0, (int) onLoop(idle::size));
        assertNull(onLoop(idle::take));
    }

    @Test
    void clearClosesEveryIdleSocket() throws Exception {
        IdleRelaySockets idle = new IdleRelaySockets(loop, 4, HOUR);
        IdleRelaySockets.Socket a = bound();
        IdleRelaySockets.Socket b = bound();
        onLoop(() -> {
            idle.offer(a);
            idle.offer(b);
            idle.clear();
            return null;
        });
        assertFalse(a.channel().isOpen());
        assertFalse(b.channel().isOpen());
        assertNull(onLoop(idle::take));
    }

    @Test
    void aPoolOfNoneClosesWhatItIsOffered() throws Exception {
        IdleRelaySockets idle = new IdleRelaySockets(loop, 0, HOUR);
        IdleRelaySockets.Socket socket = bound();
        onLoop(() -> {
            idle.offer(socket);
            return null;
        });
        assertTrue(socket.channel().closeFuture().await(5, TimeUnit.SECONDS));
    }

    /** Any allocation object will do: the pool only has to unhook it from the socket's handler. */
    private static Allocation allocationStandIn() {
        return new Allocation(null, null, null, new byte[12], null, null, 0, 0x4FFF);
    }
}
