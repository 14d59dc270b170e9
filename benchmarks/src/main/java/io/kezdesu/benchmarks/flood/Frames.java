package io.kezdesu.benchmarks.flood;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.ThreadLocalRandom;

/**
 * WebSocket frames written by hand (RFC 6455 §5.2), so that they can break the rules a codec would enforce:
 * reserved bits, unknown opcodes, unmasked client frames, control frames too long or fragmented, lying lengths.
 */
final class Frames {

    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    private Frames() {
    }

    /** A client frame as the RFC wants it: masked, RSV bits clear. */
    static void write(ByteBuf out, boolean fin, int opcode, byte[] payload) {
        write(out, fin, 0, opcode, payload, true);
    }

    /** @param rsv the three reserved bits (0–7), which no extension we negotiated may set */
    static void write(ByteBuf out, boolean fin, int rsv, int opcode, byte[] payload, boolean masked) {
        out.writeByte((fin ? 0x80 : 0) | (rsv & 7) << 4 | (opcode & 0x0F));
        header(out, masked, payload.length);
        if (!masked) {
            out.writeBytes(payload);
            return;
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        out.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            out.writeByte(payload[i] ^ mask[i & 3]);
        }
    }

    /** A frame whose 64-bit length has its top bit set (forbidden by §5.2) or is simply far beyond any limit. */
    static void hugeLength(ByteBuf out, long length) {
        out.writeByte(0x80 | TEXT);
        out.writeByte(0x80 | 127);
        out.writeLong(length);
        out.writeInt(ThreadLocalRandom.current().nextInt());
        out.writeBytes(new byte[16]);
    }

    /** A close frame with code (and reason bytes, which need not be UTF-8); code < 0 writes one byte only. */
    static void close(ByteBuf out, int code, byte[] reason) {
        byte[] payload;
        if (code < 0) {
            payload = new byte[] {0x03};
        } else {
            payload = new byte[2 + reason.length];
            payload[0] = (byte) (code >> 8);
            payload[1] = (byte) code;
            System.arraycopy(reason, 0, payload, 2, reason.length);
        }
        write(out, true, CLOSE, payload);
    }

    private static void header(ByteBuf out, boolean masked, int length) {
        int mask = masked ? 0x80 : 0;
        if (length < 126) {
            out.writeByte(mask | length);
        } else if (length < 65536) {
            out.writeByte(mask | 126);
            out.writeShort(length);
        } else {
            out.writeByte(mask | 127);
            out.writeLong(length);
        }
    }

    /**
     * Reads one server frame (unmasked, as servers send) from {@code in} if it is whole: returns its opcode and
     * leaves the payload in {@code payload}, or returns -1 and leaves {@code in} as it was.
     */
    static int read(ByteBuf in, byte[][] payload) {
        if (in.readableBytes() < 2) {
            return -1;
        }
        int start = in.readerIndex();
        int b0 = in.getUnsignedByte(start);
        int b1 = in.getUnsignedByte(start + 1);
        long length = b1 & 0x7F;
        int header = 2;
        if (length == 126) {
            if (in.readableBytes() < 4) {
                return -1;
            }
            length = in.getUnsignedShort(start + 2);
            header = 4;
        } else if (length == 127) {
            if (in.readableBytes() < 10) {
                return -1;
            }
            length = in.getLong(start + 2);
            header = 10;
        }
        if ((b1 & 0x80) != 0) {
            header += 4; // a masked server frame is itself a violation; read it anyway
        }
        if (length < 0 || length > (1 << 24) || in.readableBytes() < header + length) {
            return length < 0 || length > (1 << 24) ? -2 : -1;
        }
        payload[0] = new byte[(int) length];
        in.getBytes(start + header, payload[0]);
        in.readerIndex(start + header + (int) length);
        return b0 & 0x0F;
    }
}
