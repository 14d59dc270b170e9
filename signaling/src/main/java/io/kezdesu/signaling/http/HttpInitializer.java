package io.kezdesu.signaling.http;

import io.kezdesu.signaling.metrics.SignalingMetrics;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP pipeline, top-down: TLS (optional; {@link TlsOrPlainHint} hands the connection to TLS, or answers plain
 * HTTP with a hint) → idle timeout → HTTP codec → bounded aggregator → WebSocket upgrade (for {@code /ws}, which
 * then rebuilds the pipeline for signaling) → PeerJS WebSocket upgrade (when enabled; for
 * {@code {peerjs-path}/peerjs}) → API router.
 */
public final class HttpInitializer extends ChannelInitializer<SocketChannel> {

    private static final int MAX_INITIAL_LINE = 8192;
    private static final int MAX_HEADER_SIZE = 16384;
    private static final int IDLE_SECONDS = 120;

    private final Optional<SslContext> ssl;
    private final int maxBody;
    private final Router router;
    private final AtomicInteger inFlight;
    private final SignalingMetrics metrics;
    private final ChannelGroup channels;
    private final java.util.function.Supplier<io.netty.channel.ChannelHandler> webSocketUpgrade;
    private final Optional<java.util.function.Supplier<io.netty.channel.ChannelHandler>> peerJsUpgrade;

    public HttpInitializer(Optional<SslContext> ssl, int maxBody, Router router, AtomicInteger inFlight,
                           SignalingMetrics metrics, ChannelGroup channels,
                           java.util.function.Supplier<io.netty.channel.ChannelHandler> webSocketUpgrade,
                           Optional<java.util.function.Supplier<io.netty.channel.ChannelHandler>> peerJsUpgrade) {
        this.webSocketUpgrade = webSocketUpgrade;
        this.peerJsUpgrade = peerJsUpgrade;
        this.ssl = ssl;
        this.maxBody = maxBody;
        this.router = router;
        this.inFlight = inFlight;
        this.metrics = metrics;
        this.channels = channels;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        channels.add(ch);
        ChannelPipeline p = ch.pipeline();
        ssl.ifPresent(ctx -> p.addLast("tls-or-plain", new TlsOrPlainHint(ctx)));
        p.addLast("idle", new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS));
        p.addLast("codec", new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_SIZE, 8192));
        p.addLast("aggregator", new BodyLimitAggregator(maxBody));
        p.addLast("ws-upgrade", webSocketUpgrade.get());
        peerJsUpgrade.ifPresent(h -> p.addLast("peerjs-upgrade", h.get()));
        p.addLast("api", new HttpApiHandler(router, inFlight, metrics));
        p.addLast("idle-close", new IdleCloser());
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
