package io.kezdesu.signaling.ice;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kezdesu.common.turn.TurnCredential;
import io.kezdesu.common.turn.TurnRestCredentials;
import io.kezdesu.signaling.http.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code iceServers} handed to a joining client, shaped like RTCConfiguration.iceServers: STUN and TURN URLs
 * (UDP, TCP, and TURNS when the relay has TLS) with a fresh TURN REST credential scoped to the user and room.
 * Unless {@code turn-host} or {@code ice-urls} say otherwise, the host is the one the client used to reach us, so a
 * daemon reached at 127.0.0.1 hands out 127.0.0.1.
 */
public final class IceServers {

    /** Where the relay listens, as far as signaling knows. */
    public record RelayPorts(int port, Optional<Integer> tlsPort) {
    }

    private final TurnRestCredentials credentials;
    private final List<String> configuredUrls;
    private final Optional<String> turnHost;
    private final Optional<RelayPorts> relay;

    public IceServers(TurnRestCredentials credentials, List<String> configuredUrls, Optional<String> turnHost,
                      Optional<RelayPorts> relay) {
        this.credentials = credentials;
        this.configuredUrls = List.copyOf(configuredUrls);
        this.turnHost = turnHost;
        this.relay = relay;
    }

    /** The iceServers array for one participant; {@code requestHost} is the Host the client connected to. */
    public ArrayNode forParticipant(String userId, String roomId, String requestHost) {
        return build(userId, Optional.of(roomId), requestHost);
    }

    /** The iceServers array for a user outside any room (PeerJS clients, via {@code GET /api/ice-servers}). */
    public ArrayNode forUser(String userId, String requestHost) {
        return build(userId, Optional.empty(), requestHost);
    }

    private ArrayNode build(String userId, Optional<String> roomId, String requestHost) {
        List<String> urls = urls(requestHost);
        ArrayNode out = Json.MAPPER.createArrayNode();
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
            TurnCredential c = credentials.mint(userId, roomId);
            ObjectNode t = out.addObject();
            turn.forEach(t.putArray("urls")::add);
            t.put("username", c.username());
            t.put("credential", c.password());
            t.put("credentialType", "password");
        }
        return out;
    }

    List<String> urls(String requestHost) {
        if (!configuredUrls.isEmpty()) {
            return configuredUrls;
        }
        // Port 0 means "the relay picks a free port": until the running relay reports the port it bound, signaling
        // does not know it, and "stun:host:0" would make browsers refuse the whole RTCConfiguration.
        if (relay.isEmpty() || relay.get().port() == 0) {
            return List.of();
        }
        String raw = turnHost.orElse(requestHost);
        String host = raw.contains(":") && !raw.startsWith("[") ? "[" + raw + "]" : raw;
        RelayPorts p = relay.get();
        List<String> urls = new ArrayList<>();
        urls.add("stun:" + host + ":" + p.port());
        urls.add("turn:" + host + ":" + p.port() + "?transport=udp");
        urls.add("turn:" + host + ":" + p.port() + "?transport=tcp");
        p.tlsPort().filter(tls -> tls != 0).ifPresent(tls -> urls.add("turns:" + host + ":" + tls + "?transport=tcp"));
        return urls;
    }
}
