package io.kezdesu.signaling.peerjs;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * What {@link PeerEnvelope#scan} must answer, worked out with the JDK's UTF-8 decoder and Jackson instead of by hand,
 * with Jackson bent to {@code JSON.parse} where the two differ (each place says why).
 */
final class EnvelopeOracle {

    private static final JsonFactory FACTORY = JsonFactory.builder()
            // Jackson's own depth limit (500 by default) would hide the scanner's at 1000.
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(100_000).build())
            .build();
    private static final ObjectMapper MAPPER = new ObjectMapper(FACTORY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .disable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private EnvelopeOracle() {
    }

    static PeerMessages.Parsed expected(byte[] raw) {
        CoderResult utf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(raw), CharBuffer.allocate(raw.length), true);
        if (utf8.isError()) {
            return PeerEnvelope.INVALID_UTF8;
        }
        byte[] jacksonSafe = withoutSurrogateEscapesInNames(raw);
        String text = new String(jacksonSafe, StandardCharsets.UTF_8);
        // Jackson skips a leading byte order mark; peerjs-server's data.toString() keeps it as U+FEFF, which
        // JSON.parse refuses (it is not JSON whitespace).
        if (text.startsWith("\uFEFF")) {
            return null;
        }
        JsonNode tree;
        try {
            // From the decoded text, not the bytes: given bytes, Jackson guesses UTF-16/32 from zero bytes (so
            // "{\0..." would be read as UTF-16LE), where ws has already settled on UTF-8.
            tree = MAPPER.readTree(text);
        } catch (JacksonException e) {
            return null;
        }
        if (!(tree instanceof ObjectNode) || depth(text) > PeerEnvelope.MAX_DEPTH) {
            return null;
        }
        JsonNode type = tree.get("type");
        JsonNode dst = tree.get("dst");
        int[] payload = payloadRange(jacksonSafe);
        return new PeerMessages.Parsed(type != null && type.isTextual() ? type.textValue() : null,
                dst != null && dst.isTextual() ? dst.textValue() : null, raw, payload[0], payload[1]);
    }

    /**
     * {@code raw} with every surrogate escape in a member name (a string followed by a colon) turned into
     * {@code \\uFFFD}, byte for byte the same length. Jackson 2.23 refuses {@code {"a\\ud800":1}} ("Broken surrogate
     * pair in field name") where {@code JSON.parse} takes the lone surrogate as it is; a name with a surrogate in it
     * is never {@code type}, {@code dst} or {@code payload}, so the replacement changes nothing else.
     */
    private static byte[] withoutSurrogateEscapesInNames(byte[] raw) {
        byte[] out = raw.clone();
        int i = 0;
        while (i < out.length) {
            if (out[i] != '"') {
                i++;
                continue;
            }
            int start = ++i;
            while (i < out.length && out[i] != '"') {
                i += out[i] == '\\' ? 2 : 1;
            }
            if (i >= out.length) {
                break;
            }
            int end = i++;
            int after = i;
            while (after < out.length && (out[after] == ' ' || out[after] == '\t' || out[after] == '\n'
                    || out[after] == '\r')) {
                after++;
            }
            if (after == out.length || out[after] != ':') {
                continue;
            }
            for (int k = start; k + 5 < end; k++) {
                if (out[k] == '\\' && out[k + 1] == 'u') {
                    String hex = new String(out, k + 2, 4, StandardCharsets.ISO_8859_1);
                    if (hex.matches("(?i)d[89a-f][0-9a-f]{2}")) {
                        System.arraycopy("FFFD".getBytes(StandardCharsets.US_ASCII), 0, out, k + 2, 4);
                    }
                    k += 5;
                } else if (out[k] == '\\') {
                    k++;
                }
            }
        }
        return out;
    }

    private static int depth(String text) {
        try (JsonParser p = FACTORY.createParser(text)) {
            int depth = 0;
            int max = 0;
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t.isStructStart()) {
                    max = Math.max(max, ++depth);
                } else if (t.isStructEnd()) {
                    depth--;
                }
            }
            return max;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The byte range of the last top-level {@code payload}, walked as the Jackson-based parse did. Only reached for
     * valid JSON, which has no zero bytes, so Jackson's encoding guess lands on UTF-8.
     */
    private static int[] payloadRange(byte[] raw) {
        int[] range = {-1, -1};
        try (JsonParser p = FACTORY.createParser(raw)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("payload")) {
                    range[0] = Math.toIntExact(p.currentTokenLocation().getByteOffset());
                    if (value.isStructStart()) {
                        p.skipChildren();
                    } else {
                        p.finishToken();
                    }
                    range[1] = Math.toIntExact(p.currentLocation().getByteOffset());
                } else {
                    p.skipChildren();
                }
            }
            return range;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
