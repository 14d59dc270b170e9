package io.kezdesu.relay.server;

import io.kezdesu.relay.stun.StunTypes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.zip.CRC32;

/**
 * The common STUN Binding request over UDP answered straight from the datagram: an ICE agent's keepalive or
 * server-reflexive probe, with at most comprehension-optional attributes (SOFTWARE, FINGERPRINT, …). It is the
 * request a relay answers most, without authentication, so it gets no decoding into objects and no copies: the
 * header and attributes are checked in place and the success response (XOR-MAPPED-ADDRESS, FINGERPRINT: the same
 * bytes {@code StunCodec.encode} makes) is written into one pooled buffer.
 *
 * <p>Anything else (comprehension-required attributes such as CHANGE-REQUEST or MESSAGE-INTEGRITY, a malformed
 * attribute list, a wrong FINGERPRINT, RFC 5780 being served) goes the general way, through the dispatcher, which
 * answers or drops it as RFC 8489 says.
 */
final class FastBinding {

    private static final int HEADER = StunTypes.HEADER_LENGTH;
    private static final int MAGIC_COOKIE = StunTypes.MAGIC_COOKIE;
    private static final int REQUEST = StunTypes.type(StunTypes.BINDING, StunTypes.Kind.REQUEST);
    private static final int SUCCESS = StunTypes.type(StunTypes.BINDING, StunTypes.Kind.SUCCESS);
    /** RFC 8489 §14.7: the CRC-32 is XORed with this ("STUN"). */
    private static final int FINGERPRINT_XOR = 0x5354554E;

    private FastBinding() {
    }

    /** Whether the datagram starts as a Binding request: the only ones {@link #answer} may take. */
    static boolean isBindingRequest(ByteBuf in) {
        return in.readableBytes() >= HEADER && in.getUnsignedShort(in.readerIndex()) == REQUEST;
    }

    /**
     * The answer to {@code in} when it is a plain Binding request; null, having touched nothing, when it must go
     * the general way. The caller has checked the per-source Binding limit. Does not release {@code in}.
     */
    static ByteBuf answer(ByteBuf in, InetSocketAddress client, ByteBufAllocator alloc) {
        int at = in.readerIndex();
        int length = in.readableBytes();
        int body = in.getUnsignedShort(at + 2);
        if (in.getInt(at + 4) != MAGIC_COOKIE || body != length - HEADER || (body & 3) != 0) {
            return null;
        }
        int pos = at + HEADER;
        int end = at + length;
        while (pos < end) {
            if (end - pos < 4) {
                return null;
            }
            int type = in.getUnsignedShort(pos);
            int valueLength = in.getUnsignedShort(pos + 2);
            int next = pos + 4 + ((valueLength + 3) & ~3);
            if (type < 0x8000 || next > end) {
                return null; // comprehension-required or overrunning: the dispatcher decides
            }
            if (type == StunTypes.ATTR_FINGERPRINT) {
                // RFC 8489 §14.7: last, four bytes, and the CRC of everything before it.
                if (valueLength != 4 || next != end || in.getInt(pos + 4) != crc(in, at, pos - at)) {
                    return null;
                }
            }
            pos = next;
        }
        return response(in, at + 8, client, alloc);
    }

    /** The success response to the request whose transaction id starts at {@code tid} in {@code in}. */
    static ByteBuf response(ByteBuf in, int tid, InetSocketAddress client, ByteBufAllocator alloc) {
        boolean v4 = client.getAddress() instanceof Inet4Address;
        byte[] ip = client.getAddress().getAddress();
        int addressLength = v4 ? 8 : 20;
        int total = HEADER + 4 + addressLength + 8;
        ByteBuf out = alloc.directBuffer(total);
        out.writeShort(SUCCESS).writeShort(total - HEADER).writeInt(MAGIC_COOKIE).writeBytes(in, tid, 12);
        // RFC 8489 §14.2: port XOR the cookie's top half, address XOR the cookie (and the transaction id for IPv6).
        out.writeShort(StunTypes.ATTR_XOR_MAPPED_ADDRESS).writeShort(addressLength)
                .writeByte(0).writeByte(v4 ? 1 : 2).writeShort(client.getPort() ^ (MAGIC_COOKIE >>> 16));
        for (int i = 0; i < ip.length; i++) {
            out.writeByte(ip[i] ^ out.getByte(4 + i));
        }
        int crc = crc(out, 0, out.writerIndex());
        out.writeShort(StunTypes.ATTR_FINGERPRINT).writeShort(4).writeInt(crc);
        return out;
    }

    /**
     * FINGERPRINT's value over {@code length} bytes from {@code from}, the length field already counting the
     * FINGERPRINT attribute (as it does in both the request checked and the response written).
     */
    private static int crc(ByteBuf buf, int from, int length) {
        CRC32 crc = new CRC32();
        crc.update(buf.nioBuffer(from, length));
        return (int) crc.getValue() ^ FINGERPRINT_XOR;
    }
}
