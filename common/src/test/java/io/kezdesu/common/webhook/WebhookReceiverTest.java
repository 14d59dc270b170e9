package io.kezdesu.common.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kezdesu.common.config.ConfigException;
import io.kezdesu.common.config.ConfigLoader;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class WebhookReceiverTest {

    /**
     * The Standard Webhooks specification's example (its README), which the npm `standardwebhooks` library also
     * signs to this value.
     */
    @Test
    void signsAsTheSpecificationsExample() {
        WebhookReceiver r = WebhookReceiver.parse("https://example.org/hook whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        assertNotNull(r);
        assertEquals("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
                r.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, "{\"test\": 2432232314}"));
        assertEquals("https://example.org/hook whsec_<redacted>", r.toString());
    }

    @Test
    void refusesWhatIsNotAUrlAndASecret() {
        assertNull(WebhookReceiver.parse("https://example.org/hook"), "no secret");
        assertNull(WebhookReceiver.parse("ftp://example.org/hook whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
        assertNull(WebhookReceiver.parse("https://example.org/hook MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), "no whsec_");
        assertNull(WebhookReceiver.parse("https://example.org/hook whsec_c2hvcnQ="), "5 bytes of key");
        assertNull(WebhookReceiver.parse("https://example.org/hook whsec_not*base64*at*all*at*all"));
        assertNull(WebhookReceiver.parse("https://example.org/a https://example.org/b whsec_x"));
        assertNotNull(WebhookReceiver.parse("  http://127.0.0.1:8081/in?x=1   whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw "));
    }

    @Test
    void theConfigurationSaysWhatIsWrongAndNeverShowsTheSecret() {
        ConfigException e = assertThrowsConfig(() -> ConfigLoader.load(Optional.empty(), Map.of(),
                Map.of("webhooks", List.of("https://example.org/hook whsec_c2hvcnQ="))));
        assertTrue(e.getMessage().contains("webhooks"), e.getMessage());
        assertFalse(e.getMessage().contains("c2hvcnQ"), "the secret is not echoed: " + e.getMessage());
        ConfigException alone = assertThrowsConfig(() -> ConfigLoader.load(Optional.empty(), Map.of(),
                Map.of("webhook-url", List.of("https://example.org/hook"))));
        assertTrue(alone.getMessage().contains("webhook-url: https://example.org/hook (expected: given with "
                + "webhook-secret)"), alone.getMessage());
        ConfigException secretAlone = assertThrowsConfig(() -> ConfigLoader.load(Optional.empty(), Map.of(),
                Map.of("webhook-secret", List.of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))));
        assertFalse(secretAlone.getMessage().contains("MfKQ9r8"), secretAlone.getMessage());
    }

    private static ConfigException assertThrowsConfig(Executable run) {
        return org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class, run);
    }
}
