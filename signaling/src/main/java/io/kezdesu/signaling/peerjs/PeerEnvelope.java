package io.kezdesu.signaling.peerjs;

/**
 * The envelope of a PeerJS client message, read in one pass over its bytes: the top-level {@code type}, {@code dst}
 * and the byte range of {@code payload}, with everything else checked and skipped.
 *
 * <p>It accepts exactly what peerjs-server 1.0.2 accepts: {@code ws} rejects a text frame that is not UTF-8 (RFC 3629)
 * before anything else looks at it, then the server runs {@code JSON.parse} and drops whatever throws. So the input
 * must be valid UTF-8 and exactly one RFC 8259 value, surrounded by nothing but space, tab, LF or CR, and that value
 * must be an object. Member names and the {@code type}/{@code dst} strings are compared and returned decoded; a name
 * that repeats counts with its last value, as in {@code JSON.parse}.
 *
 * <p>One deliberate difference: nesting deeper than {@value #MAX_DEPTH} levels (the top-level object is level 1) is
 * refused. V8's {@code JSON.parse} has no such limit, but no PeerJS client nests anywhere near it and the limit keeps
 * the nesting stack to a fixed 1000 bits.
 *
 * <p>The string, number and UTF-8 rules are in {@link JsonText}; this class walks the structure.
 */
final class PeerEnvelope {

    /** The answer for input that {@code ws} would refuse as not UTF-8, whatever its JSON; compare by identity. */
    static final PeerMessages.Parsed INVALID_UTF8 = new PeerMessages.Parsed(null, null, new byte[0], -1, -1);

    /** The deepest nesting accepted; one more level and the message is not a message. */
    static final int MAX_DEPTH = 1000;

    /** Levels up to this are kept in a long; deeper ones in an array allocated on first use. */
    private static final int SHALLOW = Long.SIZE;

    private static final int OTHER = 0;
    private static final int TYPE = 1;
    private static final int DST = 2;
    private static final int PAYLOAD = 3;

    /** What the walk expects next: a value, a member name (after a comma in an object), or what follows a value. */
    private static final int VALUE = 0;
    private static final int NAME = 1;
    private static final int AFTER_VALUE = 2;

    private PeerEnvelope() {
    }

    /**
     * The envelope of {@code raw}: {@link #INVALID_UTF8} if it is not UTF-8, null if it is not one JSON object,
     * else its {@code type} and {@code dst} (null unless strings) and the range of its {@code payload} (-1 if absent).
     */
    static PeerMessages.Parsed scan(byte[] raw) {
        final int n = raw.length;
        int i = JsonText.skipWhitespace(raw, 0, n);
        if (i == n || raw[i] != '{') {
            return fail(raw, i);
        }
        String type = null;
        String dst = null;
        int payloadStart = -1;
        int payloadEnd = -1;
        int member = OTHER;
        // Bit d-1 is set when level d is an array, clear when it is an object.
        long shallow = 0;
        long[] deep = null;
        int depth = 0;
        int state = VALUE;
        for (;;) {
            if (state == VALUE) {
                if (i == n) {
                    return fail(raw, i);
                }
                int c = raw[i];
                if (c == '{' || c == '[') {
                    if (depth == MAX_DEPTH) {
                        return fail(raw, i);
                    }
                    if (depth == 1) {
                        switch (member) {
                            case TYPE -> type = null;
                            case DST -> dst = null;
                            case PAYLOAD -> payloadStart = i;
                            default -> {
                            }
                        }
                    }
                    boolean array = c == '[';
                    if (depth < SHALLOW) {
                        long bit = 1L << depth;
                        shallow = array ? shallow | bit : shallow & ~bit;
                    } else {
                        if (deep == null) {
                            deep = new long[(MAX_DEPTH - SHALLOW + Long.SIZE - 1) / Long.SIZE];
                        }
                        int k = depth - SHALLOW;
                        long bit = 1L << k;
                        deep[k >>> 6] = array ? deep[k >>> 6] | bit : deep[k >>> 6] & ~bit;
                    }
                    depth++;
                    i = JsonText.skipWhitespace(raw, i + 1, n);
                    if (i < n && raw[i] == (array ? ']' : '}')) {
                        state = AFTER_VALUE;
                    } else {
                        state = array ? VALUE : NAME;
                    }
                    continue;
                }
                int end;
                if (c == '"') {
                    end = JsonText.skipString(raw, i + 1, n);
                } else if (c == '-' || (c >= '0' && c <= '9')) {
                    end = JsonText.skipNumber(raw, i, n);
                } else {
                    end = JsonText.skipLiteral(raw, i, n);
                }
                if (end < 0) {
                    return end == JsonText.NOT_UTF8 ? INVALID_UTF8 : fail(raw, ~end);
                }
                if (depth == 1) {
                    switch (member) {
                        case TYPE -> type = c == '"' ? JsonText.decode(raw, i + 1, end - 1) : null;
                        case DST -> dst = c == '"' ? JsonText.decode(raw, i + 1, end - 1) : null;
                        case PAYLOAD -> {
                            payloadStart = i;
                            payloadEnd = end;
                        }
                        default -> {
                        }
                    }
                }
                i = end;
                state = AFTER_VALUE;
            } else if (state == NAME) {
                if (i == n || raw[i] != '"') {
                    return fail(raw, i);
                }
                int end = JsonText.skipString(raw, i + 1, n);
                if (end < 0) {
                    return end == JsonText.NOT_UTF8 ? INVALID_UTF8 : fail(raw, ~end);
                }
                if (depth == 1) {
                    member = member(raw, i + 1, end - 1);
                }
                i = JsonText.skipWhitespace(raw, end, n);
                if (i == n || raw[i] != ':') {
                    return fail(raw, i);
                }
                i = JsonText.skipWhitespace(raw, i + 1, n);
                state = VALUE;
            } else {
                i = JsonText.skipWhitespace(raw, i, n);
                if (depth == 0) {
                    if (i != n) {
                        return fail(raw, i);
                    }
                    return new PeerMessages.Parsed(type, dst, raw, payloadStart, payloadEnd);
                }
                if (i == n) {
                    return fail(raw, i);
                }
                int level = depth - 1;
                boolean array = level < SHALLOW
                        ? (shallow >>> level & 1) != 0
                        : (deep[(level - SHALLOW) >>> 6] >>> (level - SHALLOW) & 1) != 0;
                int c = raw[i];
                if (c == ',') {
                    i = JsonText.skipWhitespace(raw, i + 1, n);
                    state = array ? VALUE : NAME;
                } else if (c == (array ? ']' : '}')) {
                    i++;
                    depth--;
                    if (depth == 1 && member == PAYLOAD) {
                        payloadEnd = i;
                    }
                } else {
                    return fail(raw, i);
                }
            }
        }
    }

    /** Which of the routed members the name in {@code raw[from, to)} is, after its escapes are resolved. */
    private static int member(byte[] raw, int from, int to) {
        int length = to - from;
        if (length == 4 && raw[from] == 't' && raw[from + 1] == 'y' && raw[from + 2] == 'p' && raw[from + 3] == 'e') {
            return TYPE;
        }
        if (length == 3 && raw[from] == 'd' && raw[from + 1] == 's' && raw[from + 2] == 't') {
            return DST;
        }
        if (length == 7 && raw[from] == 'p' && raw[from + 1] == 'a' && raw[from + 2] == 'y' && raw[from + 3] == 'l'
                && raw[from + 4] == 'o' && raw[from + 5] == 'a' && raw[from + 6] == 'd') {
            return PAYLOAD;
        }
        if (!JsonText.hasEscape(raw, from, to)) {
            return OTHER;
        }
        return switch (JsonText.decode(raw, from, to)) {
            case "type" -> TYPE;
            case "dst" -> DST;
            case "payload" -> PAYLOAD;
            default -> OTHER;
        };
    }

    /**
     * Not JSON at {@code at}; whether it is UTF-8 still decides the answer, since {@code ws} checks that first. The
     * bytes before {@code at} were read as ASCII or whole UTF-8 sequences, so only the rest needs checking, from the
     * start of the sequence {@code at} may fall inside.
     */
    private static PeerMessages.Parsed fail(byte[] raw, int at) {
        int from = at;
        while (from > 0 && from < raw.length && (raw[from] & 0xC0) == 0x80) {
            from--;
        }
        return JsonText.isUtf8(raw, from, raw.length) ? null : INVALID_UTF8;
    }
}
