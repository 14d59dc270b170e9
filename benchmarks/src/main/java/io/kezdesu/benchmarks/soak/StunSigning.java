package io.kezdesu.benchmarks.soak;

import static io.kezdesu.relay.stun.StunTypes.*;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The one request the relay's codec cannot encode for a client: ChannelBind, whose CHANNEL-NUMBER (RFC 8656 §14.1) has
 * no client-side attribute there. Appends it to an unsigned message, then MESSAGE-INTEGRITY (RFC 8489 §14.5) and
 * FINGERPRINT (§14.7), each computed over the message with the length field covering that attribute.
 */
final class StunSigning {

    private static final int FINGERPRINT_XOR = 0x5354554E;

    private StunSigning() {
    }

    static byte[] withChannelNumber(byte[] unsigned, int channel, byte[] key) {
        int at = unsigned.length;
        byte[] out = Arrays.copyOf(unsigned, at + 8 + 24 + 8);
        put16(out, at, ATTR_CHANNEL_NUMBER);
        put16(out, at + 2, 4);
        put16(out, at + 4, channel); // then RFFU, zero
        int mi = at + 8;
        put16(out, 2, mi + 24 - HEADER_LENGTH);
        byte[] mac = hmacSha1(key, Arrays.copyOf(out, mi));
        put16(out, mi, ATTR_MESSAGE_INTEGRITY);
        put16(out, mi + 2, 20);
        System.arraycopy(mac, 0, out, mi + 4, 20);
        int fp = mi + 24;
        put16(out, 2, fp + 8 - HEADER_LENGTH);
        CRC32 crc = new CRC32();
        crc.update(out, 0, fp);
        int value = (int) crc.getValue() ^ FINGERPRINT_XOR;
        put16(out, fp, ATTR_FINGERPRINT);
        put16(out, fp + 2, 4);
        put16(out, fp + 4, value >>> 16);
        put16(out, fp + 6, value);
        return out;
    }

    private static byte[] hmacSha1(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(key, "HmacSHA1"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void put16(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 8);
        b[i + 1] = (byte) v;
    }
}
