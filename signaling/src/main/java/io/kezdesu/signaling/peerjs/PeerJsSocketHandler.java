package io.kezdesu.signaling.peerjs;

import io.kezdesu.signaling.account.User;
import io.kezdesu.signaling.metrics.SignalingMetrics;
import io.kezdesu.signaling.session.Revocation;
import io.kezdesu.signaling.session.UserSockets;
import io.kezdesu.signaling.ws.CloseHandshake;
import io.kezdesu.signaling.ws.SocketLimits;
import io.kezdesu.signaling.ws.TokenBucket;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.internal.PlatformDependent;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * One PeerJS socket after the upgrade. Checks the query the way peerjs-server does (parameters, key, then the id),
 * optionally a kezdesu login token, registers the id and feeds text (and, as peerjs-server, binary) messages to the
 * {@link PeerJsService}. Reading starts only once the id is settled, so nothing is routed from an unregistered socket.
 * A socket opened with a login token ends (an {@code ERROR} message, then close) when that login stops holding.
 */
final class PeerJsSocketHandler extends SimpleChannelInboundHandler<WebSocketFrame>
        implements PeerLink, UserSockets.Revocable {

    private static final Logger LOG = LoggerFactory.getLogger(PeerJsSocketHandler.class);
    private static final int OUTBOX_CHUNK = 16;
    /** Messages waiting for this channel's loop; past this the loop is not keeping up and the client is dropped. */
    private static final int MAX_OUTBOX = 1 << 16;
    @SuppressWarnings("rawtypes")
    private static final AtomicReferenceFieldUpdater<PeerJsSocketHandler, Queue> OUTBOX =
            AtomicReferenceFieldUpdater.newUpdater(PeerJsSocketHandler.class, Queue.class, "outbox");
    private static final AtomicIntegerFieldUpdater<PeerJsSocketHandler> DRAIN_QUEUED =
            AtomicIntegerFieldUpdater.newUpdater(PeerJsSocketHandler.class, "drainQueued");

    /** The socket's query parameters; empty strings count as missing, as in peerjs-server. */
    record Query(String id, String token, String key) {
    }

    private final PeerJsService service;
    private final SignalingMetrics metrics;
    private final Query query;
    private final Function<String, Mono<User>> authenticate;
    private final UserSockets sockets;
    private final TokenBucket rate;
    private Channel channel;
    /** The account a login token proved, set on this channel's loop; null without {@code peerjs-require-auth}. */
    private User user;
    private PeerClient client;
    /**
     * Messages routed from other event loops (and the timer thread), drained in order on this channel's loop; made
     * by the first such message. Small chunks: the default chunk of 1,024 slots was 4 KB of heap per idle connection,
     * and even 16 slots are 600 bytes, a sixth of an idle session, which most sessions never need.
     */
    private volatile Queue<byte[]> outbox;
    /** 1 while a drain task is queued on this channel's loop. */
    private volatile int drainQueued;
    private final Runnable drain = this::drain;
    /** Set while a flush of messages written directly from this channel's own loop is pending (loop-confined). */
    private boolean flushQueued;
    private final Runnable flush = this::flushDirect;
    /** Our close frame is out (loop-confined): input is discarded until the client's close frame or the wait ends. */
    private boolean closing;

    PeerJsSocketHandler(PeerJsService service, SignalingMetrics metrics, Query query,
                        Function<String, Mono<User>> authenticate, UserSockets sockets) {
        this.service = service;
        this.sockets = sockets;
        this.metrics = metrics;
        this.query = query;
        this.authenticate = authenticate;
        int perSecond = service.settings().rateLimit();
        this.rate = perSecond == 0 ? null : new TokenBucket(perSecond, 2L * perSecond);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        PeerJsSettings settings = service.settings();
        if (isBlank(query.id()) || isBlank(query.token()) || isBlank(query.key())) {
            refuse(PeerMessages.error(PeerMessages.INVALID_WS_PARAMETERS));
        } else if (!query.key().equals(settings.key())) {
            refuse(PeerMessages.error(PeerMessages.INVALID_KEY));
        } else if (settings.requireAuth()) {
            authenticate.apply(query.token()).subscribe(
                    u -> ctx.executor().execute(() -> authenticated(ctx, u)),
                    failure -> ctx.executor().execute(() -> {
                        metrics.authFailures.labelValues("peerjs").inc();
                        refuse(PeerMessages.error(PeerMessages.INVALID_TOKEN));
                    }));
        } else {
            register(ctx, "token:" + query.token());
        }
    }

    private void authenticated(ChannelHandlerContext ctx, User u) {
        if (!channel.isActive()) {
            return;
        }
        user = u;
        // The account may have changed since its token was checked; the registry knows, and then refuses it.
        sockets.add(u, this).ifPresentOrElse(this::revoke, () -> register(ctx, "user:" + u.id()));
    }

    @Override
    public void revoke(Revocation why) {
        refuse(PeerMessages.error(why == Revocation.ACCOUNT_DISABLED ? PeerMessages.ACCOUNT_DISABLED
                : PeerMessages.TOKEN_REVOKED));
    }

    private void register(ChannelHandlerContext ctx, String owner) {
        if (!channel.isActive()) {
            return;
        }
        PeerRealm.Registration r = service.connect(query.id(), owner, this);
        if (r instanceof PeerRealm.Registration.Opened o) {
            linked(o.client());
        } else if (r instanceof PeerRealm.Registration.Replaced rep) {
            linked(rep.client());
        } else if (r instanceof PeerRealm.Registration.Taken) {
            refuse(PeerMessages.idTaken());
        } else {
            refuse(PeerMessages.error(PeerMessages.CONNECTION_LIMIT_EXCEED));
        }
    }

    private void linked(PeerClient c) {
        client = c;
        metrics.peerjsSessions.inc();
        channel.config().setAutoRead(true);
    }

    private void refuse(byte[] message) {
        send(message);
        close();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (closing) {
            // Our close frame is out: nothing more is read, only the client's close frame ends the wait.
            if (frame instanceof CloseWebSocketFrame) {
                ctx.close();
            }
            return;
        }
        if (frame instanceof CloseWebSocketFrame) {
            ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        // Every frame but close counts, pings and pongs too: each ping costs us a pong.
        if (rate != null && !rate.tryTake(System.nanoTime())) {
            refuse(PeerMessages.error("more than " + service.settings().rateLimit() + " messages per second"),
                    WebSocketCloseStatus.POLICY_VIOLATION);
            return;
        }
        if (frame instanceof PingWebSocketFrame ping) {
            if (!SocketLimits.pong(ctx.channel(), ping)) {
                LOG.info("{}: dropping a client that does not read", describe());
                ctx.close();
            }
            return;
        }
        if (client == null || !(frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame)) {
            return;
        }
        PeerMessages.Parsed m = PeerEnvelope.scan(ByteBufUtil.getBytes(frame.content()));
        if (m == PeerEnvelope.INVALID_UTF8) {
            if (frame instanceof TextWebSocketFrame) {
                // As ws does before peerjs-server sees the message: a text frame must be UTF-8 (RFC 6455 8.1), or the
                // connection fails with 1007. Relaying it would make the receiver's browser drop its own socket.
                LOG.debug("{}: text frame is not UTF-8, closing", describe());
                closeWith(WebSocketCloseStatus.INVALID_PAYLOAD_DATA);
            }
            // Binary frames are read as text by peerjs-server (malformed bytes become U+FFFD); such a message is
            // ignored here instead.
            return;
        }
        service.receive(client, m);
    }

    private void closeWith(WebSocketCloseStatus status) {
        closeWith(new CloseWebSocketFrame(status));
    }

    /** Whatever was routed to this socket first, then our close frame and the close handshake. */
    private void closeWith(CloseWebSocketFrame frame) {
        Channel ch = channel;
        ch.eventLoop().execute(() -> {
            if (closing || !ch.isActive()) {
                frame.release();
                return;
            }
            drain();
            closing = true;
            CloseHandshake.start(ch, frame);
        });
    }

    private void refuse(byte[] message, WebSocketCloseStatus status) {
        send(message);
        closeWith(status);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException || cause instanceof CorruptedWebSocketFrameException) {
            boolean tooBig = cause instanceof TooLongFrameException
                    || String.valueOf(cause.getMessage()).contains("Max frame length");
            if (tooBig) {
                refuse(PeerMessages.error("message over " + service.settings().maxMessageSize() + " bytes"),
                        WebSocketCloseStatus.MESSAGE_TOO_BIG);
            } else {
                refuse(PeerMessages.error("malformed WebSocket frame"), WebSocketCloseStatus.PROTOCOL_ERROR);
            }
            return;
        }
        LOG.debug("{}: closing: {}", describe(), cause.toString());
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (user != null) {
            sockets.remove(user.id(), this);
        }
        if (client != null) {
            metrics.peerjsSessions.dec();
            service.disconnected(client, this);
        }
        super.channelInactive(ctx);
    }

    // --- PeerLink ---------------------------------------------------------------------------------------------------

    @Override
    public void send(byte[] json) {
        Channel ch = channel;
        if (ch == null || !ch.isActive()) {
            return;
        }
        if (SocketLimits.backedUp(ch)) {
            LOG.info("{}: dropping a client that does not read", describe());
            ch.close();
            return;
        }
        if (ch.eventLoop().inEventLoop()) {
            // Routed on this channel's own loop (its partner shares the loop, or it is OPEN and the queue for it):
            // write now and flush once, after the loop has handled the rest of this round of I/O. Messages from one
            // thread keep their order; messages from other threads have none relative to these to keep.
            ch.write(new TextWebSocketFrame(Unpooled.wrappedBuffer(json)), ch.voidPromise());
            if (!flushQueued) {
                flushQueued = true;
                ch.eventLoop().execute(flush);
            }
            return;
        }
        // From another thread: through one queue drained on the channel's loop, in the order routed. A burst costs
        // one task (one wake-up of the other loop) and one flush, not one of each per message.
        if (!outbox().offer(json)) {
            LOG.info("{}: dropping a client whose loop has {} messages waiting", describe(), MAX_OUTBOX);
            ch.close();
            return;
        }
        if (drainQueued == 0 && DRAIN_QUEUED.compareAndSet(this, 0, 1)) {
            ch.eventLoop().execute(drain);
        }
    }

    private void flushDirect() {
        flushQueued = false;
        channel.flush();
    }

    private Queue<byte[]> outbox() {
        Queue<byte[]> q = outbox;
        if (q == null) {
            q = PlatformDependent.newMpscQueue(OUTBOX_CHUNK, MAX_OUTBOX);
            if (!OUTBOX.compareAndSet(this, null, q)) {
                q = outbox;
            }
        }
        return q;
    }

    private void drain() {
        drainQueued = 0;
        Channel ch = channel;
        Queue<byte[]> q = outbox;
        if (q == null) {
            return;
        }
        byte[] next;
        boolean wrote = false;
        while ((next = q.poll()) != null) {
            ch.write(new TextWebSocketFrame(Unpooled.wrappedBuffer(next)), ch.voidPromise());
            wrote = true;
        }
        if (wrote) {
            ch.flush();
        }
    }

    @Override
    public void close() {
        Channel ch = channel;
        if (ch != null && ch.isActive()) {
            // peerjs-server's socket.close() sends a close frame without a status (the client sees 1005).
            closeWith(new CloseWebSocketFrame());
        }
    }

    @Override
    public boolean isOpen() {
        Channel ch = channel;
        return ch != null && ch.isActive();
    }

    private String describe() {
        Channel ch = channel;
        return "peerjs " + (ch == null ? "?" : ch.id().asShortText() + " " + ch.remoteAddress()) + " id "
                + Optional.ofNullable(query.id()).orElse("-");
    }

    private static boolean isBlank(String s) {
        return s == null || s.isEmpty();
    }
}
