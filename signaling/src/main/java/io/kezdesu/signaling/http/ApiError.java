package io.kezdesu.signaling.http;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Every error the HTTP API answers with, and its status: the one place where codes meet the wire. Bodies are always
 * {@code {"error": "<code>", "message": "<human text>"}}.
 */
public enum ApiError {
    INVALID_JSON("invalid-json", HttpResponseStatus.BAD_REQUEST),
    INVALID_FIELD("invalid-field", HttpResponseStatus.BAD_REQUEST),
    BAD_REQUEST("bad-request", HttpResponseStatus.BAD_REQUEST),
    UNAUTHORIZED("unauthorized", HttpResponseStatus.UNAUTHORIZED),
    INVALID_CREDENTIALS("invalid-credentials", HttpResponseStatus.UNAUTHORIZED),
    TOKEN_EXPIRED("token-expired", HttpResponseStatus.UNAUTHORIZED),
    FORBIDDEN("forbidden", HttpResponseStatus.FORBIDDEN),
    ACCOUNT_DISABLED("account-disabled", HttpResponseStatus.FORBIDDEN),
    REGISTRATION_CLOSED("registration-closed", HttpResponseStatus.FORBIDDEN),
    NOT_FOUND("not-found", HttpResponseStatus.NOT_FOUND),
    METHOD_NOT_ALLOWED("method-not-allowed", HttpResponseStatus.METHOD_NOT_ALLOWED),
    REQUEST_TIMEOUT("request-timeout", HttpResponseStatus.REQUEST_TIMEOUT),
    EMAIL_TAKEN("email-taken", HttpResponseStatus.CONFLICT),
    CONFLICT("conflict", HttpResponseStatus.CONFLICT),
    ROOM_CLOSED("room-closed", HttpResponseStatus.CONFLICT),
    TOO_MANY_ROOMS("too-many-rooms", HttpResponseStatus.CONFLICT),
    PAYLOAD_TOO_LARGE("payload-too-large", HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE),
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE),
    TOO_MANY_REQUESTS("too-many-requests", HttpResponseStatus.TOO_MANY_REQUESTS),
    INTERNAL("internal", HttpResponseStatus.INTERNAL_SERVER_ERROR),
    UNAVAILABLE("unavailable", HttpResponseStatus.SERVICE_UNAVAILABLE),
    NOT_READY("not-ready", HttpResponseStatus.SERVICE_UNAVAILABLE);

    private final String code;
    private final HttpResponseStatus status;

    ApiError(String code, HttpResponseStatus status) {
        this.code = code;
        this.status = status;
    }

    public String code() {
        return code;
    }

    public HttpResponseStatus status() {
        return status;
    }
}
