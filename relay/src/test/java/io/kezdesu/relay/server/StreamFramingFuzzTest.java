package io.kezdesu.relay.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

/**
 * TURN over TCP/TLS framing (STUN and padded ChannelData, RFC 8656 §12.5) on an arbitrary byte stream cut into
 * arbitrary reads: every frame handed on is whole and as long as its header says, and anything unframeable closes
 * the connection, never throws.
 */
class StreamFramingFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void framesAreWholeOrTheConnectionCloses(FuzzedDataProvider in) {
        EmbeddedChannel ch = new EmbeddedChannel(new StreamFrameDecoder());
        while (in.remainingBytes() > 0 && ch.isOpen()) {
            byte[] chunk = in.consumeBytes(in.consumeInt(1, 2048));
            ch.writeInbound(Unpooled.wrappedBuffer(chunk));
            ByteBuf frame;
            while ((frame = ch.readInbound()) != null) {
                try {
                    int first = frame.getUnsignedByte(0) & 0xC0;
                    int length = frame.getUnsignedShort(2);
                    if (first == 0x00) {
                        assertEquals(20 + length, frame.readableBytes());
                    } else {
                        assertEquals(0x40, first);
                        assertEquals(4 + ((length + 3) & ~3), frame.readableBytes());
                    }
                } finally {
                    frame.release();
                }
            }
        }
        ch.finishAndReleaseAll();
    }
}
