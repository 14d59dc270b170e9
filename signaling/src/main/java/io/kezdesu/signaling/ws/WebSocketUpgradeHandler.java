package io.kezdesu.signaling.ws;

import io.kezdesu.common.auth.NodeSignature;
import io.kezdesu.signaling.account.AccountService;
import io.kezdesu.signaling.http.ApiError;
import io.kezdesu.signaling.http.ApiException;
import io.kezdesu.signaling.http.HttpApiHandler;
import io.kezdesu.signaling.http.HttpInitializer;
import io.kezdesu.signaling.metrics.SignalingMetrics;
import io.kezdesu.signaling.room.RoomService;
import io.kezdesu.signaling.session.Forwarder;
import io.kezdesu.signaling.session.UserSockets;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /ws}: checks the page's Origin ({@link OriginPolicy}), authenticates the login token (query parameter {@code token} or cookie {@code kezdesu_token},
 * since browsers cannot set headers on a WebSocket), then upgrades and rebuilds the pipeline for signaling:
 * WebSocket codec → message aggregator (bounded) → {@link SignalingSocketHandler}. Anything else passes through.
 */
public final class WebSocketUpgradeHandler extends ChannelInboundHandlerAdapter {

    public static final String PATH = "/ws";
    public static final String COOKIE = "kezdesu_token";

    private final AccountService accounts;
    private final RoomService rooms;
    private final SignalingMetrics metrics;
    private final WebSocketSettings settings;
    private final UserSockets sockets;
    private final boolean tls;
    private final OriginPolicy origins;
    private final NodeSignature nodes;
    private final Forwarder forwarder;

    public WebSocketUpgradeHandler(AccountService accounts, RoomService rooms, SignalingMetrics metrics,
                                   WebSocketSettings settings, UserSockets sockets, boolean tls, OriginPolicy origins,
                                   NodeSignature nodes, Forwarder forwarder) {
        this.nodes = nodes;
        this.forwarder = forwarder;
        this.origins = origins;
        this.accounts = accounts;
        this.sockets = sockets;
        this.rooms = rooms;
        this.metrics = metrics;
        this.settings = settings;
        this.tls = tls;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest req) || !new QueryStringDecoder(req.uri()).path().equals(PATH)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (!req.method().equals(HttpMethod.GET) || !"websocket".equalsIgnoreCase(req.headers()
                .get(HttpHeaderNames.UPGRADE, ""))) {
            req.release();
            HttpApiHandler.write(ctx, HttpApiHandler.error(new ApiException(ApiError.BAD_REQUEST,
                    "/ws is a WebSocket endpoint: GET with Upgrade: websocket")), false);
            return;
        }
        // A link from another node of the cluster carries no page Origin; its signature stands for one.
        boolean fromNode = req.headers().contains(NodeSignature.HEADER);
        if (fromNode && nodes.verify(req.headers().get(NodeSignature.HEADER)).isEmpty()) {
            req.release();
            metrics.authFailures.labelValues("websocket").inc();
            HttpApiHandler.write(ctx, HttpApiHandler.error(new ApiException(ApiError.FORBIDDEN,
                    "bad or stale " + NodeSignature.HEADER + " signature (cluster-secret differs, or clocks do)")),
                    false);
            return;
        }
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        if (!fromNode && !origins.allows(origin, req.headers().get(HttpHeaderNames.HOST))) {
            req.release();
            metrics.authFailures.labelValues("websocket").inc();
            HttpApiHandler.write(ctx, HttpApiHandler.error(new ApiException(ApiError.FORBIDDEN,
                    "a page from " + origin + " may not open this socket (allowed-origins)")), false);
            return;
        }
        ctx.channel().config().setAutoRead(false);
        accounts.authenticate(token(req)).subscribe(
                user -> ctx.executor().execute(() -> upgrade(ctx, req, user, fromNode)),
                failure -> ctx.executor().execute(() -> {
                    req.release();
                    metrics.authFailures.labelValues("websocket").inc();
                    ApiException e = failure instanceof ApiException api ? api
                            : new ApiException(ApiError.UNAVAILABLE, "cannot check the token now; try again");
                    HttpApiHandler.write(ctx, HttpApiHandler.error(e), false);
                }));
    }

    private void upgrade(ChannelHandlerContext ctx, FullHttpRequest req, io.kezdesu.signaling.account.User user,
                         boolean fromNode) {
        try {
            String host = req.headers().get(HttpHeaderNames.HOST, "localhost");
            WebSocketDecoderConfig decoder = WebSocketDecoderConfig.newBuilder()
                    .maxFramePayloadLength(settings.maxMessageSize())
                    .allowExtensions(false)
                    .closeOnProtocolViolation(false)
                    .build();
            WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(
                    (tls ? "wss://" : "ws://") + host + PATH, null, decoder).newHandshaker(req);
            if (handshaker == null) {
                WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
                return;
            }
            ChannelPipeline p = ctx.pipeline();
            SignalingSocketHandler socket = new SignalingSocketHandler(user, host, rooms, metrics, settings,
                    sockets, fromNode ? Forwarder.NONE : forwarder);
            handshaker.handshake(ctx.channel(), req).addListener(f -> {
                if (!f.isSuccess()) {
                    ctx.close();
                    return;
                }
                HttpInitializer.becomeWebSocket(p, settings.maxMessageSize(), "signaling", socket);
                ctx.channel().config().setAutoRead(true);
            });
        } finally {
            req.release();
        }
    }

    private static Optional<String> token(FullHttpRequest req) {
        List<String> q = new QueryStringDecoder(req.uri()).parameters().get("token");
        if (q != null && !q.isEmpty() && !q.get(0).isEmpty()) {
            return Optional.of(q.get(0));
        }
        String cookies = req.headers().get(HttpHeaderNames.COOKIE);
        if (cookies != null) {
            for (Cookie c : ServerCookieDecoder.STRICT.decode(cookies)) {
                if (c.name().equals(COOKIE) && !c.value().isEmpty()) {
                    return Optional.of(c.value());
                }
            }
        }
        return Optional.empty();
    }

}
