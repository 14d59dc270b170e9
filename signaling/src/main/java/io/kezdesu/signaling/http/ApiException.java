package io.kezdesu.signaling.http;

import java.time.Duration;
import java.util.Optional;

/** The root of every refusal the HTTP API gives; the message is shown to the client, so it never holds secrets. */
public final class ApiException extends RuntimeException {

    private final ApiError error;
    private final Optional<Duration> retryAfter;

    public ApiException(ApiError error, String message) {
        this(error, message, Optional.empty());
    }

    public ApiException(ApiError error, String message, Optional<Duration> retryAfter) {
        super(message, null, false, false);
        this.error = error;
        this.retryAfter = retryAfter;
    }

    public static ApiException invalidField(String field, String expected) {
        return new ApiException(ApiError.INVALID_FIELD, field + ": " + expected);
    }

    public ApiError error() {
        return error;
    }

    public Optional<Duration> retryAfter() {
        return retryAfter;
    }
}
