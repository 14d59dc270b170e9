package io.kezdesu.signaling.peerjs;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The PeerJS wire messages. Relayed messages are spliced, not re-serialised: the client's {@code payload} bytes are
 * copied as they arrived, framed by {@code {"type":…,"src":…,"dst":…}} in peerjs-server's key order.
 */
final class PeerMessages {

    /** peerjs-server's error texts ({@code Errors} in its source), sent as {@code ERROR} payloads. */
    static final String INVALID_KEY = "Invalid key provided";
    static final String INVALID_TOKEN = "Invalid token provided";
    static final String INVALID_WS_PARAMETERS = "No id, token, or key supplied to websocket server";
    static final String CONNECTION_LIMIT_EXCEED = "Server has reached its concurrent user limit";
    /** kezdesu's own (with {@code peerjs-require-auth}): the login of an open socket stopped holding. */
    static final String TOKEN_REVOKED = "Token revoked by a password change";
    static final String ACCOUNT_DISABLED = "Account disabled";

    private static final byte[] OPEN = ascii("{\"type\":\"OPEN\"}");
    private static final byte[] DST = ascii(",\"dst\":");
    private static final byte[] PAYLOAD = ascii(",\"payload\":");
    private static final java.util.Map<String, byte[]> HEADS = java.util.Map.of(
            "OFFER", ascii("{\"type\":\"OFFER\",\"src\":"),
            "ANSWER", ascii("{\"type\":\"ANSWER\",\"src\":"),
            "CANDIDATE", ascii("{\"type\":\"CANDIDATE\",\"src\":"),
            "LEAVE", ascii("{\"type\":\"LEAVE\",\"src\":"),
            "EXPIRE", ascii("{\"type\":\"EXPIRE\",\"src\":"));
    private static final byte[] ID_TAKEN = ascii("{\"type\":\"ID-TAKEN\",\"payload\":{\"msg\":\"ID is taken\"}}");

    /** A client message as far as routing needs it: the payload is a byte range of {@code raw}, or absent. */
    record Parsed(String type, String dst, byte[] raw, int payloadStart, int payloadEnd) {
        boolean hasPayload() {
            return payloadStart >= 0;
        }
    }

    private PeerMessages() {
    }

    static byte[] open() {
        return OPEN.clone();
    }

    static byte[] idTaken() {
        return ID_TAKEN.clone();
    }

    static byte[] error(String message) {
        return concat(ascii("{\"type\":\"ERROR\",\"payload\":{\"msg\":"), quote(message), ascii("}}"));
    }

    /** {@code {"type":T,"src":S,"dst":D}} for server-made LEAVE and EXPIRE (no payload, as in peerjs-server). */
    static byte[] notice(String type, byte[] quotedSrc, byte[] quotedDst) {
        return concat(ascii("{\"type\":\"" + type + "\",\"src\":"), quotedSrc, ascii(",\"dst\":"), quotedDst,
                ascii("}"));
    }

    /** The relayed form of {@code m}: its type, the sender stamped as {@code src}, and the payload untouched. */
    static byte[] relayed(Parsed m, byte[] quotedSrc, byte[] quotedDst) {
        byte[] head = HEADS.get(m.type());
        if (head == null) {
            head = ascii("{\"type\":\"" + m.type() + "\",\"src\":");
        }
        int payloadLength = m.hasPayload() ? m.payloadEnd() - m.payloadStart() : 0;
        int n = head.length + quotedSrc.length + DST.length + quotedDst.length
                + (m.hasPayload() ? PAYLOAD.length + payloadLength : 0) + 1;
        byte[] out = new byte[n];
        int at = put(out, 0, head);
        at = put(out, at, quotedSrc);
        at = put(out, at, DST);
        at = put(out, at, quotedDst);
        if (m.hasPayload()) {
            at = put(out, at, PAYLOAD);
            System.arraycopy(m.raw(), m.payloadStart(), out, at, payloadLength);
            at += payloadLength;
        }
        out[at] = '}';
        return out;
    }

    private static int put(byte[] out, int at, byte[] part) {
        System.arraycopy(part, 0, out, at, part.length);
        return at + part.length;
    }

    /**
     * Reads {@code type}, {@code dst} and the extent of {@code payload} from a top-level JSON object (see
     * {@link PeerEnvelope}); null when the text is not one JSON object or not UTF-8 (peerjs-server ignores those too).
     */
    static Parsed parse(byte[] raw) {
        Parsed m = PeerEnvelope.scan(raw);
        return m == PeerEnvelope.INVALID_UTF8 ? null : m;
    }

    static byte[] quote(String s) {
        byte[] body = JsonStringEncoder.getInstance().quoteAsUTF8(s);
        byte[] out = new byte[body.length + 2];
        out[0] = '"';
        System.arraycopy(body, 0, out, 1, body.length);
        out[out.length - 1] = '"';
        return out;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = Arrays.copyOf(parts[0], n);
        int at = parts[0].length;
        for (int i = 1; i < parts.length; i++) {
            System.arraycopy(parts[i], 0, out, at, parts[i].length);
            at += parts[i].length;
        }
        return out;
    }
}
