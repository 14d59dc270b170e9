package io.kezdesu.signaling.webhook;

import io.kezdesu.common.config.Config;
import io.kezdesu.common.config.ConfigKeys;
import io.kezdesu.common.webhook.WebhookReceiver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The webhook receivers ({@code webhooks}, plus {@code webhook-url} with {@code webhook-secret}) and the retries. */
public record WebhookSettings(List<WebhookReceiver> receivers, Duration retryFor, Duration firstRetry) {

    public static final WebhookSettings NONE = new WebhookSettings(List.of(), Duration.ofHours(24),
            Duration.ofSeconds(5));

    public WebhookSettings {
        receivers = List.copyOf(receivers);
    }

    public static WebhookSettings from(Config c) {
        List<WebhookReceiver> receivers = new ArrayList<>(c.get(ConfigKeys.WEBHOOKS));
        String url = c.get(ConfigKeys.WEBHOOK_URL);
        String secret = c.get(ConfigKeys.WEBHOOK_SECRET);
        if (url != null && secret != null) {
            receivers.add(new WebhookReceiver(WebhookReceiver.url(url), WebhookReceiver.key(secret)));
        }
        return new WebhookSettings(receivers, c.get(ConfigKeys.WEBHOOK_RETRY_FOR),
                c.get(ConfigKeys.WEBHOOK_FIRST_RETRY));
    }

    @Override
    public String toString() {
        return "WebhookSettings[" + receivers.size() + " receiver(s)]";
    }
}
