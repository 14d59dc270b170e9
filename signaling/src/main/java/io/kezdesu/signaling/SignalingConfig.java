package io.kezdesu.signaling;

import io.kezdesu.common.config.Config;
import io.kezdesu.common.config.ConfigKeys;
import io.kezdesu.common.data.Secrets;
import io.kezdesu.common.tls.TlsFiles;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** What the signaling server needs, taken from the configuration and the resolved secrets. */
public record SignalingConfig(InetAddress httpIp, int httpPort, Optional<TlsFiles> tls, int maxBodySize,
                              String jwtSecret, String jwtIssuer, Duration jwtTtl, String adminToken,
                              boolean allowRegistration, int loginFailuresPerIp, int loginFailuresPerAccount,
                              Duration loginFailureWindow) {

    public SignalingConfig {
        Objects.requireNonNull(httpIp, "httpIp");
        Objects.requireNonNull(tls, "tls");
        if (httpPort < 0 || httpPort > 65535) {
            throw new IllegalArgumentException("http-port: " + httpPort + " (expected: 0..65535)");
        }
        if (maxBodySize < 1024) {
            throw new IllegalArgumentException("max-body-size: " + maxBodySize + " (expected: >= 1024)");
        }
    }

    public static SignalingConfig from(Config c, Secrets secrets, Optional<TlsFiles> tls) {
        return new SignalingConfig(c.get(ConfigKeys.HTTP_IP), c.get(ConfigKeys.HTTP_PORT), tls,
                Math.toIntExact(c.get(ConfigKeys.MAX_BODY_SIZE)), secrets.jwtSecret(), c.get(ConfigKeys.JWT_ISSUER),
                c.get(ConfigKeys.JWT_TTL), secrets.adminToken(), c.get(ConfigKeys.ALLOW_REGISTRATION),
                c.get(ConfigKeys.LOGIN_FAILURES_PER_IP), c.get(ConfigKeys.LOGIN_FAILURES_PER_ACCOUNT),
                c.get(ConfigKeys.LOGIN_FAILURE_WINDOW));
    }

    @Override
    public String toString() {
        return "SignalingConfig[http=" + httpIp.getHostAddress() + ":" + httpPort + ", tls=" + tls.isPresent() + "]";
    }
}
