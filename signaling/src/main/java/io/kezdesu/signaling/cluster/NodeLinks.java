package io.kezdesu.signaling.cluster;

import io.kezdesu.common.auth.JwtService;
import io.kezdesu.common.auth.NodeSignature;
import io.kezdesu.signaling.account.User;
import io.kezdesu.signaling.room.RoomLeases;
import io.kezdesu.signaling.session.Forwarder;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.kezdesu.common.lazy.Lazy;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.prometheus.metrics.core.metrics.Gauge;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Links to other nodes, one WebSocket per forwarded membership: the owner sees it as the user's own socket (a login
 * token this node mints for the user, and {@link NodeSignature}'s header saying a node opened it), so admission,
 * moderation and relaying at the owner need nothing of their own for forwarded members. Links run on this node's
 * event loops; a message waits in the link only until the handshake is done.
 */
public final class NodeLinks implements Forwarder {

    private static final Logger LOG = LoggerFactory.getLogger(NodeLinks.class);
    /** The owner's messages can be larger than a client's (a joined with many participants). */
    private static final int MAX_MESSAGE = 4 * 1024 * 1024;
    private static final int CONNECT_TIMEOUT_MS = 3_000;
    /**
     * The owner's answer to a link's upgrade: longer than the TCP connect, since an owner taking a burst of joins on a
     * small machine may take seconds to get to it, and a link given up sends its client away (1013) for nothing.
     */
    private static final int HANDSHAKE_TIMEOUT_MS = 10_000;

    private final EventLoopGroup loops;
    private final Class<? extends SocketChannel> channelType;
    private final JwtService tokens;
    private final NodeSignature signature;
    private final String nodeId;
    /**
     * The TLS client for wss:// links, made on the first one: building it reads the JVM's trust store (a tenth of a
     * second of every start), and a node alone, or a cluster on plain ws://, never needs it.
     */
    private final Lazy<SslContext> tls = new Lazy<>(NodeLinks::tlsClient);
    private final Duration silence;
    /** Links open now ({@code kezdesu_forwarded_sessions}). */
    private final Gauge open;

    /** {@code silence}: how long a link may hear nothing from the owner (heartbeat-timeout: it pings more often). */
    public NodeLinks(EventLoopGroup loops, Class<? extends SocketChannel> channelType, JwtService tokens,
                     NodeSignature signature, String nodeId, Duration silence, Gauge open) {
        this.open = open;
        this.silence = silence;
        this.loops = loops;
        this.channelType = channelType;
        this.tokens = tokens;
        this.signature = signature;
        this.nodeId = nodeId;
    }

    private static SslContext tlsClient() {
        try {
            // wss:// links trust what the JVM trusts: nodes serving HTTPS have real certificates.
            return SslContextBuilder.forClient().build();
        } catch (SSLException e) {
            throw new IllegalStateException("no TLS client: " + e.getMessage(), e);
        }
    }

    @Override
    public Link open(RoomLeases.Owner owner, User user, String first, Client client) {
        // Nodes register http(s):// base URLs (node-address); the link is the same server's /ws.
        URI uri = URI.create(owner.address().replaceFirst("^http", "ws") + "/ws");
        boolean secure = "wss".equals(uri.getScheme());
        int port = uri.getPort() > 0 ? uri.getPort() : secure ? 443 : 80;
        SslContext linkTls = secure ? tls.get() : null;
        DefaultHttpHeaders headers = new DefaultHttpHeaders();
        headers.set(HttpHeaderNames.COOKIE, "kezdesu_token=" + tokens.issue(user.id(), user.tokenVersion()).token());
        headers.set(NodeSignature.HEADER, signature.sign(nodeId));
        LinkHandler handler = new LinkHandler(first, client, owner.node(), open);
        WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(uri)
                .customHeaders(headers)
                .maxFramePayloadLength(MAX_MESSAGE)
                .handshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MS)
                .handleCloseFrames(false)
                .build();
        new Bootstrap().group(loops).channel(channelType)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MS)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (secure) {
                            ch.pipeline().addLast(linkTls.newHandler(ch.alloc(), uri.getHost(), port));
                        }
                        // The owner pings every socket a third of heartbeat-timeout apart (the link answers by
                        // itself): a link that hears nothing for a whole timeout leads to a node that is gone without
                        // a word (a machine down, a cut cable), and the client is sent to reconnect.
                        ch.pipeline().addLast(new IdleStateHandler(silence.toMillis(), 0, 0, TimeUnit.MILLISECONDS));
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(64 * 1024),
                                new WebSocketClientProtocolHandler(config),
                                new WebSocketFrameAggregator(MAX_MESSAGE), handler);
                    }
                })
                .connect(uri.getHost(), port)
                .addListener((ChannelFutureListener) f -> {
                    if (!f.isSuccess()) {
                        handler.failed("cannot reach node " + owner.node() + " at " + owner.address() + ": "
                                + f.cause().getMessage());
                    }
                });
        return handler;
    }

    /** One link: queues until the handshake, then passes frames both ways; reports its end once. */
    private static final class LinkHandler extends SimpleChannelInboundHandler<WebSocketFrame> implements Link {

        private final Client client;
        private final String node;
        private final ArrayDeque<String> pending = new ArrayDeque<>();
        private Channel channel;
        private boolean up;
        private boolean closedHere;
        private boolean reported;
        private int closeCode;
        private String closeReason = "";
        private final Gauge open;
        private final java.util.concurrent.atomic.AtomicBoolean counted = new java.util.concurrent.atomic.AtomicBoolean(
                true);

        LinkHandler(String first, Client client, String node, Gauge open) {
            this.client = client;
            this.node = node;
            this.open = open;
            open.inc();
            pending.add(first);
        }

        /** The link is over (closed here, or failed): counted out once. */
        private void over() {
            if (counted.compareAndSet(true, false)) {
                open.dec();
            }
        }

        @Override
        public synchronized void send(String text) {
            if (closedHere) {
                return;
            }
            if (!up) {
                pending.add(text);
                return;
            }
            channel.writeAndFlush(new TextWebSocketFrame(text));
        }

        @Override
        public void close() {
            Channel ch;
            synchronized (this) {
                if (closedHere) {
                    return;
                }
                closedHere = true;
                pending.clear();
                over();
                ch = up ? channel : null;
            }
            if (ch != null) {
                ch.writeAndFlush(new CloseWebSocketFrame(1000, "left")).addListener(ChannelFutureListener.CLOSE);
            } else if (channel != null) {
                channel.close();
            }
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            synchronized (this) {
                channel = ctx.channel();
                if (closedHere) {
                    ctx.close();
                }
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof IdleStateEvent) {
                failed("node " + node + " went silent");
                ctx.close();
                return;
            }
            if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                synchronized (this) {
                    up = true;
                    while (!pending.isEmpty()) {
                        ctx.write(new TextWebSocketFrame(pending.poll()));
                    }
                    ctx.flush();
                }
            } else if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
                failed("node " + node + " did not answer the handshake");
                ctx.close();
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof TextWebSocketFrame text) {
                client.deliver(text.text());
            } else if (frame instanceof CloseWebSocketFrame close) {
                closeCode = close.statusCode();
                closeReason = close.reasonText();
                ctx.writeAndFlush(new CloseWebSocketFrame(close.statusCode(), ""))
                        .addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof WebSocketClientHandshakeException refusal) {
                boolean report;
                over();
                synchronized (this) {
                    report = !reported && !closedHere;
                    reported = true;
                }
                if (report) {
                    LOG.warn("node {} refused a link: {}", node, refusal.getMessage());
                    client.refused("node " + node + " refused the link: " + refusal.getMessage());
                }
            } else {
                LOG.debug("link to node {}: {}", node, cause.toString());
                failed(cause.getMessage());
            }
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            failed(closeCode != 0 ? "node " + node + " closed the link (" + closeCode + " " + closeReason + ")"
                    : "the link to node " + node + " dropped");
            super.channelInactive(ctx);
        }

        /** Reports the end, once, unless this side closed it (the client left or the membership ended). */
        void failed(String why) {
            over();
            synchronized (this) {
                if (reported || closedHere) {
                    reported = true;
                    return;
                }
                reported = true;
            }
            client.ended(closeCode, why);
        }
    }
}
