package io.kezdesu.signaling.admin;

import io.kezdesu.signaling.http.ApiError;
import io.kezdesu.signaling.http.ApiException;
import io.kezdesu.signaling.http.ApiRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Checks {@code Authorization: Bearer <admin token>} in constant time. */
public final class AdminAuth {

    private final byte[] token;

    public AdminAuth(String token) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    public void require(ApiRequest req) {
        byte[] presented = req.bearerToken().orElse("").getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(token, presented)) {
            throw new ApiException(ApiError.UNAUTHORIZED, "the admin API requires Authorization: Bearer <admin token>");
        }
    }
}
