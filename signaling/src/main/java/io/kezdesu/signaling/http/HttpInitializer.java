package io.kezdesu.signaling.http;

import io.kezdesu.signaling.metrics.SignalingMetrics;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.kezdesu.common.ratelimit.AddressKey;
import io.kezdesu.common.ratelimit.ConnectionBudget;
import io.kezdesu.common.ratelimit.KeyedLimit;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP pipeline, top-down: TLS (optional; {@link TlsOrPlainHint} hands the connection to TLS, or answers plain
 * HTTP with a hint) → TURN or HTTP (only when TURN shares the port: {@link TurnOrHttp}) → idle timeout → request deadline → HTTP codec → bounded aggregator → one request at a time → WebSocket upgrade (for {@code /ws}, which
 * then rebuilds the pipeline for signaling) → PeerJS WebSocket upgrade (when enabled; for
 * {@code {peerjs-path}/peerjs}) → API router.
 */
public final class HttpInitializer extends ChannelInitializer<SocketChannel> {

    private static final int MAX_INITIAL_LINE = 8192;
    private static final int MAX_HEADER_SIZE = 16384;
    private static final int IDLE_SECONDS = 120;
    /** The connection's place in max-connections: waiting again after each answer on a keep-alive connection. */
    static final io.netty.util.AttributeKey<ConnectionBudget.Place> PLACE =
            io.netty.util.AttributeKey.valueOf("kezdesu.connection-place");

    private final Optional<java.util.function.Supplier<SslContext>> ssl;
    private final int maxBody;
    private final Router router;
    private final AtomicInteger inFlight;
    private final SignalingMetrics metrics;
    private final ChannelGroup channels;
    private final ClientAddress clientAddress;
    private final Duration headerTimeout;
    private final KeyedLimit connections;
    private final ConnectionBudget budget;
    private final java.util.function.Supplier<io.netty.channel.ChannelHandler> webSocketUpgrade;
    private final Optional<java.util.function.Supplier<io.netty.channel.ChannelHandler>> peerJsUpgrade;
    private final Optional<TurnOnHttpsPort> turn;

    public HttpInitializer(Optional<java.util.function.Supplier<SslContext>> ssl, int maxBody, Router router, AtomicInteger inFlight,
                           SignalingMetrics metrics, ChannelGroup channels, ClientAddress clientAddress,
                           Duration headerTimeout, KeyedLimit connections, ConnectionBudget budget,
                           java.util.function.Supplier<io.netty.channel.ChannelHandler> webSocketUpgrade,
                           Optional<java.util.function.Supplier<io.netty.channel.ChannelHandler>> peerJsUpgrade,
                           Optional<TurnOnHttpsPort> turn) {
        this.turn = turn;
        this.webSocketUpgrade = webSocketUpgrade;
        this.peerJsUpgrade = peerJsUpgrade;
        this.ssl = ssl;
        this.maxBody = maxBody;
        this.router = router;
        this.inFlight = inFlight;
        this.metrics = metrics;
        this.channels = channels;
        this.clientAddress = clientAddress;
        this.headerTimeout = headerTimeout;
        this.connections = connections;
        this.budget = budget;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        // connections-per-ip: one address cannot hold the server's sockets (a reverse proxy we trust is everyone's,
        // and another node's links are its users').
        java.net.InetAddress peer = ch.remoteAddress().getAddress();
        if (!clientAddress.uncapped(peer)) {
            String key = AddressKey.of(peer);
            if (!connections.tryAcquire(key)) {
                metrics.connectionsRefused.inc();
                ch.close();
                return;
            }
            ch.closeFuture().addListener(f -> connections.release(key));
        }
        // max-connections: the process's file descriptors, for everyone (shared with the relay's TCP/TLS).
        ConnectionBudget.Place place = budget.tryAcquire(ch::close);
        if (place == null) {
            metrics.connectionsRefused.inc();
            ch.close();
            return;
        }
        ch.closeFuture().addListener(f -> place.release());
        ch.attr(PLACE).set(place);
        channels.add(ch);
        ChannelPipeline p = ch.pipeline();
        ssl.ifPresent(ctx -> p.addLast("tls-or-plain", new TlsOrPlainHint(ctx, turn.isPresent())));
        turn.ifPresent(t -> p.addLast("turn-or-http", new TurnOrHttp(t, place)));
        p.addLast("idle", new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS));
        RequestDeadline deadline = new RequestDeadline(headerTimeout, place::inUse);
        p.addLast("request-deadline", deadline);
        p.addLast("codec", new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_SIZE, 8192));
        if (ssl.isPresent()) {
            p.addLast("hsts", StrictTransport.INSTANCE);
        }
        p.addLast("aggregator", new BodyLimitAggregator(maxBody));
        p.addLast("request-complete", deadline.completion());
        // One request at a time: the codec decodes every request a read brought in one go, so without this a
        // pipelined request reached the API while the one before it was still being answered, and could overtake it.
        p.addLast("one-at-a-time", new FlowControlHandler());
        p.addLast("ws-upgrade", webSocketUpgrade.get());
        peerJsUpgrade.ifPresent(h -> p.addLast("peerjs-upgrade", h.get()));
        p.addLast("api", new HttpApiHandler(router, inFlight, metrics, clientAddress));
        p.addLast("idle-close", new IdleCloser());
    }

    /**
     * Turns an upgraded connection's pipeline into a WebSocket's: the HTTP-only handlers go (the upgrade handlers,
     * the one-request-at-a-time gate, the API and the HTTP idle timer; the socket keeps its own liveness), and the
     * frame aggregator and the socket's handler come last.
     */
    public static void becomeWebSocket(ChannelPipeline p, int maxMessageSize, String name,
                                       io.netty.channel.ChannelHandler socket) {
        p.addLast("ws-aggregator", new WebSocketFrameAggregator(maxMessageSize));
        p.addLast(name, socket);
        for (String http : List.of("request-deadline", "hsts", "request-complete", "one-at-a-time", "ws-upgrade",
                "peerjs-upgrade", "api", "idle", "idle-close")) {
            if (p.get(http) != null) {
                p.remove(http);
            }
        }
    }

    /** Closes connections idle for {@link #IDLE_SECONDS}. */
    private static final class IdleCloser extends io.netty.channel.ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(io.netty.channel.ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof io.netty.handler.timeout.IdleStateEvent) {
                ctx.close();
            } else {
                super.userEventTriggered(ctx, evt);
            }
        }
    }
}
