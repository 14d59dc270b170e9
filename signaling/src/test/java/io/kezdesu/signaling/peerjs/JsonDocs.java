package io.kezdesu.signaling.peerjs;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Random JSON texts for {@link PeerEnvelopeTest}: PeerJS-like envelopes and arbitrary values with every string, number
 * and whitespace shape, and byte-level mutations of them (which are mostly not JSON, and often not UTF-8).
 */
final class JsonDocs {

    private static final String[] NAMES = {"type", "dst", "payload", "src", "sdp", "a", "", "typ", "types", "Type"};
    private static final String[] TYPES = {"OFFER", "ANSWER", "CANDIDATE", "LEAVE", "EXPIRE", "HEARTBEAT", "x"};
    private static final String[] SIMPLE_ESCAPES = {"\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t"};
    private static final int[] CODE_POINTS = {'é', 'ü', 0x7F, 0x80, 0x7FF, 0x800, '€', 0x2028, 0xD7FF, 0xE000, 0xFEFF,
        0xFFFD, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF};
    private static final byte[][] BAD_UTF8 = {{(byte) 0xC0, (byte) 0x80}, {(byte) 0xC1, (byte) 0xBF},
        {(byte) 0xE0, (byte) 0x80, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
        {(byte) 0xF0, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
        {(byte) 0xF5, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0x80}, {(byte) 0xBF}, {(byte) 0xE2, (byte) 0x82},
        {(byte) 0xFF}};
    private static final String STRUCTURAL = "{}[]\",:\\ \t\n\r0123456789-+.eEtrufalsn/u'#";

    private final Random random;
    private final StringBuilder out = new StringBuilder();

    JsonDocs(Random random) {
        this.random = random;
    }

    /** A PeerJS-like envelope or, one time in five, any JSON value, deep one time in two hundred. */
    byte[] document() {
        out.setLength(0);
        space();
        int r = random.nextInt(200);
        if (r == 0) {
            deep(990 + random.nextInt(20));
        } else if (r < 40) {
            value(0);
        } else {
            envelope();
        }
        space();
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** {@code doc} with one to three random edits: a byte changed, deleted or inserted, bad UTF-8, or a cut. */
    byte[] mutate(byte[] doc) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] d = doc;
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits; e++) {
            int at = random.nextInt(d.length + 1);
            b.reset();
            b.write(d, 0, at);
            switch (random.nextInt(6)) {
                case 0 -> {
                    b.write(randomByte());
                    at = Math.min(at + 1, d.length);
                }
                case 1 -> at = Math.min(at + 1, d.length);
                case 2 -> {
                    for (int k = 1 + random.nextInt(3); k > 0; k--) {
                        b.write(randomByte());
                    }
                }
                case 3 -> b.writeBytes(BAD_UTF8[random.nextInt(BAD_UTF8.length)]);
                case 4 -> at = d.length;
                default -> b.write(STRUCTURAL.charAt(random.nextInt(STRUCTURAL.length())));
            }
            b.write(d, at, d.length - at);
            d = b.toByteArray();
        }
        return d;
    }

    private int randomByte() {
        return switch (random.nextInt(3)) {
            case 0 -> 0x80 + random.nextInt(0x80);
            case 1 -> STRUCTURAL.charAt(random.nextInt(STRUCTURAL.length()));
            default -> random.nextInt(0x100);
        };
    }

    private void envelope() {
        out.append('{');
        int members = random.nextInt(6);
        for (int m = 0; m < members; m++) {
            if (m > 0) {
                out.append(',');
            }
            space();
            String name = NAMES[random.nextInt(NAMES.length)];
            string(name, random.nextInt(4) == 0);
            space();
            out.append(':');
            space();
            if ((name.equals("type") || name.equals("dst")) && random.nextInt(4) != 0) {
                string(random.nextBoolean() ? TYPES[random.nextInt(TYPES.length)] : text(), random.nextInt(5) == 0);
            } else {
                value(1);
            }
            space();
        }
        out.append('}');
    }

    private void value(int depth) {
        int r = random.nextInt(depth < 6 ? 9 : 6);
        switch (r) {
            case 0 -> string(text(), random.nextInt(3) == 0);
            case 1, 2 -> number();
            case 3 -> out.append("true");
            case 4 -> out.append("false");
            case 5 -> out.append("null");
            case 6, 7 -> {
                out.append('{');
                space();
                int n = random.nextInt(4);
                for (int k = 0; k < n; k++) {
                    if (k > 0) {
                        out.append(',');
                        space();
                    }
                    string(random.nextBoolean() ? NAMES[random.nextInt(NAMES.length)] : text(), random.nextInt(6) == 0);
                    space();
                    out.append(':');
                    space();
                    value(depth + 1);
                    space();
                }
                out.append('}');
            }
            default -> {
                out.append('[');
                space();
                int n = random.nextInt(4);
                for (int k = 0; k < n; k++) {
                    if (k > 0) {
                        out.append(',');
                        space();
                    }
                    value(depth + 1);
                    space();
                }
                out.append(']');
            }
        }
    }

    /** An envelope whose payload nests {@code depth - 1} containers, the envelope itself being level 1. */
    private void deep(int depth) {
        out.append("{\"type\":\"OFFER\",\"payload\":");
        StringBuilder close = new StringBuilder();
        for (int k = 1; k < depth; k++) {
            if (random.nextBoolean()) {
                out.append('[');
                close.append(']');
            } else {
                out.append("{\"a\":");
                close.append('}');
            }
        }
        out.append(random.nextBoolean() ? "1" : "\"x\"");
        out.append(close.reverse()).append('}');
    }

    /** Raw text: ASCII, multi-byte and four-byte characters; escapes are added by {@link #string}. */
    private String text() {
        StringBuilder s = new StringBuilder();
        int n = random.nextInt(12);
        for (int k = 0; k < n; k++) {
            if (random.nextInt(4) == 0) {
                s.appendCodePoint(CODE_POINTS[random.nextInt(CODE_POINTS.length)]);
            } else {
                s.append((char) (0x20 + random.nextInt(0x5F)));
            }
        }
        return s.toString();
    }

    /** {@code s} as a JSON string, escaping what must be and, if {@code escapeMore}, other characters at random. */
    private void string(String s, boolean escapeMore) {
        out.append('"');
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || (escapeMore && random.nextInt(3) == 0)) {
                String hex = String.format("%04x", (int) c);
                out.append("\\u").append(random.nextBoolean() ? hex : hex.toUpperCase());
            } else {
                out.append(c);
            }
        }
        if (escapeMore) {
            switch (random.nextInt(4)) {
                case 0 -> out.append(SIMPLE_ESCAPES[random.nextInt(SIMPLE_ESCAPES.length)]);
                case 1 -> out.append("\\uD83D\\uDE00");
                case 2 -> out.append(random.nextBoolean() ? "\\uD800" : "\\udfff");
                default -> {
                }
            }
        }
        out.append('"');
    }

    private void number() {
        if (random.nextBoolean()) {
            out.append('-');
        }
        if (random.nextInt(3) == 0) {
            out.append('0');
        } else {
            out.append((char) ('1' + random.nextInt(9)));
            digits(random.nextInt(6));
        }
        if (random.nextInt(3) == 0) {
            out.append('.');
            digits(1 + random.nextInt(5));
        }
        if (random.nextInt(3) == 0) {
            out.append(random.nextBoolean() ? 'e' : 'E');
            switch (random.nextInt(3)) {
                case 0 -> out.append('+');
                case 1 -> out.append('-');
                default -> {
                }
            }
            digits(1 + random.nextInt(3));
        }
    }

    private void digits(int n) {
        for (int k = 0; k < n; k++) {
            out.append((char) ('0' + random.nextInt(10)));
        }
    }

    private void space() {
        int n = random.nextInt(4) == 0 ? random.nextInt(4) : 0;
        for (int k = 0; k < n; k++) {
            out.append(" \t\n\r".charAt(random.nextInt(4)));
        }
    }
}
