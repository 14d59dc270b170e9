package io.kezdesu.signaling;

import io.kezdesu.common.config.Config;
import io.kezdesu.common.config.ConfigKeys;
import io.kezdesu.common.config.ConfigKeys.DuplicateJoin;
import io.kezdesu.common.data.Secrets;
import io.kezdesu.common.tls.TlsFiles;
import io.kezdesu.signaling.ice.IceServers;
import io.kezdesu.signaling.ws.WebSocketSettings;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * What the signaling server needs, taken from the configuration and the resolved secrets.
 *
 * @param relay where the relay listens (ports), when one runs beside signaling or is configured
 */
public record SignalingConfig(InetAddress httpIp, int httpPort, Optional<TlsFiles> tls, int maxBodySize,
                              String jwtSecret, String jwtIssuer, Duration jwtTtl, String adminToken,
                              boolean allowRegistration, AbuseLimits abuse, Optional<String> publicUrl, Optional<String> turnHost,
                              List<String> iceUrls, List<String> turnSecrets, Duration turnCredentialTtl,
                              Optional<IceServers.RelayPorts> relay, int defaultMaxParticipants, int roomsPerUser,
                              int maxParticipantsLimit, DuplicateJoin duplicateJoin, WebSocketSettings webSocket,
                              Duration resumeGrace, int resumeQueue,
                              Optional<io.kezdesu.signaling.peerjs.PeerJsSettings> peerJs, Duration nodeTimeout,
                              Optional<String> nodeAddress, Optional<String> clusterSecret,
                              Optional<java.nio.file.Path> nodeIdFile, IceServers.FleetChoice fleet,
                              io.kezdesu.signaling.webhook.WebhookSettings webhooks,
                              Duration maxConferenceExtension, Optional<IdpSettings> idp) {

    /** The identity provider whose access tokens are accepted: its issuer and the audience they must carry. */
    public record IdpSettings(List<Provider> providers, Duration keysMinInterval, boolean only,
                              java.util.Set<String> roomCreators, java.util.Set<String> admins,
                              io.kezdesu.common.auth.oidc.IdpTokens.ClaimNames claims) {
    }

    /** One identity provider: {@code oidc} for the one of oidc-issuer, else its id in oidc-providers. */
    public record Provider(String id, String issuer, String audience,
                           Optional<io.kezdesu.signaling.account.OidcSignIn.Settings> signIn) {
    }

    private static List<Provider> providers(Config c) {
        List<Provider> out = new java.util.ArrayList<>();
        c.find(ConfigKeys.OIDC_ISSUER).ifPresent(issuer -> out.add(new Provider("oidc", issuer,
                c.find(ConfigKeys.OIDC_AUDIENCE).orElseGet(() -> c.get(ConfigKeys.OIDC_CLIENT_ID)),
                c.find(ConfigKeys.OIDC_CLIENT_ID).map(id -> new io.kezdesu.signaling.account.OidcSignIn.Settings(
                        id, c.find(ConfigKeys.OIDC_CLIENT_SECRET), c.get(ConfigKeys.OIDC_SCOPES),
                        c.find(ConfigKeys.OIDC_DISPLAY_NAME).orElseGet(() -> java.net.URI.create(issuer).getHost()))))));
        for (io.kezdesu.common.auth.oidc.ProviderSpec p : c.get(ConfigKeys.OIDC_PROVIDERS)) {
            out.add(new Provider(p.id(), p.issuer(), p.audience().orElse(p.clientId()), Optional.of(
                    new io.kezdesu.signaling.account.OidcSignIn.Settings(p.clientId(), p.clientSecret(),
                            p.scopes().orElse(c.get(ConfigKeys.OIDC_SCOPES)),
                            p.name().orElseGet(() -> java.net.URI.create(p.issuer()).getHost())))));
        }
        return out;
    }


    /** In the data directory: the id of the node that last ran from it, so that its next run supersedes it. */
    public static final String NODE_ID_FILE = "node-id";

    public SignalingConfig {
        Objects.requireNonNull(httpIp, "httpIp");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(peerJs, "peerJs");
        if (httpPort < 0 || httpPort > 65535) {
            throw new IllegalArgumentException("http-port: " + httpPort + " (expected: 0..65535)");
        }
        if (maxBodySize < 1024) {
            throw new IllegalArgumentException("max-body-size: " + maxBodySize + " (expected: >= 1024)");
        }
        if (defaultMaxParticipants > maxParticipantsLimit) {
            defaultMaxParticipants = maxParticipantsLimit;
        }
        iceUrls = List.copyOf(iceUrls);
        turnSecrets = List.copyOf(turnSecrets);
    }

    /**
     * @param relay the running relay's ports, or empty to use the configured {@code listening-port} (and
     *              {@code tls-listening-port} when a certificate is configured)
     */
    public static SignalingConfig from(Config c, Secrets secrets, Optional<TlsFiles> tls,
                                       Optional<IceServers.RelayPorts> relay) {
        return from(c, secrets, tls, relay, Optional.empty());
    }

    /** Warnings for keys this configuration sets that are no longer used (they are accepted, and ignored). */
    static List<String> retired(Config c) {
        return c.origin(ConfigKeys.CONFERENCE_HEARTBEAT) == Config.Origin.DEFAULT ? List.of()
                : List.of("conference-heartbeat is no longer used and is ignored: a live conference's report runs to "
                        + "its node's last heartbeat (every third of node-timeout)");
    }

    /** {@code localRelayId}: the fleet id of the relay running in this process, when one does. */
    public static SignalingConfig from(Config c, Secrets secrets, Optional<TlsFiles> tls,
                                       Optional<IceServers.RelayPorts> relay, Optional<String> localRelayId) {
        retired(c).forEach(LoggerFactory.getLogger(SignalingConfig.class)::warn);
        Optional<IceServers.RelayPorts> ports = relay.or(() -> Optional.of(new IceServers.RelayPorts(
                c.get(ConfigKeys.LISTENING_PORT),
                tls.isPresent() ? Optional.of(c.get(ConfigKeys.TLS_LISTENING_PORT)) : Optional.empty())));
        return new SignalingConfig(c.get(ConfigKeys.HTTP_IP), c.get(ConfigKeys.HTTP_PORT), tls,
                Math.toIntExact(c.get(ConfigKeys.MAX_BODY_SIZE)), secrets.jwtSecret(), c.get(ConfigKeys.JWT_ISSUER),
                c.get(ConfigKeys.JWT_TTL), secrets.adminToken(), c.get(ConfigKeys.ALLOW_REGISTRATION),
                AbuseLimits.from(c), c.find(ConfigKeys.PUBLIC_URL), c.find(ConfigKeys.TURN_HOST),
                c.get(ConfigKeys.ICE_URLS), secrets.turnSecrets(), c.get(ConfigKeys.TURN_CREDENTIAL_TTL), ports,
                c.get(ConfigKeys.DEFAULT_MAX_PARTICIPANTS), c.get(ConfigKeys.ROOMS_PER_USER),
                c.get(ConfigKeys.MAX_PARTICIPANTS_LIMIT),
                c.get(ConfigKeys.DUPLICATE_JOIN),
                new WebSocketSettings(Math.toIntExact(c.get(ConfigKeys.WS_MAX_MESSAGE_SIZE)),
                        c.get(ConfigKeys.WS_RATE_LIMIT), c.get(ConfigKeys.HEARTBEAT_TIMEOUT)),
                c.get(ConfigKeys.RESUME_GRACE), c.get(ConfigKeys.RESUME_QUEUE),
                io.kezdesu.signaling.peerjs.PeerJsSettings.from(c), c.get(ConfigKeys.NODE_TIMEOUT),
                c.find(ConfigKeys.NODE_ADDRESS), c.find(ConfigKeys.CLUSTER_SECRET),
                Optional.of(c.get(ConfigKeys.DATA_DIR).resolve(NODE_ID_FILE)),
                new IceServers.FleetChoice(c.find(ConfigKeys.REGION), c.get(ConfigKeys.ICE_RELAY_COUNT), localRelayId),
                io.kezdesu.signaling.webhook.WebhookSettings.from(c), c.get(ConfigKeys.MAX_CONFERENCE_EXTENSION),
                Optional.of(providers(c)).filter(p -> !p.isEmpty()).map(providers -> new IdpSettings(providers,
                        c.get(ConfigKeys.OIDC_KEYS_MIN_INTERVAL), c.get(ConfigKeys.OIDC_ONLY),
                        java.util.Set.copyOf(c.get(ConfigKeys.OIDC_ROOM_CREATORS)),
                        java.util.Set.copyOf(c.get(ConfigKeys.OIDC_ADMINS)),
                        new io.kezdesu.common.auth.oidc.IdpTokens.ClaimNames(c.get(ConfigKeys.OIDC_EMAIL_CLAIM),
                                c.get(ConfigKeys.OIDC_NAME_CLAIM), c.get(ConfigKeys.OIDC_GROUPS_CLAIM)))));
    }

    @Override
    public String toString() {
        return "SignalingConfig[http=" + httpIp.getHostAddress() + ":" + httpPort + ", tls=" + tls.isPresent() + "]";
    }
}
