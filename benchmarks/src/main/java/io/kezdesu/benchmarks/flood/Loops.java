package io.kezdesu.benchmarks.flood;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ResourceLeakDetector;
import java.net.InetSocketAddress;

/** The flood tools' Netty plumbing: one event-loop thread (the server keeps the other core) and a TCP bootstrap. */
final class Loops {

    private Loops() {
    }

    static EventLoopGroup one() {
        // Leak tracking takes stack traces on the generator's only thread; nothing here keeps buffers for long.
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
        return new MultiThreadIoEventLoopGroup(1,
                Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    static Bootstrap tcp(EventLoopGroup group, int connectTimeoutMillis) {
        return new Bootstrap().group(group)
                .channel(Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .option(ChannelOption.TCP_NODELAY, true);
    }

    /** {@code host:port} → address. */
    static InetSocketAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    /** The {@code i}-th loopback source address under {@code prefix} ("127.3"): 127.3.0.1, 127.3.0.2, … */
    static InetSocketAddress source(String prefix, int i) {
        return new InetSocketAddress(prefix + "." + (i / 250) + "." + (1 + i % 250), 0);
    }
}
