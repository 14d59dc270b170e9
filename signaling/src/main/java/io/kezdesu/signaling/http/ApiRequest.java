package io.kezdesu.signaling.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One HTTP request as the API handlers see it: the body already copied out of Netty's buffers, so handlers may
 * finish on any thread.
 */
public record ApiRequest(HttpMethod method, String path, Map<String, String> pathParams,
                         Map<String, List<String>> query, HttpHeaders headers, byte[] body, InetAddress remote) {

    public String param(String name) {
        return pathParams.get(name);
    }

    public Optional<String> queryParam(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** The {@code Authorization: Bearer …} token, if any. */
    public Optional<String> bearerToken() {
        String h = headers.get(HttpHeaderNames.AUTHORIZATION);
        if (h == null || h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        String token = h.substring(7).strip();
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }

    /** The body as a JSON object; 415 unless the request says it is JSON, 400 unless it is an object. */
    public JsonNode jsonBody() {
        String type = headers.get(HttpHeaderNames.CONTENT_TYPE);
        String mime = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!mime.equals("application/json")) {
            throw new ApiException(ApiError.UNSUPPORTED_MEDIA_TYPE,
                    "Content-Type " + (type == null ? "missing" : "'" + type + "'") + " (expected: application/json)");
        }
        return Json.parseObject(body);
    }

    public ApiRequest withPathParams(Map<String, String> params) {
        return new ApiRequest(method, path, Map.copyOf(params), query, headers, body, remote);
    }
}
