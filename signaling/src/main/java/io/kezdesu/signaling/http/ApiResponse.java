package io.kezdesu.signaling.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Map;

/** What a handler answers: a status, a body (serialised as JSON unless it is already bytes) and extra headers. */
public record ApiResponse(HttpResponseStatus status, Object body, String contentType, Map<String, String> headers) {

    public static ApiResponse ok(Object body) {
        return new ApiResponse(HttpResponseStatus.OK, body, "application/json", Map.of());
    }

    public static ApiResponse created(Object body) {
        return new ApiResponse(HttpResponseStatus.CREATED, body, "application/json", Map.of());
    }

    public static ApiResponse noContent() {
        return new ApiResponse(HttpResponseStatus.NO_CONTENT, null, null, Map.of());
    }

    public static ApiResponse bytes(HttpResponseStatus status, byte[] body, String contentType) {
        return new ApiResponse(status, body, contentType, Map.of());
    }

    public ApiResponse withHeader(String name, String value) {
        java.util.Map<String, String> h = new java.util.LinkedHashMap<>(headers);
        h.put(name, value);
        return new ApiResponse(status, body, contentType, Map.copyOf(h));
    }
}
