package io.kezdesu.relay.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.kezdesu.relay.ice4j.StunCodec;
import io.kezdesu.relay.stun.MalformedStunException;
import io.kezdesu.relay.stun.StunMessage;
import java.nio.ByteBuffer;

/**
 * The STUN/TURN decoder on arbitrary bytes (every datagram an attacker sends to the relay's port that is not
 * ChannelData reaches it): it either decodes or says malformed, never fails otherwise, and what it decodes is what
 * the bytes say. Runs its corpus in every build; {@code scripts/fuzz} runs it as a fuzzer.
 */
class StunDecoderFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void decodesOrRefusesAsMalformed(byte[] data) {
        StunMessage m;
        try {
            m = StunCodec.decode(data, 0, data.length);
        } catch (MalformedStunException expected) {
            return; // answered 400 or dropped, as RFC 8489 §6.3 says
        }
        // A message decoded from these bytes has their header: 20 bytes plus the declared length, type, cookie.
        assertTrue(data.length >= 20, "decoded from " + data.length + " bytes");
        assertEquals(((data[2] & 0xFF) << 8 | data[3] & 0xFF) + 20, data.length);
        assertEquals((data[0] & 0xFF) << 8 | data[1] & 0xFF, m.type());
        assertArrayEquals(data, m.raw());
    }

    /**
     * The same past the header checks: a valid header (type, magic cookie, a length that fits) around fuzzed
     * attributes, so that the fuzzer spends its time in the attribute walk and the attribute decoders.
     */
    @FuzzTest(maxDuration = "10s")
    void attributesDecodeOrAreRefused(FuzzedDataProvider in) {
        int type = in.consumeInt(0, 0x3FFF);
        byte[] body = in.consumeRemainingAsBytes();
        int length = Math.min(body.length & ~3, 0xFFFC);
        ByteBuffer packet = ByteBuffer.allocate(20 + length).putShort((short) type).putShort((short) length)
                .putInt(0x2112A442).put(new byte[12]).put(body, 0, length);
        decodesOrRefusesAsMalformed(packet.array());
    }
}
