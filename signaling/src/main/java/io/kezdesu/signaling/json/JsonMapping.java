package io.kezdesu.signaling.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The one JSON mapper of the signaling server, for HTTP bodies and socket messages alike: ISO-8601 instants, bounded
 * nesting, duplicate keys refused. Below every other signaling package (the wire protocol and the HTTP API both read
 * with it).
 */
public final class JsonMapping {

    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).build());
    }

    private JsonMapping() {
    }

    /**
     * Whether anything but whitespace follows the value just read, even text that is not a JSON token
     * ("trailing"): HTTP bodies and WebSocket messages alike must be one JSON value and nothing else.
     */
    public static boolean textAfterValue(JsonParser parser) {
        try {
            return parser.nextToken() != null;
        } catch (java.io.IOException e) {
            return true;
        }
    }
}
