package io.kezdesu.relay.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Frames a TCP/TLS byte stream into STUN messages (20-byte header + length) and ChannelData messages (4-byte header
 * + length, padded to a multiple of four on streams, RFC 8656 §12.5). Anything else cannot be resynchronised, so
 * the connection is closed — that client's allocation only.
 */
final class StreamFrameDecoder extends ByteToMessageDecoder {

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < 4) {
            return;
        }
        int first = in.getUnsignedByte(in.readerIndex()) & 0xC0;
        int length = in.getUnsignedShort(in.readerIndex() + 2);
        int frame;
        if (first == 0x00) {
            frame = 20 + length;
        } else if (first == 0x40) {
            frame = 4 + ((length + 3) & ~3);
        } else {
            in.skipBytes(in.readableBytes());
            ctx.close();
            return;
        }
        if (in.readableBytes() < frame) {
            return;
        }
        out.add(in.readRetainedSlice(frame));
    }
}
