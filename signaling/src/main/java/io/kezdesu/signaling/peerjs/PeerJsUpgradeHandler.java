package io.kezdesu.signaling.peerjs;

import io.kezdesu.signaling.account.AccountService;
import io.kezdesu.signaling.http.HttpInitializer;
import io.kezdesu.signaling.metrics.SignalingMetrics;
import io.kezdesu.signaling.session.UserSockets;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET {peerjs-path}/peerjs} with {@code Upgrade: websocket}: upgrades and rebuilds the pipeline for PeerJS:
 * WebSocket codec → message aggregator (bounded) → {@link PeerJsSocketHandler}. As in peerjs-server, every refusal
 * (parameters, key, token, id taken, limit) is a message on the open socket, never an HTTP error, because that is
 * where PeerJS clients look. Anything else passes through to the router.
 */
public final class PeerJsUpgradeHandler extends ChannelInboundHandlerAdapter {

    private final PeerJsService service;
    private final AccountService accounts;
    private final SignalingMetrics metrics;
    private final UserSockets sockets;
    private final boolean tls;

    public PeerJsUpgradeHandler(PeerJsService service, AccountService accounts, SignalingMetrics metrics,
                                UserSockets sockets, boolean tls) {
        this.service = service;
        this.sockets = sockets;
        this.accounts = accounts;
        this.metrics = metrics;
        this.tls = tls;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest req) || !req.method().equals(HttpMethod.GET)
                || !"websocket".equalsIgnoreCase(req.headers().get(HttpHeaderNames.UPGRADE, ""))) {
            ctx.fireChannelRead(msg);
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(req.uri());
        String path = service.settings().socketPath();
        if (!uri.path().equals(path)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            String host = req.headers().get(HttpHeaderNames.HOST, "localhost");
            int max = service.settings().maxMessageSize();
            WebSocketDecoderConfig decoder = WebSocketDecoderConfig.newBuilder()
                    .maxFramePayloadLength(max)
                    .allowExtensions(false)
                    .closeOnProtocolViolation(false)
                    .build();
            WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(
                    (tls ? "wss://" : "ws://") + host + path, null, decoder).newHandshaker(req);
            if (handshaker == null) {
                WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
                return;
            }
            Map<String, List<String>> q = uri.parameters();
            PeerJsSocketHandler socket = new PeerJsSocketHandler(service, metrics,
                    new PeerJsSocketHandler.Query(first(q, "id"), first(q, "token"), first(q, "key")),
                    token -> accounts.authenticate(Optional.of(token)), sockets);
            ChannelPipeline p = ctx.pipeline();
            ctx.channel().config().setAutoRead(false);
            handshaker.handshake(ctx.channel(), req).addListener(f -> {
                if (!f.isSuccess()) {
                    ctx.close();
                    return;
                }
                HttpInitializer.becomeWebSocket(p, max, "peerjs", socket);
            });
        } finally {
            req.release();
        }
    }

    private static String first(Map<String, List<String>> q, String name) {
        List<String> v = q.get(name);
        // The last one wins, as with Object.fromEntries(URLSearchParams) in peerjs-server.
        return v == null || v.isEmpty() ? null : v.get(v.size() - 1);
    }
}
