package io.kezdesu.relay.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.kezdesu.relay.ice4j.StunCodec;
import io.kezdesu.relay.stun.OutAttribute;
import io.kezdesu.relay.stun.StunMessage;
import io.kezdesu.relay.stun.StunTypes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Binding fast path answers exactly as the general path would, and leaves everything else to it. */
class FastBindingTest {

    private static final Random RANDOM = new Random(7);

    private static byte[] tid() {
        byte[] tid = new byte[12];
        RANDOM.nextBytes(tid);
        return tid;
    }

    private static byte[] request(byte[] tid, List<OutAttribute> attributes, boolean fingerprint) {
        return StunCodec.encode(StunTypes.type(StunTypes.BINDING, StunTypes.Kind.REQUEST), tid, attributes, null,
                fingerprint);
    }

    private static byte[] answer(byte[] request, InetSocketAddress client) {
        ByteBuf in = Unpooled.wrappedBuffer(request);
        ByteBuf out = FastBinding.answer(in, client, ByteBufAllocator.DEFAULT);
        if (out == null) {
            return null;
        }
        try {
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }

    @Test
    void answersWithTheBytesTheGeneralPathWouldSend() throws Exception {
        for (InetSocketAddress client : List.of(
                new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 54321),
                new InetSocketAddress(InetAddress.getByName("2001:db8::1:2"), 3478),
                new InetSocketAddress(InetAddress.getByName("203.0.113.250"), 1))) {
            for (boolean fingerprint : new boolean[] {false, true}) {
                byte[] tid = tid();
                byte[] req = request(tid, List.of(new OutAttribute.Software("test agent")), fingerprint);
                byte[] expected = StunCodec.encode(StunTypes.type(StunTypes.BINDING, StunTypes.Kind.SUCCESS), tid,
                        List.of(new OutAttribute.XorMappedAddress(client)), null, true);
                byte[] got = answer(req, client);
                assertNotNull(got, "a plain Binding takes the fast path");
                assertArrayEquals(expected, got, client + " fingerprint=" + fingerprint);
                // And the general decoder reads it back: the reflexive address and a valid FINGERPRINT.
                StunMessage decoded = StunCodec.decode(got, 0, got.length);
                assertEquals(StunTypes.Kind.SUCCESS, decoded.kind());
                assertArrayEquals(tid, decoded.transactionId());
            }
        }
    }

    @Test
    void leavesAnythingElseToTheDispatcher() throws Exception {
        InetSocketAddress client = new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 5000);
        byte[] good = request(tid(), List.of(), true);
        assertNotNull(answer(good, client));

        byte[] badFingerprint = good.clone();
        badFingerprint[badFingerprint.length - 1] ^= 1;
        assertNull(answer(badFingerprint, client), "a wrong FINGERPRINT");

        byte[] badCookie = good.clone();
        badCookie[4] ^= 1;
        assertNull(answer(badCookie, client), "no magic cookie");

        byte[] longer = java.util.Arrays.copyOf(good, good.length + 4);
        assertNull(answer(longer, client), "a length field that disagrees with the datagram");

        // CHANGE-REQUEST (comprehension-required): the dispatcher answers 420 or serves RFC 5780.
        ByteBuf changeRequest = Unpooled.buffer();
        changeRequest.writeShort(0x0001).writeShort(8).writeInt(0x2112A442).writeBytes(tid())
                .writeShort(0x0003).writeShort(4).writeInt(0x06);
        assertNull(answer(ByteBufUtil.getBytes(changeRequest), client), "a comprehension-required attribute");

        // An attribute that runs past the end.
        ByteBuf overrun = Unpooled.buffer();
        overrun.writeShort(0x0001).writeShort(8).writeInt(0x2112A442).writeBytes(tid())
                .writeShort(0x8022).writeShort(40).writeInt(0);
        assertNull(answer(ByteBufUtil.getBytes(overrun), client), "an attribute longer than the message");

        // FINGERPRINT that is not last.
        ByteBuf notLast = Unpooled.wrappedBuffer(good, new byte[] {(byte) 0x80, 0x22, 0, 0});
        byte[] notLastBytes = ByteBufUtil.getBytes(notLast);
        notLastBytes[3] = (byte) (notLastBytes[3] + 4);
        assertNull(answer(notLastBytes, client), "FINGERPRINT before another attribute");
    }
}
