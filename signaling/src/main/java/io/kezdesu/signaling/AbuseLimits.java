package io.kezdesu.signaling;

import io.kezdesu.common.config.AddressRange;
import io.kezdesu.common.config.Config;
import io.kezdesu.common.config.ConfigKeys;
import java.time.Duration;
import java.util.List;

/**
 * What bounds a client with no account or a hostile one: login throttles, registrations per address, the password
 * hashing queue, which proxies may name the client address these are keyed by, how long a request may take to
 * arrive, how many connections one address may hold, which other sites' pages may open the signaling socket, and
 * who may read the metrics.
 */
public record AbuseLimits(int loginFailuresPerIp, int loginFailuresPerAccount, Duration loginFailureWindow,
                          int registrationsPerIp, Duration registrationWindow, int passwordHashQueue,
                          List<AddressRange> trustedProxies, Duration headerTimeout, int connectionsPerIp,
                          int maxConnections,
                          List<String> allowedOrigins, ConfigKeys.MetricsAccess metricsAccess) {

    public AbuseLimits {
        trustedProxies = List.copyOf(trustedProxies);
        allowedOrigins = List.copyOf(allowedOrigins);
        if (passwordHashQueue < 2) {
            throw new IllegalArgumentException("password-hash-queue: " + passwordHashQueue + " (expected: >= 2)");
        }
    }

    public static AbuseLimits from(Config c) {
        return new AbuseLimits(c.get(ConfigKeys.LOGIN_FAILURES_PER_IP), c.get(ConfigKeys.LOGIN_FAILURES_PER_ACCOUNT),
                c.get(ConfigKeys.LOGIN_FAILURE_WINDOW), c.get(ConfigKeys.REGISTRATIONS_PER_IP),
                c.get(ConfigKeys.REGISTRATION_WINDOW), c.get(ConfigKeys.PASSWORD_HASH_QUEUE),
                c.get(ConfigKeys.TRUSTED_PROXIES), c.get(ConfigKeys.HEADER_TIMEOUT),
                c.get(ConfigKeys.CONNECTIONS_PER_IP), c.get(ConfigKeys.MAX_CONNECTIONS), c.get(ConfigKeys.ALLOWED_ORIGINS),
                c.get(ConfigKeys.METRICS_ACCESS));
    }
}
