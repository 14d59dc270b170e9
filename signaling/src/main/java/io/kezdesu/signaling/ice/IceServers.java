package io.kezdesu.signaling.ice;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kezdesu.common.relays.RelayRecords;
import io.kezdesu.common.turn.TurnCredential;
import io.kezdesu.common.turn.TurnRestCredentials;
import io.kezdesu.signaling.http.Json;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The {@code iceServers} handed to a joining client, shaped like RTCConfiguration.iceServers: STUN and TURN URLs
 * (UDP, TCP, and TURNS when the relay has TLS) with a fresh TURN REST credential scoped to the user and room.
 * Unless {@code turn-host} or {@code ice-urls} say otherwise, the host is the one the client used to reach us, so a
 * daemon reached at 127.0.0.1 hands out 127.0.0.1.
 */
public final class IceServers {

    /**
     * Where the relay listens, as far as signaling knows. With {@code tlsOnHttpsPort}, TURN over TLS is served on the
     * HTTPS port itself, and the {@code turns:} URL carries the port the client reached HTTPS on (443 unless its Host
     * said otherwise), which is right behind a NAT or load balancer that maps ports too.
     */
    public record RelayPorts(int port, Optional<Integer> tlsPort, boolean tlsOnHttpsPort) {
        public RelayPorts(int port, Optional<Integer> tlsPort) {
            this(port, tlsPort, false);
        }
    }

    /**
     * Which relays of the fleet a client gets: those of {@code region} first, then the least loaded, at most
     * {@code count} (0: all). {@code localId} is the relay in this process, whose URLs use the host the client
     * reached (or turn-host) as a lone daemon's do.
     */
    public record FleetChoice(Optional<String> region, int count, Optional<String> localId) {
        public static final FleetChoice NONE = new FleetChoice(Optional.empty(), 0, Optional.empty());
    }

    private final TurnRestCredentials credentials;
    private final List<String> configuredUrls;
    private final Optional<String> turnHost;
    private final Optional<RelayPorts> relay;
    private final FleetChoice choice;
    private volatile List<RelayRecords.Relay> fleet = List.of();

    public IceServers(TurnRestCredentials credentials, List<String> configuredUrls, Optional<String> turnHost,
                      Optional<RelayPorts> relay) {
        this(credentials, configuredUrls, turnHost, relay, FleetChoice.NONE);
    }

    public IceServers(TurnRestCredentials credentials, List<String> configuredUrls, Optional<String> turnHost,
                      Optional<RelayPorts> relay, FleetChoice choice) {
        this.credentials = credentials;
        this.configuredUrls = List.copyOf(configuredUrls);
        this.turnHost = turnHost;
        this.relay = relay;
        this.choice = choice;
    }

    /**
     * The relays the store heard from lately (refreshed every heartbeat). Clients get its healthy ones, so a
     * draining relay is no longer handed out; while there is none (no fleet, a start before this process's own relay
     * registered, every relay draining), they get the relay in this process, or the one signaling assumes beside it,
     * as before there was a fleet.
     */
    public void fleet(List<RelayRecords.Relay> alive) {
        this.fleet = List.copyOf(alive);
    }

    /** The relays a client is given now, in order (for tests and the admin API). */
    public List<RelayRecords.Relay> chosen() {
        Comparator<RelayRecords.Relay> order = Comparator
                .comparing((RelayRecords.Relay r) -> !choice.region().isPresent()
                        || !choice.region().equals(r.advert().region()))
                .thenComparingInt(RelayRecords.Relay::allocations)
                .thenComparing(RelayRecords.Relay::id);
        List<RelayRecords.Relay> healthy = fleet.stream()
                .filter(r -> !r.draining() && !r.drainRequested() && r.advert().port() != 0)
                .filter(r -> r.advert().host().isPresent() || choice.localId().equals(Optional.of(r.id())))
                .sorted(order).toList();
        return choice.count() == 0 || healthy.size() <= choice.count() ? healthy
                : healthy.subList(0, choice.count());
    }

    /**
     * The iceServers array for one participant; {@code requestHost} is the Host header the client sent (host, and
     * port when it named one).
     */
    public ArrayNode forParticipant(String userId, String roomId, String requestHost) {
        return build(userId, Optional.of(roomId), requestHost);
    }

    /** The iceServers array for a user outside any room (PeerJS clients, via {@code GET /api/ice-servers}). */
    public ArrayNode forUser(String userId, String requestHost) {
        return build(userId, Optional.empty(), requestHost);
    }

    private ArrayNode build(String userId, Optional<String> roomId, String requestHost) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        List<List<String>> servers = new ArrayList<>();
        List<RelayRecords.Relay> relays = configuredUrls.isEmpty() ? chosen() : List.of();
        if (relays.isEmpty()) {
            servers.add(urls(requestHost));
        }
        for (RelayRecords.Relay r : relays) {
            servers.add(choice.localId().equals(Optional.of(r.id())) ? urls(requestHost) : urls(r.advert()));
        }
        TurnCredential c = null;
        for (List<String> urls : servers) {
            List<String> stun = new ArrayList<>();
            List<String> turn = new ArrayList<>();
            for (String u : urls) {
                (u.startsWith("stun") ? stun : turn).add(u);
            }
            if (!stun.isEmpty()) {
                ObjectNode s = out.addObject();
                stun.forEach(s.putArray("urls")::add);
            }
            if (!turn.isEmpty()) {
                // One credential for every relay: the fleet shares its TURN secret.
                c = c != null ? c : credentials.mint(userId, roomId);
                ObjectNode t = out.addObject();
                turn.forEach(t.putArray("urls")::add);
                t.put("username", c.username());
                t.put("credential", c.password());
                t.put("credentialType", "password");
            }
        }
        return out;
    }

    /** A fleet relay's URLs, with the host and ports it registered. */
    private static List<String> urls(RelayRecords.Advert relay) {
        String raw = relay.host().orElseThrow();
        return urls(raw.contains(":") && !raw.startsWith("[") ? "[" + raw + "]" : raw, relay.port(),
                relay.tlsPort() == 0 ? Optional.empty() : Optional.of(relay.tlsPort()));
    }

    private static List<String> urls(String host, int port, Optional<Integer> tlsPort) {
        List<String> urls = new ArrayList<>();
        urls.add("stun:" + host + ":" + port);
        urls.add("turn:" + host + ":" + port + "?transport=udp");
        urls.add("turn:" + host + ":" + port + "?transport=tcp");
        tlsPort.filter(tls -> tls != 0).ifPresent(tls -> urls.add("turns:" + host + ":" + tls + "?transport=tcp"));
        return urls;
    }

    private static final int HTTPS_PORT = 443;

    /** The host of a Host header ({@code example.org:8443}, {@code [2001:db8::1]:443}); "localhost" when odd. */
    public static String hostOnly(String hostHeader) {
        String h = hostHeader.strip();
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end > 0 ? h.substring(1, end) : "localhost";
        }
        int colon = h.indexOf(':');
        String host = colon >= 0 ? h.substring(0, colon) : h;
        return host.matches("[A-Za-z0-9.-]{1,253}") ? host : "localhost";
    }

    /** The port a Host header names, if it names a valid one. */
    static Optional<Integer> portOf(String hostHeader) {
        String h = hostHeader.strip();
        int colon = h.lastIndexOf(':');
        if (colon < 0 || (h.startsWith("[") && colon < h.indexOf(']'))) {
            return Optional.empty();
        }
        String digits = h.substring(colon + 1);
        if (!digits.matches("[0-9]{1,5}")) {
            return Optional.empty();
        }
        int port = Integer.parseInt(digits);
        return port > 0 && port <= 65535 ? Optional.of(port) : Optional.empty();
    }

    List<String> urls(String hostHeader) {
        if (!configuredUrls.isEmpty()) {
            return configuredUrls;
        }
        // Port 0 means "the relay picks a free port": until the running relay reports the port it bound, signaling
        // does not know it, and "stun:host:0" would make browsers refuse the whole RTCConfiguration.
        if (relay.isEmpty() || relay.get().port() == 0) {
            return List.of();
        }
        String raw = turnHost.orElse(hostOnly(hostHeader));
        String host = raw.contains(":") && !raw.startsWith("[") ? "[" + raw + "]" : raw;
        RelayPorts p = relay.get();
        if (p.tlsOnHttpsPort()) {
            p = new RelayPorts(p.port(), Optional.of(portOf(hostHeader).orElse(HTTPS_PORT)));
        }
        return urls(host, p.port(), p.tlsPort());
    }
}
