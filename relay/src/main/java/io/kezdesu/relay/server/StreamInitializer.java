package io.kezdesu.relay.server;

import io.kezdesu.relay.allocation.FiveTuple;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.concurrent.TimeUnit;

/** The TCP/TLS pipeline, top-down: [TLS] → idle guard → framing → TURN; each connection's backlog bounded. */
public final class StreamInitializer extends ChannelInitializer<SocketChannel> {

    /** A connection that never authenticates an allocation is closed after this long without traffic. */
    static final int IDLE_SECONDS = 60;
    /**
     * What may wait to be sent to one client. Past the high mark the connection stops being read (so a client that
     * sends requests and never reads their answers stops itself) and relayed media for it is dropped, as UDP would
     * lose it: 256 KiB is about a second of a 2 Mbit/s video, more delay than a call can use.
     */
    static final WriteBufferWaterMark BACKLOG = new WriteBufferWaterMark(128 * 1024, 256 * 1024);

    private final TurnServices services;
    private final SslContext ssl;
    private final StunDispatcher dispatcher;

    public StreamInitializer(TurnServices services, SslContext ssl) {
        this.services = services;
        this.ssl = ssl;
        this.dispatcher = new StunDispatcher(services);
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ch.config().setWriteBufferWaterMark(BACKLOG);
        ChannelPipeline p = ch.pipeline();
        if (ssl != null) {
            p.addLast(ssl.newHandler(ch.alloc()));
        }
        p.addLast(new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS) {
            @Override
            protected void channelIdle(io.netty.channel.ChannelHandlerContext ctx, IdleStateEvent evt) {
                if (services.allocations().get(new FiveTuple(
                        (java.net.InetSocketAddress) ctx.channel().remoteAddress(),
                        (java.net.InetSocketAddress) ctx.channel().localAddress(),
                        ssl != null ? FiveTuple.Transport.TLS : FiveTuple.Transport.TCP)) == null) {
                    ctx.close();
                }
            }
        });
        p.addLast(new StreamFrameDecoder());
        p.addLast(new StreamServerHandler(services, dispatcher,
                ssl != null ? FiveTuple.Transport.TLS : FiveTuple.Transport.TCP));
    }
}
