package io.kezdesu.relay.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class StreamFrameDecoderTest {

    @Test
    void framesStunAndPaddedChannelDataAcrossArbitrarySplits() {
        ByteBuf stream = Unpooled.buffer();
        stream.writeShort(0x0001).writeShort(4).writeInt(0x2112A442).writeZero(12).writeInt(0xCAFEBABE); // STUN, 24
        stream.writeShort(0x4000).writeShort(5).writeBytes(new byte[] {1, 2, 3, 4, 5}).writeZero(3); // ChannelData, 12
        stream.writeShort(0x4001).writeShort(0); // empty ChannelData, 4
        for (int split = 1; split < stream.readableBytes(); split++) {
            EmbeddedChannel ch = new EmbeddedChannel(new StreamFrameDecoder());
            ByteBuf copy = stream.copy();
            ch.writeInbound(copy.readRetainedSlice(split));
            ch.writeInbound(copy.readRetainedSlice(copy.readableBytes()));
            copy.release();
            assertFrame(ch, 24, 0x0001);
            assertFrame(ch, 12, 0x4000);
            assertFrame(ch, 4, 0x4001);
            assertNull(ch.readInbound());
            assertFalse(ch.finish());
        }
        stream.release();
    }

    @Test
    void bytesThatAreNeitherCloseTheConnection() {
        EmbeddedChannel ch = new EmbeddedChannel(new StreamFrameDecoder());
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte) 0x80, 0, 0, 0, 1, 2, 3}));
        assertNull(ch.readInbound());
        assertFalse(ch.isOpen());
        assertFalse(ch.finish());
    }

    private static void assertFrame(EmbeddedChannel ch, int length, int firstShort) {
        ByteBuf frame = ch.readInbound();
        try {
            assertEquals(length, frame.readableBytes());
            assertEquals(firstShort, frame.getUnsignedShort(frame.readerIndex()));
        } finally {
            frame.release();
        }
    }
}
