package io.kezdesu.common.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The rules a configuration must keep beyond each value's own type: between keys, and about the files and paths a
 * key names. They live here, not in the daemons, so that {@code kezdesu config check} refuses exactly what
 * {@code kezdesu serve} would.
 */
public final class ConfigRules {

    /** peerjs-server's path option, kept off the paths kezdesu's own API and socket use. */
    private static final String PEERJS_PATH = "(/[A-Za-z0-9._~-]+)+";

    private ConfigRules() {
    }

    /**
     * Every broken rule, one line each. A rule that involves a key in {@code refused} (whose value did not parse
     * and is therefore its default here) is skipped.
     *
     * @param files whether to check the files and directories keys name as well
     */
    static List<String> check(Config c, Set<ConfigKey<?>> refused, boolean files) {
        List<String> problems = new ArrayList<>();
        if (usable(refused, ConfigKeys.MIN_PORT, ConfigKeys.MAX_PORT)
                && c.get(ConfigKeys.MIN_PORT) > c.get(ConfigKeys.MAX_PORT)) {
            problems.add("min-port: " + c.get(ConfigKeys.MIN_PORT) + " (expected: <= max-port, which is "
                    + c.get(ConfigKeys.MAX_PORT) + ")");
        }
        if (usable(refused, ConfigKeys.DEFAULT_MAX_PARTICIPANTS, ConfigKeys.MAX_PARTICIPANTS_LIMIT)
                && c.get(ConfigKeys.DEFAULT_MAX_PARTICIPANTS) > c.get(ConfigKeys.MAX_PARTICIPANTS_LIMIT)) {
            problems.add("default-max-participants: " + c.get(ConfigKeys.DEFAULT_MAX_PARTICIPANTS)
                    + " (expected: <= max-participants-limit, which is " + c.get(ConfigKeys.MAX_PARTICIPANTS_LIMIT)
                    + ")");
        }
        if (usable(refused, ConfigKeys.RELAY_IP)) {
            relayIpProblem(c.get(ConfigKeys.RELAY_IP)).ifPresent(problems::add);
        }
        tls(c, refused, files, problems);
        Duration def = c.get(ConfigKeys.DEFAULT_ALLOCATE_LIFETIME);
        Duration maxLife = c.get(ConfigKeys.MAX_ALLOCATE_LIFETIME);
        if (usable(refused, ConfigKeys.DEFAULT_ALLOCATE_LIFETIME, ConfigKeys.MAX_ALLOCATE_LIFETIME)
                && def.compareTo(maxLife) > 0) {
            problems.add("default-allocate-lifetime: " + ValueType.printDuration(def)
                    + " (expected: <= max-allocate-lifetime, which is " + ValueType.printDuration(maxLife) + ")");
        }
        if (usable(refused, ConfigKeys.WEBHOOK_URL, ConfigKeys.WEBHOOK_SECRET)
                && (c.get(ConfigKeys.WEBHOOK_URL) == null) != (c.get(ConfigKeys.WEBHOOK_SECRET) == null)) {
            problems.add(c.get(ConfigKeys.WEBHOOK_URL) == null
                    ? "webhook-secret: <redacted> (expected: given with webhook-url)"
                    : "webhook-url: " + c.get(ConfigKeys.WEBHOOK_URL) + " (expected: given with webhook-secret)");
        }
        if (usable(refused, ConfigKeys.OIDC_ISSUER) && c.get(ConfigKeys.OIDC_ISSUER) != null) {
            try {
                io.kezdesu.common.auth.oidc.IdpTokens.checkedIssuer(c.get(ConfigKeys.OIDC_ISSUER));
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
            if (c.get(ConfigKeys.OIDC_AUDIENCE) == null && c.get(ConfigKeys.OIDC_CLIENT_ID) == null) {
                problems.add("oidc-audience: unset (expected: the audience the provider's tokens carry, or "
                        + "oidc-client-id, with oidc-issuer)");
            }
        }
        if (usable(refused, ConfigKeys.OIDC_PROVIDERS, ConfigKeys.OIDC_ISSUER)) {
            java.util.Set<String> ids = new java.util.HashSet<>();
            if (c.get(ConfigKeys.OIDC_ISSUER) != null) {
                ids.add("oidc");
            }
            for (io.kezdesu.common.auth.oidc.ProviderSpec p : c.get(ConfigKeys.OIDC_PROVIDERS)) {
                if (!ids.add(p.id())) {
                    problems.add("oidc-providers: id=" + p.id() + " (expected: an id of its own; \"oidc\" is the "
                            + "provider of oidc-issuer)");
                }
            }
        }
        String uri = c.get(ConfigKeys.MONGO_URI);
        if (uri != null && !uri.startsWith("mongodb://") && !uri.startsWith("mongodb+srv://")) {
            problems.add("mongo-uri: <redacted> (expected: a connection string starting with mongodb:// or "
                    + "mongodb+srv://)");
        }
        if (c.get(ConfigKeys.PEERJS_ENABLED)) {
            peerJsPathProblem(c.get(ConfigKeys.PEERJS_PATH)).ifPresent(problems::add);
        }
        Path dataDir = c.get(ConfigKeys.DATA_DIR);
        if (files && Files.exists(dataDir) && !Files.isDirectory(dataDir)) {
            problems.add("data-dir: " + dataDir + " (expected: a directory; this is a file)");
        }
        return problems;
    }

    /**
     * What is wrong with a relay-ip list, if anything: a relay serves at most one relayed address per family
     * (RFC 8656 §7.2 picks the family, not the address), so at most one IPv4 and one IPv6 address.
     */
    public static java.util.Optional<String> relayIpProblem(List<java.net.InetAddress> relayIps) {
        long v4 = relayIps.stream().filter(a -> a instanceof java.net.Inet4Address).count();
        long v6 = relayIps.size() - v4;
        if (v4 <= 1 && v6 <= 1 && relayIps.stream().noneMatch(java.net.InetAddress::isAnyLocalAddress)) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("relay-ip: " + String.join(",", relayIps.stream()
                .map(java.net.InetAddress::getHostAddress).toList())
                + " (expected: at most one IPv4 and one IPv6 address, neither a wildcard)");
    }

    /** What is wrong with a PeerJS base path, if anything: the one rule for config check and the server. */
    public static java.util.Optional<String> peerJsPathProblem(String path) {
        if (path.matches(PEERJS_PATH) && !path.equals("/api") && !path.startsWith("/api/") && !path.equals("/ws")) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("peerjs-path: " + path
                + " (expected: a non-root path such as /peerjs, outside /api and /ws)");
    }

    private static void tls(Config c, Set<ConfigKey<?>> refused, boolean files, List<String> problems) {
        if (!usable(refused, ConfigKeys.TLS_CERT, ConfigKeys.TLS_KEY)) {
            return;
        }
        boolean cert = c.get(ConfigKeys.TLS_CERT) != null;
        boolean key = c.get(ConfigKeys.TLS_KEY) != null;
        if (cert != key) {
            problems.add((cert ? "tls-key: <unset>" : "tls-cert: <unset>")
                    + " (expected: tls-cert and tls-key are set together)");
        }
        if (cert && usable(refused, ConfigKeys.TLS_SELF_SIGNED) && c.get(ConfigKeys.TLS_SELF_SIGNED)) {
            problems.add("tls-self-signed: true (expected: false when tls-cert is set)");
        }
        if (files) {
            readable(ConfigKeys.TLS_CERT, c.get(ConfigKeys.TLS_CERT), problems);
            readable(ConfigKeys.TLS_KEY, c.get(ConfigKeys.TLS_KEY), problems);
        }
    }

    private static void readable(ConfigKey<Path> key, Path file, List<String> problems) {
        if (file == null) {
            return;
        }
        String why = null;
        if (Files.isDirectory(file)) {
            why = "a directory";
        } else {
            // Opening it, rather than asking Files.isReadable, tells a missing file from one we may not read.
            try (var channel = Files.newByteChannel(file)) {
                channel.size();
            } catch (java.nio.file.NoSuchFileException e) {
                why = "no such file";
            } catch (java.nio.file.AccessDeniedException e) {
                why = "permission denied";
            } catch (java.io.IOException e) {
                why = e.getMessage();
            }
        }
        if (why != null) {
            problems.add(key.name() + ": " + file + " (expected: a readable PEM file; " + why + ")");
        }
    }

    private static boolean usable(Set<ConfigKey<?>> refused, ConfigKey<?>... keys) {
        return Arrays.stream(keys).noneMatch(refused::contains);
    }
}
