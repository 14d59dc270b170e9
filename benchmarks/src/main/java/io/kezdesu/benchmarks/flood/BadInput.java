package io.kezdesu.benchmarks.flood;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * What a malicious or broken client sends on {@code /ws}. {@link #message} appends input that the protocol answers
 * with an {@code error} and survives (docs/PROTOCOL.md: invalid JSON, wrong types, unknown types, messages before
 * {@code join}, binary frames, pings); {@link #ending} appends what ends a connection: a WebSocket protocol
 * violation (reserved bits, bad UTF-8, unknown opcode, unmasked, control frames too long or fragmented, lying or
 * huge lengths, a bad close frame), a message over the 64 KiB limit, a clean close, or (one in 200) silence.
 */
final class BadInput {

    private static final String[] NOT_JSON = {"", " ", "{", "}", "[", "{\"type\":", "{\"type\":\"join\",\"room\":\"",
        "{'type':'ping'}", "{\"type\":\"ping\",}", "{type:ping}", "NaN", "{\"type\":\"ping\"}}", "\u0000",
        "{\"type\":\"ping\"} trailing", "{\"type\":\"ping\"}{\"type\":\"ping\"}", "{\"type\":\"ping\",\"type\":\"join\"}",
        "{\"type\":\"join\",\"room\":\"a\",\"room\":\"b\"}", "{\"type\":\"\\ud800\"}", "{\"type\":\"ping\",\"x\":01}",
        "{\"type\":\"ping\",\"x\":-}", "{\"type\":\"ping\",\"x\":tru}", "\"unterminated", "{\"a\":\"\\x41\"}",
        "\uFEFF{\"type\":\"ping\"}", "{\"type\":\"ping\",\"x\":1e}"};
    private static final String[] WRONG_TYPES = {"[]", "\"join\"", "42", "null", "true", "{}", "{\"type\":5}",
        "{\"type\":null}", "{\"type\":[\"join\"]}", "{\"type\":{}}", "{\"type\":\"join\"}", "{\"type\":\"join\",\"room\":123}",
        "{\"type\":\"join\",\"room\":{}}", "{\"type\":\"join\",\"room\":\"\"}", "{\"type\":\"join\",\"room\":null}",
        "{\"type\":\"join\",\"room\":\"r\",\"password\":7}", "{\"type\":\"media\",\"audio\":\"yes\",\"video\":1}",
        "{\"type\":\"offer\",\"to\":1}", "{\"type\":\"offer\"}", "{\"type\":\"candidate\",\"to\":[]}",
        "{\"type\":\"resume\",\"token\":true}", "{\"type\":\"resume\",\"token\":\"x\",\"received\":-1}",
        "{\"type\":\"resume\",\"token\":\"x\",\"received\":1e308}", "{\"type\":\"resume\",\"token\":\"x\",\"received\":\"9\"}",
        "{\"type\":\"kick\",\"to\":\"x\",\"ban\":\"maybe\"}", "{\"type\":\"promote\",\"to\":\"x\",\"role\":\"god\"}",
        "{\"type\":\"mute-request\",\"to\":\"x\",\"kind\":42}", "{\"type\":\"resume\",\"token\":\"x\",\"received\":12345678901234567890123}"};
    private static final String[] BEFORE_JOIN = {"{\"type\":\"offer\",\"to\":\"p1\",\"sdp\":\"v=0\"}",
        "{\"type\":\"answer\",\"to\":\"p2\",\"sdp\":\"v=0\"}", "{\"type\":\"candidate\",\"to\":\"p3\",\"candidate\":{}}",
        "{\"type\":\"leave\"}", "{\"type\":\"lock\"}", "{\"type\":\"unlock\"}", "{\"type\":\"close\"}",
        "{\"type\":\"media\",\"audio\":true,\"video\":false}", "{\"type\":\"kick\",\"to\":\"p1\",\"ban\":true}",
        "{\"type\":\"admit\",\"to\":\"k1\"}", "{\"type\":\"deny\",\"to\":\"k1\"}", "{\"type\":\"demote\",\"to\":\"p1\"}"};
    private static final byte[][] BAD_UTF8 = {{(byte) 0xC3, 0x28}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
        {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xF5, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0xFF},
        {'{', '"', 't', '"', ':', (byte) 0xE2, (byte) 0x82}};

    private final SplittableRandom random;
    /** Frames the last {@link #ending} wrote. */
    int endingFrames;

    BadInput(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** Appends one bad message (one to four frames); returns the number of frames written. */
    int message(ByteBuf out) {
        int kind = random.nextInt(100);
        if (kind < 25) {
            return text(out, random.nextInt(5) == 0 ? printable(random.nextInt(200)) : pick(NOT_JSON));
        } else if (kind < 45) {
            return text(out, pick(WRONG_TYPES));
        } else if (kind < 55) {
            return text(out, "{\"type\":\"" + (random.nextBoolean() ? printable(random.nextInt(1, 40))
                    .replace("\"", "").replace("\\", "") : pick(new String[] {"JOIN", "__proto__", "constructor",
                        "error", "joined", "pong", "peer-left", "offer ", "join\\u0000"})) + "\"}");
        } else if (kind < 63) {
            return text(out, pick(BEFORE_JOIN));
        } else if (kind < 65) {
            // A room that does not exist: the one case here that costs the server a store lookup.
            return text(out, "{\"type\":\"join\",\"room\":\"no-such-room-" + random.nextInt(1_000_000) + "\"}");
        } else if (kind < 67) {
            int depth = random.nextInt(100, 30_000);
            return text(out, "{\"type\":\"offer\",\"to\":\"p1\",\"x\":" + "[".repeat(depth)
                    + (random.nextBoolean() ? "]".repeat(depth) + "}" : ""));
        } else if (kind < 69) {
            return text(out, "{\"type\":\"join\",\"room\":\"" + "r".repeat(random.nextInt(65, 60_000)) + "\"}");
        } else if (kind < 79) {
            byte[] b = new byte[random.nextInt(0, 2000)];
            random.nextBytes(b);
            Frames.write(out, true, Frames.BINARY, b);
            return 1;
        } else if (kind < 84) {
            // A message in fragments (legal), whose content is garbage anyway.
            int parts = random.nextInt(2, 5);
            String whole = random.nextBoolean() ? pick(WRONG_TYPES) : pick(NOT_JSON) + printable(50);
            for (int i = 0; i < parts; i++) {
                String part = whole.substring(whole.length() * i / parts, whole.length() * (i + 1) / parts);
                Frames.write(out, i == parts - 1, i == 0 ? Frames.TEXT : Frames.CONTINUATION, utf8(part));
            }
            return parts;
        } else if (kind < 89) {
            byte[] b = new byte[random.nextInt(0, 126)];
            random.nextBytes(b);
            Frames.write(out, true, Frames.PING, b);
            return 1;
        } else if (kind < 92) {
            Frames.write(out, true, Frames.PONG, utf8(printable(random.nextInt(0, 126))));
            return 1;
        } else if (kind < 95) {
            return text(out, "{\"type\":\"ping\"}");
        } else {
            // Valid UTF-8 that is not ASCII, in strings and outside them.
            return text(out, random.nextBoolean() ? "{\"type\":\"жоқ\",\"😀\":\"\u0000\u2028\"}" : "«ping»");
        }
    }

    /** Appends what ends the connection; returns its name (the server's answer is tallied under it). */
    String ending(ByteBuf out) {
        int kind = random.nextInt(100);
        endingFrames = kind >= 64 && kind < 67 || kind >= 41 && kind < 49 ? 2 : kind >= 81 && kind < 86 ? 3 : 1;
        if (random.nextInt(200) == 0) {
            // Rarely, nothing at all: the connection falls silent, and heartbeat-timeout (15 s) should end it (1001).
            endingFrames = 0;
            return "silent";
        }
        if (kind < 35) {
            Frames.close(out, 1000, new byte[0]);
            return "clean-close";
        } else if (kind < 41) {
            Frames.write(out, true, random.nextInt(1, 8), Frames.TEXT, utf8("{\"type\":\"ping\"}"), true);
            return "reserved-bits";
        } else if (kind < 49) {
            // RFC 6455 §8.1 fails the connection (1007); docs/PROTOCOL.md answers bad input and keeps it. Either
            // way a clean close follows, so the ending's close code says which: 1007, or 1000 for ours.
            Frames.write(out, true, Frames.TEXT, BAD_UTF8[random.nextInt(BAD_UTF8.length)]);
            Frames.close(out, 1000, new byte[0]);
            return "bad-utf8";
        } else if (kind < 54) {
            int op = random.nextBoolean() ? random.nextInt(3, 8) : random.nextInt(0xB, 0x10);
            Frames.write(out, true, 0, op, utf8("?"), true);
            return "unknown-opcode";
        } else if (kind < 58) {
            Frames.write(out, true, Frames.PING, new byte[random.nextInt(126, 2000)]);
            return "long-control";
        } else if (kind < 61) {
            Frames.write(out, false, Frames.PING, utf8("x"));
            return "fragmented-control";
        } else if (kind < 64) {
            Frames.write(out, true, Frames.CONTINUATION, utf8("{\"type\":\"ping\"}"));
            return "orphan-continuation";
        } else if (kind < 67) {
            Frames.write(out, false, Frames.TEXT, utf8("{\"type\":"));
            Frames.write(out, true, Frames.TEXT, utf8("\"ping\"}"));
            return "interleaved-message";
        } else if (kind < 71) {
            Frames.write(out, true, 0, Frames.TEXT, utf8("{\"type\":\"ping\"}"), false);
            return "unmasked";
        } else if (kind < 81) {
            Frames.write(out, true, Frames.TEXT, utf8("{\"type\":\"join\",\"room\":\"" + "x".repeat(70_000) + "\"}"));
            return "oversized";
        } else if (kind < 86) {
            for (int i = 0; i < 3; i++) {
                Frames.write(out, i == 2, i == 0 ? Frames.TEXT : Frames.CONTINUATION, utf8("y".repeat(30_000)));
            }
            return "oversized-fragments";
        } else if (kind < 91) {
            Frames.hugeLength(out, random.nextBoolean() ? Long.MIN_VALUE | random.nextLong() : Integer.MAX_VALUE);
            return "huge-length";
        } else {
            int[] codes = {-1, 0, 999, 1004, 1005, 1006, 1015, 2999, 5000, 65535};
            Frames.close(out, codes[random.nextInt(codes.length)],
                    random.nextBoolean() ? BAD_UTF8[random.nextInt(BAD_UTF8.length)] : new byte[0]);
            return "bad-close";
        }
    }

    private int text(ByteBuf out, String s) {
        Frames.write(out, true, Frames.TEXT, utf8(s));
        return 1;
    }

    private String pick(String[] options) {
        return options[random.nextInt(options.length)];
    }

    private String printable(int n) {
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append((char) random.nextInt(0x20, 0x7F));
        }
        return b.toString();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
