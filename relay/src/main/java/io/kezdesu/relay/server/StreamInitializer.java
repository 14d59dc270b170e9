package io.kezdesu.relay.server;

import io.kezdesu.relay.allocation.FiveTuple;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.concurrent.TimeUnit;

/** The TCP/TLS pipeline, top-down: [TLS] → idle guard → framing → TURN. */
public final class StreamInitializer extends ChannelInitializer<SocketChannel> {

    /** A connection that never authenticates an allocation is closed after this long without traffic. */
    static final int IDLE_SECONDS = 60;

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
