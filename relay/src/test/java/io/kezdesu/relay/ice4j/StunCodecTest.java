package io.kezdesu.relay.ice4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kezdesu.relay.stun.MalformedStunException;
import io.kezdesu.relay.stun.OutAttribute;
import io.kezdesu.relay.stun.StunMessage;
import io.kezdesu.relay.stun.StunTypes;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** RFC 5769 test vectors through the ice4j adapter, plus a fuzz pass over the decoder. */
class StunCodecTest {

    private static final byte[] SHORT_TERM_KEY = "VOkJxbRl1RmTxUk/WvJxBt".getBytes(StandardCharsets.UTF_8);
    private static final byte[] TID = hex("b7e7a701bc34d686fa87dfae");

    /** RFC 5769 §2.1. */
    static final byte[] REQUEST = hex("000100582112a442b7e7a701bc34d686fa87dfae"
            + "802200105354554e207465737420636c69656e74" + "002400046e0001ff" + "80290008932ff9b151263b36"
            + "000600096576746a3a68367659202020" + "000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a2"
            + "80280004e57a3bcf");
    /** RFC 5769 §2.2. */
    static final byte[] RESPONSE_V4 = hex("0101003c2112a442b7e7a701bc34d686fa87dfae"
            + "8022000b7465737420766563746f7220" + "002000080001a147e112a643"
            + "000800142b91f599fd9e90c38c7489f92af9ba53f06be7d7" + "80280004c07d4c96");
    /** RFC 5769 §2.3. */
    static final byte[] RESPONSE_V6 = hex("010100482112a442b7e7a701bc34d686fa87dfae"
            + "8022000b7465737420766563746f7220" + "002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d9"
            + "00080014a382954e4be67bf11784c97c8292c275bfe3ed41" + "80280004c8fb0b4c");
    /** RFC 5769 §2.4: long-term credentials. */
    static final byte[] REQUEST_LONG_TERM = hex("000100602112a44278ad3433c6ad72c029da412e"
            + "00060012e3839ee38388e383aae38383e382afe382b90000"
            + "0015001c662f2f3439396b393534643" + "64f4c33346f4c394653547679363473410"
            + "014000b6578616d706c652e6f726700" + "00080014f67024656dd64a3e02b8e0712e85c9a28ca89666");

    @Test
    void sampleRequestDecodesAndVerifies() throws Exception {
        StunMessage m = StunCodec.decode(REQUEST, 0, REQUEST.length);
        assertEquals(StunTypes.BINDING, m.method());
        assertEquals(StunTypes.Kind.REQUEST, m.kind());
        assertArrayEquals(TID, m.transactionId());
        assertEquals("evtj:h6vY", m.username());
        assertEquals(List.of(0x0024), m.unknownRequired(), "PRIORITY is ICE's, not the relay's");
        assertTrue(StunCodec.checkIntegrity(m, SHORT_TERM_KEY));
        assertFalse(StunCodec.checkIntegrity(m, "wrong".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void sampleResponsesVerifyAndOurEncodingOfTheirAddressesMatches() throws Exception {
        for (byte[] vector : List.of(RESPONSE_V4, RESPONSE_V6)) {
            StunMessage m = StunCodec.decode(vector, 0, vector.length);
            assertEquals(StunTypes.Kind.SUCCESS, m.kind());
            assertTrue(StunCodec.checkIntegrity(m, SHORT_TERM_KEY));
        }
        InetSocketAddress v4 = new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 32853);
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("2001:db8:1234:5678:11:2233:4455:6677"),
                32853);
        assertEncodesLike(RESPONSE_V4, v4);
        assertEncodesLike(RESPONSE_V6, v6);
    }

    /**
     * Re-encodes the vector's attributes; only SOFTWARE's padding differs (RFC 5769 pads with spaces, we with
     * zeros), so compare after patching it, then check MESSAGE-INTEGRITY and FINGERPRINT as computed by us.
     */
    private static void assertEncodesLike(byte[] vector, InetSocketAddress mapped) throws Exception {
        byte[] ours = StunCodec.encode(0x0101, TID, List.of(new OutAttribute.Software("test vector"),
                new OutAttribute.XorMappedAddress(mapped)), SHORT_TERM_KEY, true);
        byte[] expected = vector.clone();
        expected[35] = 0; // SOFTWARE padding byte
        assertEquals(expected.length, ours.length);
        byte[] head = java.util.Arrays.copyOf(ours, ours.length - 32);
        assertArrayEquals(java.util.Arrays.copyOf(expected, expected.length - 32), head);
        StunMessage decoded = StunCodec.decode(ours, 0, ours.length);
        assertTrue(StunCodec.checkIntegrity(decoded, SHORT_TERM_KEY));
    }

    @Test
    void longTermRequestVerifiesWithTheMd5Key() throws Exception {
        StunMessage m = StunCodec.decode(REQUEST_LONG_TERM, 0, REQUEST_LONG_TERM.length);
        assertEquals("\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9", m.username());
        assertEquals("example.org", m.realm());
        assertEquals("f//499k954d6OL34oL9FSTvy64sA", m.nonce());
        assertTrue(StunCodec.checkIntegrity(m, StunCodec.longTermKey(m.username(), "example.org", "TheMatrIX")));
    }

    @Test
    void badFingerprintAndBadFramingAreMalformed() {
        byte[] broken = REQUEST.clone();
        broken[broken.length - 1] ^= 1;
        assertThrows(MalformedStunException.class, () -> StunCodec.decode(broken, 0, broken.length));
        assertThrows(MalformedStunException.class, () -> StunCodec.decode(REQUEST, 0, REQUEST.length - 4));
        byte[] noCookie = REQUEST.clone();
        noCookie[4] = 0;
        assertThrows(MalformedStunException.class, () -> StunCodec.decode(noCookie, 0, noCookie.length));
    }

    @Test
    void severalPeerAddressesSurviveDecoding() throws Exception {
        InetSocketAddress a = new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 1000);
        InetSocketAddress b = new InetSocketAddress(InetAddress.getByName("192.0.2.2"), 2000);
        byte[] m = StunCodec.encode(StunTypes.type(StunTypes.CREATE_PERMISSION, StunTypes.Kind.REQUEST), TID,
                List.of(new OutAttribute.XorPeerAddress(a), new OutAttribute.XorPeerAddress(b)), null, false);
        assertEquals(List.of(a, b), StunCodec.decode(m, 0, m.length).peerAddresses());
    }

    @Test
    void addressFamiliesOfADualAllocateAreRead() throws Exception {
        // REQUESTED-TRANSPORT UDP, ADDITIONAL-ADDRESS-FAMILY IPv6 (0x8000, comprehension-optional, so read by hand).
        byte[] m = hex("000300102112a442b7e7a701bc34d686fa87dfae" + "0019000411000000" + "8000000402000000");
        StunMessage decoded = StunCodec.decode(m, 0, m.length);
        assertEquals(java.util.OptionalInt.of(2), decoded.additionalFamily());
        assertTrue(decoded.requestedFamily().isEmpty());
        assertTrue(decoded.unknownRequired().isEmpty());
    }

    @Test
    void addressErrorCodeIsFamilyReservedClassNumberReason() {
        byte[] m = StunCodec.encode(StunTypes.type(StunTypes.ALLOCATE, StunTypes.Kind.SUCCESS), TID,
                List.of(new OutAttribute.AddressErrorCode(StunTypes.FAMILY_IPV6, 440, "Address Family not Supported"),
                        new OutAttribute.Lifetime(600)), null, false);
        // 4 + 28 reason bytes = 32, already a multiple of 4; LIFETIME follows at once.
        assertEquals("80010020" + "02000428" + HexFormat.of().formatHex(
                "Address Family not Supported".getBytes(StandardCharsets.UTF_8)) + "000d000400000258",
                HexFormat.of().formatHex(m, 20, m.length));
        byte[] odd = StunCodec.encode(StunTypes.type(StunTypes.ALLOCATE, StunTypes.Kind.SUCCESS), TID,
                List.of(new OutAttribute.AddressErrorCode(StunTypes.FAMILY_IPV4, 508, "x")), null, false);
        assertEquals("80010005" + "01000508" + "78000000", HexFormat.of().formatHex(odd, 20, odd.length));
        assertEquals(12, ((odd[2] & 0xFF) << 8) | (odd[3] & 0xFF), "the header length counts the padding");
    }

    @Test
    void fuzzedInputEitherDecodesOrIsMalformed() {
        Random random = new Random(5769);
        for (int i = 0; i < 20_000; i++) {
            byte[] m = (i % 2 == 0 ? REQUEST : REQUEST_LONG_TERM).clone();
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                m[20 + random.nextInt(m.length - 20)] = (byte) random.nextInt(256);
            }
            try {
                StunCodec.decode(m, 0, m.length);
            } catch (MalformedStunException expected) {
                // fine: dropped silently by the server
            }
        }
    }

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }
}
