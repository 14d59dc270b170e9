package io.kezdesu.relay.config;

import io.kezdesu.common.config.AddressMapping;
import io.kezdesu.common.config.AddressRange;
import io.kezdesu.common.config.Config;
import io.kezdesu.common.config.ConfigKeys;
import io.kezdesu.common.config.NamedSecret;
import io.kezdesu.common.data.Secrets;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the relay needs, resolved and validated. Build it with {@link #from}; the record's compact constructor
 * checks every value so a {@link RelayServer} never starts half-configured.
 */
public record RelayConfig(
        List<InetAddress> listeningIps,
        int listeningPort,
        int tlsListeningPort,
        Optional<Path> tlsCert,
        Optional<Path> tlsKey,
        List<InetAddress> relayIps,
        List<AddressMapping> externalIps,
        int minPort,
        int maxPort,
        String realm,
        List<String> authSecrets,
        String nonceSecret,
        List<NamedSecret> users,
        List<AddressRange> deniedPeers,
        List<AddressRange> allowedPeers,
        boolean allowLoopbackPeers,
        boolean denyPrivatePeers,
        Duration defaultAllocationLifetime,
        Duration maxAllocationLifetime,
        Duration permissionLifetime,
        Duration channelLifetime,
        Duration nonceLifetime,
        int userQuota,
        int roomQuota,
        int totalQuota,
        int addressQuota,
        int connectionsPerIp,
        int maxConnections,
        Duration maxAllocateTimeout,
        int unauthorizedPerSecond,
        int unauthorizedBurst,
        int bindingPerSecond,
        int bindingBurst,
        int permissionQuota,
        long maxBps,
        int maxChannelNumber,
        int relayThreads,
        int altListeningPort) {

    /** RFC 8656 §12: channel numbers 0x4000–0x4FFF. */
    public static final int RFC8656_MAX_CHANNEL = 0x4FFF;
    /** RFC 5766 allowed up to 0x7FFF; coturn's and pion's clients still pick numbers there. */
    public static final int RFC5766_MAX_CHANNEL = 0x7FFF;

    public RelayConfig {
        listeningIps = List.copyOf(listeningIps);
        relayIps = List.copyOf(relayIps);
        externalIps = List.copyOf(externalIps);
        authSecrets = List.copyOf(authSecrets);
        users = List.copyOf(users);
        deniedPeers = List.copyOf(deniedPeers);
        allowedPeers = List.copyOf(allowedPeers);
        Objects.requireNonNull(tlsCert, "tlsCert");
        Objects.requireNonNull(tlsKey, "tlsKey");
        io.kezdesu.common.config.ConfigRules.relayIpProblem(relayIps).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
        check(listeningPort >= 0 && listeningPort <= 65535, "listeningPort", listeningPort, "0..65535");
        check(tlsListeningPort >= 0 && tlsListeningPort <= 65535, "tlsListeningPort", tlsListeningPort, "0..65535");
        check(tlsCert.isPresent() == tlsKey.isPresent(), "tlsCert", tlsCert, "set together with tlsKey");
        check(minPort >= 1 && minPort <= maxPort && maxPort <= 65535, "minPort", minPort + ".." + maxPort,
                "1 <= minPort <= maxPort <= 65535");
        check(realm != null && !realm.isEmpty() && realm.length() < 128, "realm", realm, "1..127 characters");
        check(!authSecrets.isEmpty() || !users.isEmpty(), "authSecrets", "[]", "a REST secret or a static user");
        check(nonceSecret != null && nonceSecret.length() >= 16, "nonceSecret", "<redacted>", ">= 16 characters");
        check(positiveSeconds(defaultAllocationLifetime), "defaultAllocationLifetime", defaultAllocationLifetime,
                ">= 1s");
        check(positiveSeconds(maxAllocationLifetime) && maxAllocationLifetime.compareTo(defaultAllocationLifetime) >= 0,
                "maxAllocationLifetime", maxAllocationLifetime, ">= defaultAllocationLifetime");
        check(positiveSeconds(permissionLifetime), "permissionLifetime", permissionLifetime, ">= 1s");
        check(positiveSeconds(channelLifetime), "channelLifetime", channelLifetime, ">= 1s");
        check(positiveSeconds(nonceLifetime), "nonceLifetime", nonceLifetime, ">= 1s");
        check(userQuota >= 0 && roomQuota >= 0 && totalQuota >= 0 && addressQuota >= 0, "quotas", userQuota + "/"
                + roomQuota + "/" + totalQuota + "/" + addressQuota, ">= 0");
        check(positiveSeconds(maxAllocateTimeout), "maxAllocateTimeout", maxAllocateTimeout, ">= 1s");
        check(unauthorizedPerSecond >= 1 && unauthorizedBurst >= 1, "unauthorizedPerSecond",
                unauthorizedPerSecond + "/" + unauthorizedBurst, ">= 1 per second, burst >= 1");
        check(bindingPerSecond >= 1 && bindingBurst >= 1, "bindingPerSecond", bindingPerSecond + "/" + bindingBurst,
                ">= 1 per second, burst >= 1");
        check(connectionsPerIp >= 0, "connectionsPerIp", connectionsPerIp, ">= 0 (0 = unlimited)");
        check(maxConnections >= 0, "maxConnections", maxConnections, ">= 0 (0 = from the open-file limit)");
        check(permissionQuota >= 1, "permissionQuota", permissionQuota, ">= 1");
        check(maxBps >= 0, "maxBps", maxBps, ">= 0");
        check(relayThreads >= 0, "relayThreads", relayThreads, ">= 0 (0 = one per core)");
        check(maxChannelNumber == RFC8656_MAX_CHANNEL || maxChannelNumber == RFC5766_MAX_CHANNEL,
                "maxChannelNumber", "0x" + Integer.toHexString(maxChannelNumber), "0x4fff or 0x7fff");
    }

    /** The CLI's entry: the relay keys of the configuration, the resolved secrets, and the TLS PEM files if any. */
    public static RelayConfig from(Config config, Secrets secrets, Optional<Path> tlsCert, Optional<Path> tlsKey) {
        return new RelayConfig(
                config.get(ConfigKeys.LISTENING_IP),
                config.get(ConfigKeys.LISTENING_PORT),
                config.get(ConfigKeys.TLS_LISTENING_PORT),
                tlsCert, tlsKey,
                config.get(ConfigKeys.RELAY_IP),
                config.get(ConfigKeys.EXTERNAL_IP),
                config.get(ConfigKeys.MIN_PORT),
                config.get(ConfigKeys.MAX_PORT),
                config.get(ConfigKeys.REALM),
                secrets.turnSecrets(),
                secrets.nonceSecret(),
                config.get(ConfigKeys.USER),
                config.get(ConfigKeys.DENIED_PEER_IP),
                config.get(ConfigKeys.ALLOWED_PEER_IP),
                config.get(ConfigKeys.ALLOW_LOOPBACK_PEERS),
                config.get(ConfigKeys.DENY_PRIVATE_PEERS),
                config.get(ConfigKeys.DEFAULT_ALLOCATE_LIFETIME),
                config.get(ConfigKeys.MAX_ALLOCATE_LIFETIME),
                config.get(ConfigKeys.PERMISSION_LIFETIME),
                config.get(ConfigKeys.CHANNEL_LIFETIME),
                config.get(ConfigKeys.NONCE_LIFETIME),
                config.get(ConfigKeys.USER_QUOTA),
                config.get(ConfigKeys.ROOM_QUOTA),
                config.get(ConfigKeys.TOTAL_QUOTA),
                config.get(ConfigKeys.ADDRESS_QUOTA),
                config.get(ConfigKeys.CONNECTIONS_PER_IP),
                config.get(ConfigKeys.MAX_CONNECTIONS),
                config.get(ConfigKeys.MAX_ALLOCATE_TIMEOUT),
                config.get(ConfigKeys.UNAUTHORIZED_PER_SECOND),
                config.get(ConfigKeys.UNAUTHORIZED_BURST),
                config.get(ConfigKeys.BINDING_PER_SECOND),
                config.get(ConfigKeys.BINDING_BURST),
                config.get(ConfigKeys.PERMISSION_QUOTA),
                config.get(ConfigKeys.MAX_BPS),
                config.get(ConfigKeys.LEGACY_CHANNEL_NUMBERS) ? RFC5766_MAX_CHANNEL : RFC8656_MAX_CHANNEL,
                config.get(ConfigKeys.RELAY_THREADS),
                config.get(ConfigKeys.ALT_LISTENING_PORT));
    }

    /**
     * A copy that also accepts RFC 5766's channel numbers 0x5000–0x7FFF, which RFC 8656 reserved: for legacy
     * clients such as coturn's turnutils_uclient. Strict RFC 8656 is the default.
     */
    public RelayConfig withLegacyChannelNumbers() {
        return new RelayConfig(listeningIps, listeningPort, tlsListeningPort, tlsCert, tlsKey, relayIps, externalIps,
                minPort, maxPort, realm, authSecrets, nonceSecret, users, deniedPeers, allowedPeers, allowLoopbackPeers,
                denyPrivatePeers, defaultAllocationLifetime, maxAllocationLifetime, permissionLifetime, channelLifetime,
                nonceLifetime, userQuota, roomQuota, totalQuota, addressQuota, connectionsPerIp, maxConnections, maxAllocateTimeout, unauthorizedPerSecond,
                unauthorizedBurst, bindingPerSecond, bindingBurst, permissionQuota, maxBps,
                RFC5766_MAX_CHANNEL,
                relayThreads, altListeningPort);
    }

    /**
     * The second address and port of RFC 5780 NAT behaviour discovery, when it is served: {@code listening-ip} names
     * two addresses of one family (the first two such) and {@code listening-port} is a real port. The alternate port
     * is {@code alt-listening-port}, or the listening port + 1 when that is 0, as in coturn.
     */
    public java.util.Optional<NatDiscoveryAddresses> natDiscovery() {
        if (listeningPort == 0) {
            return java.util.Optional.empty();
        }
        for (int i = 0; i < listeningIps.size(); i++) {
            for (int j = i + 1; j < listeningIps.size(); j++) {
                InetAddress a = listeningIps.get(i);
                InetAddress b = listeningIps.get(j);
                if (a.getClass() == b.getClass() && !a.isAnyLocalAddress() && !b.isAnyLocalAddress()) {
                    int alt = altListeningPort != 0 ? altListeningPort : listeningPort + 1;
                    return alt > 65535 || alt == listeningPort ? java.util.Optional.empty()
                            : java.util.Optional.of(new NatDiscoveryAddresses(a, b, listeningPort, alt));
                }
            }
        }
        return java.util.Optional.empty();
    }

    /** RFC 5780's two addresses and two ports: the relay answers from any of the four combinations. */
    public record NatDiscoveryAddresses(InetAddress primaryIp, InetAddress alternateIp, int primaryPort,
                                        int alternatePort) {
    }

    /** The event loops to run: {@link #relayThreads()}, or one per core when that is 0. */
    public int eventLoops() {
        return relayThreads > 0 ? relayThreads : Runtime.getRuntime().availableProcessors();
    }

    public boolean tlsEnabled() {
        return tlsCert.isPresent();
    }

    @Override
    public String toString() {
        return "RelayConfig[listening=" + listeningIps + ":" + listeningPort + ", realm=" + realm + ", ports="
                + minPort + ".." + maxPort + "]";
    }

    private static boolean positiveSeconds(Duration d) {
        return d != null && d.toSeconds() >= 1;
    }

    private static void check(boolean ok, String name, Object value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: " + expected + ")");
        }
    }
}
