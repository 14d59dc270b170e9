package io.kezdesu.relay.server;

import io.kezdesu.common.ratelimit.AddressKey;
import io.kezdesu.common.ratelimit.ConnectionBudget;
import io.kezdesu.common.ratelimit.KeyedLimit;
import io.kezdesu.relay.allocation.FiveTuple;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;

/**
 * The TCP/TLS pipeline, top-down: [TLS] → framing → TURN; connections per client address and each connection's
 * backlog bounded.
 */
public final class StreamInitializer extends ChannelInitializer<SocketChannel> {

    /**
     * What may wait to be sent to one client. Past the high mark the connection stops being read (so a client that
     * sends requests and never reads their answers stops itself) and relayed media for it is dropped, as UDP would
     * lose it: 256 KiB is about a second of a 2 Mbit/s video, more delay than a call can use.
     */
    static final WriteBufferWaterMark BACKLOG = new WriteBufferWaterMark(128 * 1024, 256 * 1024);

    private final TurnServices services;
    /** The certificate in use now (a renewed one is picked up by new connections); null: plain TCP. */
    private final java.util.function.Supplier<SslContext> ssl;
    private final StunDispatcher dispatcher;
    private final KeyedLimit connections;

    public StreamInitializer(TurnServices services, java.util.function.Supplier<SslContext> ssl) {
        this.services = services;
        this.ssl = ssl;
        this.dispatcher = new StunDispatcher(services);
        this.connections = services.streamConnections();
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        // connections-per-ip (counted apart from HTTP's): one address cannot hold all of the relay's sockets.
        String key = AddressKey.of(ch.remoteAddress().getAddress());
        if (!connections.tryAcquire(key)) {
            ch.close();
            return;
        }
        ch.closeFuture().addListener(f -> connections.release(key));
        // max-connections: the process's descriptors, shared with HTTP when both run in one process.
        ConnectionBudget.Place place = services.connectionBudget().tryAcquire(ch::close);
        if (place == null) {
            ch.close();
            return;
        }
        ch.closeFuture().addListener(f -> place.release());
        if (ssl != null) {
            ch.pipeline().addLast(ssl.get().newHandler(ch.alloc()));
        }
        adopt(ch, ssl != null, place);
    }

    /**
     * Makes an open connection a TURN client's from here on: framing and TURN at the end of its pipeline. Used for
     * this server's own connections and for those another listener (HTTPS on the same port) recognised as TURN; its
     * TLS, if any, is already in the pipeline, and its limits were counted where it was accepted.
     */
    public void adopt(Channel ch, boolean tls, ConnectionBudget.Place place) {
        ch.config().setWriteBufferWaterMark(BACKLOG);
        ChannelPipeline p = ch.pipeline();
        p.addLast(new StreamFrameDecoder());
        p.addLast(new StreamServerHandler(services, dispatcher,
                tls ? FiveTuple.Transport.TLS : FiveTuple.Transport.TCP, place));
    }
}
