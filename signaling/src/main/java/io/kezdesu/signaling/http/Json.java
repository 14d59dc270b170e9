package io.kezdesu.signaling.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kezdesu.signaling.json.JsonMapping;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** JSON request and response bodies of the HTTP API, read and written with {@link JsonMapping#MAPPER}. */
public final class Json {

    public static final ObjectMapper MAPPER = JsonMapping.MAPPER;

    private static final Pattern DUPLICATE = Pattern.compile("Duplicate field '([^'\\p{Cntrl}]{0,64})'");

    private Json() {
    }

    /**
     * Parses a request body that must be one JSON object and nothing else: {@code {"a":1} trailing} is refused, as a
     * body a client, a proxy and this server could each read differently.
     */
    public static JsonNode parseObject(byte[] body) {
        if (body.length == 0) {
            throw new ApiException(ApiError.INVALID_JSON, "request body is empty (expected: a JSON object)");
        }
        JsonNode node;
        try (JsonParser parser = MAPPER.createParser(body)) {
            node = MAPPER.readTree(parser);
            if (node != null && textAfterValue(parser)) {
                throw new ApiException(ApiError.INVALID_JSON,
                        "request body has text after the JSON object (expected: one JSON object)");
            }
        } catch (java.io.IOException e) {
            throw new ApiException(ApiError.INVALID_JSON, reason(e));
        }
        if (node == null || !node.isObject()) {
            throw new ApiException(ApiError.INVALID_JSON, "request body is not a JSON object");
        }
        return node;
    }

    /** As {@link JsonMapping#textAfterValue}. */
    public static boolean textAfterValue(JsonParser parser) {
        return JsonMapping.textAfterValue(parser);
    }

    /** Why a body is not JSON, in our words: Jackson's own messages quote source and internal names. */
    private static String reason(java.io.IOException e) {
        String detail = String.valueOf(e.getMessage());
        Matcher duplicate = DUPLICATE.matcher(detail);
        if (duplicate.find()) {
            return "request body has the key '" + duplicate.group(1) + "' twice (expected: each key once)";
        }
        return "request body is not valid JSON (expected: a JSON object)";
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass(), e);
        }
    }
}
