package io.kezdesu.signaling.ws;

import io.kezdesu.signaling.account.User;
import io.kezdesu.signaling.metrics.SignalingMetrics;
import io.kezdesu.signaling.protocol.MessageDecoder;
import io.kezdesu.signaling.protocol.ProtocolException;
import io.kezdesu.signaling.protocol.ServerMessages;
import io.kezdesu.signaling.protocol.SignalingError;
import io.kezdesu.signaling.room.RoomService;
import io.kezdesu.signaling.session.Connection;
import io.kezdesu.signaling.session.Forwarder;
import io.kezdesu.signaling.session.Revocation;
import io.kezdesu.signaling.session.SocketSession;
import io.kezdesu.signaling.session.UserSockets;
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
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One signaling connection after the upgrade: frames in, {@link SocketSession} dispatch, errors out. Enforces the
 * socket's limits: message size (error, then close 1009), a per-connection rate (error, then close 1008), binary
 * frames refused with an error, and liveness: a ping every third of the heartbeat timeout, and a connection that sends
 * nothing at all (not even a pong) for the whole timeout gets a close frame (1001) and is dropped. A bad message never
 * closes the connection. When the login it was opened with stops holding (password change or reset, account disabled)
 * it leaves its room at once and is closed with 4401 or 4403.
 */
final class SignalingSocketHandler extends SimpleChannelInboundHandler<WebSocketFrame>
        implements Connection, UserSockets.Revocable {

    private static final Logger LOG = LoggerFactory.getLogger(SignalingSocketHandler.class);
    /** Messages waiting for this connection's event loop; beyond it the client is not keeping up and is dropped. */
    private static final int MAX_OUTBOX = 4096;

    private final User user;
    private final String requestHost;
    private final RoomService rooms;
    private final SignalingMetrics metrics;
    private final WebSocketSettings settings;
    private final UserSockets sockets;
    private final TokenBucket rate;
    private Channel channel;
    private SocketSession session;
    private ScheduledFuture<?> heartbeat;
    private final Forwarder forwarder;
    private long lastReadNanos;
    /** Why the server dropped this connection, if it did: the participant then leaves without a resume grace. */
    private volatile String dropReason;
    /** Our close frame is out: inbound data is discarded until the client's close frame (or the wait) ends it. */
    private volatile boolean closing;
    /**
     * Messages for this socket from any thread, written in order by the event loop: one task and one flush for a
     * whole burst instead of one per message, and a write made on the loop itself never overtakes messages other
     * threads queued before it (a "joined" must never arrive after a later "peer-joined").
     */
    private final java.util.concurrent.ConcurrentLinkedQueue<Object> outbox =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicInteger outboxSize = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicBoolean drainScheduled =
            new java.util.concurrent.atomic.AtomicBoolean();
    /** Set while a flush of messages written directly on this channel's own loop is pending (loop-confined). */
    private boolean flushQueued;
    private final Runnable flush = this::flushDirect;

    SignalingSocketHandler(User user, String requestHost, RoomService rooms, SignalingMetrics metrics,
                           WebSocketSettings settings, UserSockets sockets, Forwarder forwarder) {
        this.forwarder = forwarder;
        this.user = user;
        this.sockets = sockets;
        this.requestHost = requestHost;
        this.rooms = rooms;
        this.metrics = metrics;
        this.settings = settings;
        this.rate = new TokenBucket(settings.messagesPerSecond(), 2L * settings.messagesPerSecond());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        session = new SocketSession(user, this, requestHost, rooms, forwarder);
        metrics.sessions.inc();
        lastReadNanos = System.nanoTime();
        long period = Math.max(100, settings.heartbeatTimeout().toMillis() / 3);
        heartbeat = ctx.executor().scheduleAtFixedRate(() -> beat(ctx), period, period, TimeUnit.MILLISECONDS);
        // The account may have changed since its token was checked; the registry knows, and then refuses it.
        sockets.add(user, this).ifPresent(this::revoked);
    }

    @Override
    public void revoke(Revocation why) {
        channel.eventLoop().execute(() -> revoked(why));
    }

    private void revoked(Revocation why) {
        if (closing || !channel.isActive()) {
            return;
        }
        LOG.info("{}: closing: {}", describe(), why);
        // Out of its room now, with no resume grace: the login that put it there no longer holds. A join still in
        // flight finds the session closed and admits nothing.
        dropReason = "disconnected";
        session.closed(Optional.of(dropReason));
        // PROTOCOL.md's close codes: 4000 + the HTTP status the same token now gets from the API.
        close(switch (why) {
            case TOKEN_REVOKED -> 4401;
            case ACCOUNT_DISABLED -> 4403;
        }, switch (why) {
            case TOKEN_REVOKED -> "token revoked by a password change; log in again";
            case ACCOUNT_DISABLED -> "account disabled";
        });
    }

    private void beat(ChannelHandlerContext ctx) {
        if (closing) {
            return;
        }
        if (System.nanoTime() - lastReadNanos >= settings.heartbeatTimeout().toNanos()) {
            dropReason = "timeout";
            // Through the outbox like every close, so the frame goes out before TCP does (closing here at once
            // dropped the connection with the frame still queued: clients saw 1006, not 1001). A peer silent this
            // long will not answer our close frame, so there is nothing to wait for.
            enqueue(new Closing(new CloseWebSocketFrame(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE.code(),
                    "heartbeat timeout"), false));
        } else {
            ctx.writeAndFlush(new PingWebSocketFrame());
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        lastReadNanos = System.nanoTime();
        if (closing) {
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
        if (!rate.tryTake(System.nanoTime())) {
            error(SignalingError.RATE_LIMITED, "more than " + settings.messagesPerSecond()
                    + " messages per second", Optional.empty());
            dropReason = "disconnected";
            close(WebSocketCloseStatus.POLICY_VIOLATION.code(), "rate limit exceeded");
            return;
        }
        if (frame instanceof PongWebSocketFrame) {
            return;
        }
        if (frame instanceof PingWebSocketFrame ping) {
            if (!SocketLimits.pong(ctx.channel(), ping)) {
                dropNonReader();
            }
            return;
        }
        if (frame instanceof BinaryWebSocketFrame) {
            error(SignalingError.BAD_REQUEST, "binary frames are not supported; send JSON text", Optional.empty());
            return;
        }
        if (!ByteBufUtil.isText(frame.content(), StandardCharsets.UTF_8)) {
            // RFC 6455 §8.1: a text frame that is not UTF-8 fails the connection (1007). Decoded with replacement
            // characters it was relayed, and a peer got an offer that was not what its sender sent.
            error(SignalingError.BAD_REQUEST, "text frame is not UTF-8", Optional.empty());
            dropReason = "disconnected";
            close(WebSocketCloseStatus.INVALID_PAYLOAD_DATA.code(), "text frame is not UTF-8");
            return;
        }
        byte[] utf8 = ByteBufUtil.getBytes(frame.content());
        if (session.forward(utf8)) {
            return; // the room lives on another node, which reads and answers the message as it is
        }
        try {
            session.handle(MessageDecoder.decode(utf8));
        } catch (ProtocolException e) {
            error(e.error(), e.getMessage(), typeOf(utf8));
        } catch (RuntimeException e) {
            LOG.warn("{}: message failed", describe(), e);
            error(SignalingError.INTERNAL, "internal error", typeOf(utf8));
        }
    }

    /** The type a refused message named, for the error's {@code re}. */
    private static Optional<String> typeOf(byte[] utf8) {
        return MessageDecoder.typeOf(new String(utf8, StandardCharsets.UTF_8));
    }

    private void error(SignalingError code, String message, Optional<String> re) {
        metrics.protocolErrors.labelValues(code.code()).inc();
        send(ServerMessages.error(code, message, re));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof CorruptedWebSocketFrameException || cause instanceof TooLongFrameException) {
            boolean tooBig = cause instanceof TooLongFrameException
                    || String.valueOf(cause.getMessage()).contains("Max frame length");
            if (tooBig) {
                error(SignalingError.TOO_BIG, "message over " + settings.maxMessageSize() + " bytes", Optional.empty());
                dropReason = "disconnected";
                close(WebSocketCloseStatus.MESSAGE_TOO_BIG.code(), "message too big");
            } else {
                error(SignalingError.BAD_REQUEST, "malformed WebSocket frame", Optional.empty());
                dropReason = "disconnected";
                close(WebSocketCloseStatus.PROTOCOL_ERROR.code(), "protocol error");
            }
            return;
        }
        LOG.debug("{}: closing: {}", describe(), cause.toString());
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        heartbeat.cancel(false);
        sockets.remove(user.id(), this);
        metrics.sessions.dec();
        session.closed(Optional.ofNullable(dropReason));
        super.channelInactive(ctx);
    }

    // --- Connection ------------------------------------------------------------------------------------------------

    @Override
    public void send(String json) {
        sendText(json);
    }

    @Override
    public void send(byte[] json) {
        sendText(json);
    }

    /** {@code json}: a String or UTF-8 bytes. */
    private void sendText(Object json) {
        Channel ch = channel;
        if (ch == null || !ch.isActive()) {
            return;
        }
        if (SocketLimits.backedUp(ch) || outboxSize.get() > MAX_OUTBOX) {
            dropNonReader();
            return;
        }
        if (ch.eventLoop().inEventLoop() && outbox.isEmpty()) {
            // On this channel's own loop with nothing queued before it (what other threads queued is written by
            // now, or comes after this): written at once and flushed once after this round of I/O, instead of a
            // task and a flush per message. After our close frame nothing more goes out.
            if (!closing) {
                ch.write(frame(json), ch.voidPromise());
                if (!flushQueued) {
                    flushQueued = true;
                    ch.eventLoop().execute(flush);
                }
            }
            return;
        }
        enqueue(json);
    }

    private static TextWebSocketFrame frame(Object json) {
        return json instanceof byte[] utf8 ? new TextWebSocketFrame(Unpooled.wrappedBuffer(utf8))
                : new TextWebSocketFrame((String) json);
    }

    private void flushDirect() {
        flushQueued = false;
        channel.flush();
    }

    private void dropNonReader() {
        LOG.info("{}: dropping a client that does not read", describe());
        dropReason = "disconnected";
        channel.close();
    }

    private void enqueue(Object message) {
        outbox.add(message);
        outboxSize.incrementAndGet();
        if (drainScheduled.compareAndSet(false, true)) {
            channel.eventLoop().execute(this::drain);
        }
    }

    private void drain() {
        drainScheduled.set(false);
        Channel ch = channel;
        if (closing) {
            outbox.clear(); // our close frame is out: nothing follows it
            return;
        }
        boolean wrote = false;
        Object next;
        while ((next = outbox.poll()) != null) {
            outboxSize.decrementAndGet();
            if (!(next instanceof Closing)) {
                ch.write(frame(next), ch.voidPromise());
                wrote = true;
            } else {
                Closing close = (Closing) next;
                closing = true;
                if (!close.awaitPeer()) {
                    ch.writeAndFlush(close.frame()).addListener(ChannelFutureListener.CLOSE);
                    outbox.clear();
                    return;
                }
                CloseHandshake.start(ch, close.frame());
                outbox.clear();
                return;
            }
        }
        if (wrote) {
            ch.flush();
        }
    }

    @Override
    public void close(int code, String reason) {
        Channel ch = channel;
        if (ch != null && ch.isActive()) {
            enqueue(new Closing(new CloseWebSocketFrame(code, reason), true));
        }
    }

    /** Our close frame, queued behind the messages before it; {@code awaitPeer}: wait for the client's answer. */
    private record Closing(CloseWebSocketFrame frame, boolean awaitPeer) {
    }

    @Override
    public boolean isOpen() {
        Channel ch = channel;
        return ch != null && ch.isActive();
    }

    @Override
    public String describe() {
        Channel ch = channel;
        return "ws " + (ch == null ? "?" : ch.id().asShortText() + " " + ch.remoteAddress()) + " user " + user.id();
    }
}
