package io.kezdesu.signaling.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import io.kezdesu.signaling.account.AccountRules;
import io.kezdesu.signaling.http.ApiException;
import io.kezdesu.signaling.http.Json;
import io.kezdesu.signaling.room.RoomsApi;

/**
 * HTTP request bodies, as the accounts and rooms APIs read them: on any bytes, one JSON object whose fields pass the
 * API's rules, or an {@link ApiException} (a 400 that names what is wrong). Anything else would reach the client as
 * a 500. {@code scripts/fuzz} runs it as a fuzzer.
 */
class RequestBodyFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void bodiesAreReadOrRefusedWithA400(byte[] body) {
        JsonNode json;
        try {
            json = Json.parseObject(body);
        } catch (ApiException refused) {
            return;
        }
        assertTrue(json.isObject());
        refusedOrAccepted(() -> AccountRules.onlyFields(json, "email", "name", "password"));
        refusedOrAccepted(() -> AccountRules.email(json));
        refusedOrAccepted(() -> AccountRules.name(json));
        refusedOrAccepted(() -> AccountRules.password(json, "password"));
        refusedOrAccepted(() -> AccountRules.optionalString(json, "currentPassword"));
        refusedOrAccepted(() -> RoomsApi.passwordChange(json));
        refusedOrAccepted(() -> RoomsApi.name(AccountRules.requiredString(json, "name")));
    }

    private static void refusedOrAccepted(Runnable rule) {
        try {
            rule.run();
        } catch (ApiException refused) {
            // a 400 with the field's name
        }
    }
}
