package io.kezdesu.signaling.peerjs;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
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

    private static final JsonFactory FACTORY = new JsonFactory();
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
     * Reads {@code type}, {@code dst} and the extent of {@code payload} from a top-level JSON object, skipping
     * everything else; null when the text is not a JSON object (peerjs-server ignores those too). As with
     * {@code JSON.parse}, a repeated key counts with its last value.
     */
    static Parsed parse(byte[] raw) {
        try (JsonParser p = FACTORY.createParser(raw)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String type = null;
            String dst = null;
            int start = -1;
            int end = -1;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "type" -> type = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "dst" -> dst = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "payload" -> {
                        start = Math.toIntExact(p.currentTokenLocation().getByteOffset());
                        if (value.isStructStart()) {
                            p.skipChildren();
                        } else {
                            p.finishToken();
                        }
                        end = Math.toIntExact(p.currentLocation().getByteOffset());
                    }
                    default -> p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                return null;
            }
            return new Parsed(type, dst, raw, start, end);
        } catch (IOException | RuntimeException e) {
            return null;
        }
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
