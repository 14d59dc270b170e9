package io.kezdesu.signaling.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * First in a TLS pipeline: when the first bytes are a TLS record it steps aside for the {@link SslHandler}; when they
 * are plain text (someone typed http:// for an https:// server) it answers one plain 400 that says to use https,
 * as nginx does, instead of a connection that ends without a word ("Empty reply from server"). When TURN shares the
 * port, a plain STUN message goes on unencrypted: TURN over TCP.
 */
final class TlsOrPlainHint extends ByteToMessageDecoder {

    /** A TLS record header is 5 bytes; fewer cannot be told apart. */
    private static final int RECORD_HEADER = 5;
    private static final String HINT = "This port speaks HTTPS: use https:// instead of http:// here.\n";
    private static final byte[] PLAIN_ANSWER = ("HTTP/1.1 400 Bad Request\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\n"
            + "Connection: close\r\n"
            + "Content-Length: " + HINT.length() + "\r\n\r\n" + HINT).getBytes(StandardCharsets.US_ASCII);

    /** The certificate in use now: a renewed one is picked up by new connections. */
    private final java.util.function.Supplier<SslContext> ssl;
    /** Whether plain TURN (a STUN message first) is let through: TURN over TCP when TURN shares this port. */
    private final boolean plainTurn;

    TlsOrPlainHint(java.util.function.Supplier<SslContext> ssl, boolean plainTurn) {
        this.ssl = ssl;
        this.plainTurn = plainTurn;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < RECORD_HEADER) {
            return;
        }
        if (SslHandler.isEncrypted(in, false)) {
            ctx.pipeline().replace(this, "tls", ssl.get().newHandler(ctx.alloc()));
            return;
        }
        if (plainTurn && !TurnOrHttp.cannotBeStun(in)) {
            if (in.readableBytes() < 8) {
                return;
            }
            if (TurnOrHttp.startsLikeStun(in)) {
                ctx.pipeline().remove(this);
                return;
            }
        }
        in.skipBytes(in.readableBytes());
        ctx.writeAndFlush(Unpooled.wrappedBuffer(PLAIN_ANSWER)).addListener(ChannelFutureListener.CLOSE);
    }
}
