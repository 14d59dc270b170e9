package io.kezdesu.signaling.http;

import io.kezdesu.common.ratelimit.ConnectionBudget;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandler;
import java.util.List;

/**
 * On a port that HTTPS shares with TURN, right after TLS: tells a TURN client from an HTTP one by what it negotiated
 * or sent first, and hands TURN clients to the relay. A connection is TURN when it negotiated ALPN {@code stun.turn}
 * (RFC 7443), or when its first bytes are a STUN message: two zero bits, then the magic cookie at bytes 4–7 (RFC 8489
 * §5), whatever else it negotiated (coturn's client offers "http/1.1" too). Its first message cannot be ChannelData,
 * which needs a channel bound by an earlier request. Everything else is HTTP, decided on the first byte (a method's
 * first letter), so HTTP waits for nothing.
 */
final class TurnOrHttp extends ByteToMessageDecoder {

    private static final int MAGIC_COOKIE = 0x2112A442;
    private static final int COOKIE_END = 8;
    /** What the HTTP pipeline has after this handler; a TURN connection does without them. */
    private static final List<String> HTTP_HANDLERS = List.of("idle", "request-deadline", "codec", "hsts",
            "aggregator", "request-complete", "one-at-a-time", "ws-upgrade", "peerjs-upgrade", "api", "idle-close");

    private final TurnOnHttpsPort turn;
    private final ConnectionBudget.Place place;

    TurnOrHttp(TurnOnHttpsPort turn, ConnectionBudget.Place place) {
        this.turn = turn;
        this.place = place;
    }

    /** Whether {@code in} (at least 8 bytes) starts like a STUN message. */
    static boolean startsLikeStun(ByteBuf in) {
        return (in.getUnsignedByte(in.readerIndex()) & 0xC0) == 0
                && in.getInt(in.readerIndex() + 4) == MAGIC_COOKIE;
    }

    /** Whether the first byte already rules STUN out (an HTTP method starts with a capital letter). */
    static boolean cannotBeStun(ByteBuf in) {
        return (in.getUnsignedByte(in.readerIndex()) & 0xC0) != 0;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        SslHandler tls = ctx.pipeline().get(SslHandler.class);
        String alpn = tls == null ? null : tls.applicationProtocol();
        boolean isTurn;
        if (TurnOnHttpsPort.ALPN_TURN.equals(alpn)) {
            isTurn = true;
        } else if (!in.isReadable() || cannotBeStun(in)) {
            isTurn = false;
        } else if (in.readableBytes() < COOKIE_END) {
            return;
        } else {
            isTurn = startsLikeStun(in);
        }
        ChannelPipeline p = ctx.pipeline();
        if (isTurn) {
            for (String name : HTTP_HANDLERS) {
                if (p.get(name) != null) {
                    p.remove(name);
                }
            }
            turn.adopt(ctx.channel(), tls != null, place);
        }
        // Leaving passes what was read on, to HTTP's codec or to TURN's framing.
        p.remove(this);
    }
}
