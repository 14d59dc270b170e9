package io.kezdesu.signaling.ws;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;

/**
 * What both WebSocket endpoints (signaling and PeerJS) do about a client that sends faster than it reads: every write
 * is refused past {@link #MAX_PENDING_BYTES} queued for the client, and the caller drops the client rather than
 * buffer for it forever. Pongs included: a ping is answered only while the client reads (RFC 6455 §5.5.3 lets an
 * endpoint answer only the most recent of several pings, so answering none to a client that reads nothing is within
 * the protocol), and pings count in the connection's rate limit like any message.
 */
public final class SocketLimits {

    /** A client that does not read: past this many queued bytes it is dropped rather than buffered forever. */
    public static final long MAX_PENDING_BYTES = 8L << 20;

    private SocketLimits() {
    }

    /** Whether more than {@link #MAX_PENDING_BYTES} wait to be sent to this client. */
    public static boolean backedUp(Channel ch) {
        ChannelOutboundBuffer pending = ch.unsafe().outboundBuffer();
        return pending != null && pending.totalPendingWriteBytes() > MAX_PENDING_BYTES;
    }

    /** Answers {@code ping} unless the client is backed up; false then, and the caller drops the client. */
    public static boolean pong(Channel ch, PingWebSocketFrame ping) {
        if (backedUp(ch)) {
            return false;
        }
        ch.writeAndFlush(new PongWebSocketFrame(ping.content().retain()), ch.voidPromise());
        return true;
    }
}
