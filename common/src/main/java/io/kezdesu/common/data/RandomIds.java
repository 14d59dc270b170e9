package io.kezdesu.common.data;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Random identifiers and one-time secrets as URL-safe Base64 (no padding) that never begin with {@code -} or
 * {@code _}: an id that starts with a dash reads as an option on a command line ({@code kezdesu rooms show -x…}) and
 * as a formula in a spreadsheet that opens a report.
 */
public final class RandomIds {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private RandomIds() {
    }

    /** {@code bytes} random bytes, encoded; the first character is a letter or a digit. */
    public static String next(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return encode(b);
    }

    /** Encodes as {@link #next} does; visible so the first-character rule can be tested on every leading byte. */
    static String encode(byte[] b) {
        if ((b[0] & 0xFF) >>> 2 >= 62) {
            b[0] &= 0x7F; // the first sextet 62 or 63 ('-', '_') becomes 30 or 31 ('e', 'f')
        }
        return ENCODER.encodeToString(b);
    }
}
