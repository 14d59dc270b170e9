package io.kezdesu.signaling.peerjs;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The token rules of RFC 8259 over UTF-8 bytes, for {@link PeerEnvelope}: each {@code skip} method returns the index
 * just past its token, or {@code ~at} for a JSON error at {@code at} (never inside a character it accepted), or
 * {@link #NOT_UTF8} when a string holds bytes that are not UTF-8 (RFC 3629).
 */
final class JsonText {

    /** A string held a malformed, overlong, surrogate, out-of-range or truncated UTF-8 sequence. */
    static final int NOT_UTF8 = Integer.MIN_VALUE;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
    private static final byte[] NULL = {'n', 'u', 'l', 'l'};

    private JsonText() {
    }

    static int skipWhitespace(byte[] raw, int i, int n) {
        while (i < n) {
            int c = raw[i];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                break;
            }
            i++;
        }
        return i;
    }

    /** A string whose opening quote is just before {@code i}; only RFC 8259's escapes, no raw control characters. */
    static int skipString(byte[] raw, int i, int n) {
        for (;;) {
            int c;
            if (i + Long.BYTES <= n) {
                // Eight bytes at a time, jumping straight to the first quote, backslash, control or non-ASCII byte.
                long found = special((long) LONGS.get(raw, i));
                if (found == 0) {
                    i += Long.BYTES;
                    continue;
                }
                i += Long.numberOfTrailingZeros(found) >>> 3;
                c = raw[i];
            } else {
                while (i < n && (c = raw[i]) >= 0x20 && c != '"' && c != '\\') {
                    i++;
                }
                if (i == n) {
                    return ~n;
                }
                c = raw[i];
            }
            if (c == '"') {
                return i + 1;
            }
            if (c == '\\') {
                int e = i + 1 < n ? raw[i + 1] : -1;
                switch (e) {
                    case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> i += 2;
                    case 'u' -> {
                        if (i + 5 >= n || hex(raw[i + 2]) < 0 || hex(raw[i + 3]) < 0 || hex(raw[i + 4]) < 0
                                || hex(raw[i + 5]) < 0) {
                            return ~i;
                        }
                        i += 6;
                    }
                    default -> {
                        return ~i;
                    }
                }
            } else if (c < 0) {
                int next = utf8(raw, i, n);
                if (next < 0) {
                    return NOT_UTF8;
                }
                i = next;
            } else {
                return ~i;
            }
        }
    }

    /**
     * The high bit of each byte of {@code w} (little-endian) that is below 0x20, above 0x7F, a quote or a backslash.
     * Borrows can flag bytes above the first true one, never below it, so the lowest bit set is exact.
     */
    private static long special(long w) {
        long control = (w - 0x20 * ONES) & ~w;
        long quote = w ^ ('"' * ONES);
        long backslash = w ^ ('\\' * ONES);
        return (w | control | ((quote - ONES) & ~quote) | ((backslash - ONES) & ~backslash)) & HIGHS;
    }

    /** {@code -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?} starting at {@code i}. */
    static int skipNumber(byte[] raw, int i, int n) {
        if (raw[i] == '-') {
            i++;
        }
        if (i < n && raw[i] == '0') {
            i++;
        } else if (i < n && raw[i] >= '1' && raw[i] <= '9') {
            i = digits(raw, i + 1, n);
        } else {
            return ~i;
        }
        if (i < n && raw[i] == '.') {
            if (i + 1 == n || !digit(raw[i + 1])) {
                return ~(i + 1);
            }
            i = digits(raw, i + 1, n);
        }
        if (i < n && (raw[i] == 'e' || raw[i] == 'E')) {
            i++;
            if (i < n && (raw[i] == '+' || raw[i] == '-')) {
                i++;
            }
            if (i == n || !digit(raw[i])) {
                return ~i;
            }
            i = digits(raw, i, n);
        }
        return i;
    }

    /** {@code true}, {@code false} or {@code null} at {@code i}; the byte after is the caller's to judge. */
    static int skipLiteral(byte[] raw, int i, int n) {
        byte[] word = switch (raw[i]) {
            case 't' -> TRUE;
            case 'f' -> FALSE;
            case 'n' -> NULL;
            default -> null;
        };
        if (word == null || i + word.length > n) {
            return ~i;
        }
        for (int k = 1; k < word.length; k++) {
            if (raw[i + k] != word[k]) {
                return ~i;
            }
        }
        return i + word.length;
    }

    static boolean hasEscape(byte[] raw, int from, int to) {
        for (int i = from; i < to; i++) {
            if (raw[i] == '\\') {
                return true;
            }
        }
        return false;
    }

    /**
     * The value of the string body {@code raw[from, to)}, already checked by {@link #skipString}. Escapes of
     * surrogates stay as those UTF-16 units, paired or not, as in {@code JSON.parse}.
     */
    static String decode(byte[] raw, int from, int to) {
        int i = from;
        while (i < to && raw[i] >= 0 && raw[i] != '\\') {
            i++;
        }
        if (i == to) {
            return new String(raw, from, to - from, StandardCharsets.ISO_8859_1);
        }
        // No UTF-8 sequence or escape yields more UTF-16 units than it has bytes.
        char[] out = new char[to - from];
        int o = 0;
        i = from;
        while (i < to) {
            int c = raw[i];
            if (c == '\\') {
                int e = raw[i + 1];
                if (e == 'u') {
                    out[o++] = (char) (hex(raw[i + 2]) << 12 | hex(raw[i + 3]) << 8 | hex(raw[i + 4]) << 4
                            | hex(raw[i + 5]));
                    i += 6;
                } else {
                    out[o++] = switch (e) {
                        case 'b' -> '\b';
                        case 'f' -> '\f';
                        case 'n' -> '\n';
                        case 'r' -> '\r';
                        case 't' -> '\t';
                        default -> (char) e;
                    };
                    i += 2;
                }
            } else if (c >= 0) {
                out[o++] = (char) c;
                i++;
            } else if (c >= (byte) 0xF0) {
                int cp = (c & 0x07) << 18 | (raw[i + 1] & 0x3F) << 12 | (raw[i + 2] & 0x3F) << 6 | (raw[i + 3] & 0x3F);
                out[o++] = Character.highSurrogate(cp);
                out[o++] = Character.lowSurrogate(cp);
                i += 4;
            } else if (c >= (byte) 0xE0) {
                out[o++] = (char) ((c & 0x0F) << 12 | (raw[i + 1] & 0x3F) << 6 | (raw[i + 2] & 0x3F));
                i += 3;
            } else {
                out[o++] = (char) ((c & 0x1F) << 6 | (raw[i + 1] & 0x3F));
                i += 2;
            }
        }
        return new String(out, 0, o);
    }

    /** Whether {@code raw[from, to)} is UTF-8 as RFC 3629 defines it, {@code from} being the start of a character. */
    static boolean isUtf8(byte[] raw, int from, int to) {
        int i = from;
        while (i < to) {
            if (raw[i] >= 0) {
                i++;
            } else {
                i = utf8(raw, i, to);
                if (i < 0) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * The index past the multi-byte sequence at {@code i}, or -1 if it is a stray continuation byte, overlong, an
     * encoded surrogate (U+D800-DFFF), above U+10FFFF, or cut short (RFC 3629 section 4).
     */
    private static int utf8(byte[] raw, int i, int n) {
        int b0 = raw[i] & 0xFF;
        if (b0 < 0xC2) {
            return -1;
        }
        if (b0 < 0xE0) {
            return i + 1 < n && continuation(raw[i + 1]) ? i + 2 : -1;
        }
        if (i + 1 == n) {
            return -1;
        }
        int b1 = raw[i + 1] & 0xFF;
        if (b0 < 0xF0) {
            int low = b0 == 0xE0 ? 0xA0 : 0x80;
            int high = b0 == 0xED ? 0x9F : 0xBF;
            return b1 >= low && b1 <= high && i + 2 < n && continuation(raw[i + 2]) ? i + 3 : -1;
        }
        if (b0 > 0xF4) {
            return -1;
        }
        int low = b0 == 0xF0 ? 0x90 : 0x80;
        int high = b0 == 0xF4 ? 0x8F : 0xBF;
        return b1 >= low && b1 <= high && i + 3 < n && continuation(raw[i + 2]) && continuation(raw[i + 3])
                ? i + 4 : -1;
    }

    private static boolean continuation(byte b) {
        return (b & 0xC0) == 0x80;
    }

    private static boolean digit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static int digits(byte[] raw, int i, int n) {
        while (i < n && digit(raw[i])) {
            i++;
        }
        return i;
    }

    private static int hex(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        int lower = b | 0x20;
        return lower >= 'a' && lower <= 'f' ? lower - 'a' + 10 : -1;
    }

}
