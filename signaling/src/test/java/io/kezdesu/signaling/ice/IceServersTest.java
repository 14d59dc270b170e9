package io.kezdesu.signaling.ice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kezdesu.common.turn.TurnRestCredentials;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IceServersTest {

    private static final TurnRestCredentials CREDS =
            new TurnRestCredentials(List.of("first-secret-123"), Duration.ofHours(1), Clock.systemUTC());

    private static IceServers ice(int port, Optional<Integer> tls) {
        return new IceServers(CREDS, List.of(), Optional.empty(), Optional.of(new IceServers.RelayPorts(port, tls)));
    }

    @Test
    void derivesStunAndTurnUrlsFromTheRequestHost() {
        assertEquals(List.of("stun:127.0.0.1:3478", "turn:127.0.0.1:3478?transport=udp",
                        "turn:127.0.0.1:3478?transport=tcp", "turns:127.0.0.1:5349?transport=tcp"),
                ice(3478, Optional.of(5349)).urls("127.0.0.1"));
    }

    /** `--listening-port 0` without a relay reporting its bound port: browsers refuse "stun:host:0" outright. */
    @Test
    void handsOutNoUrlsWhileTheRelayPortIsUnknown() {
        assertTrue(ice(0, Optional.empty()).urls("127.0.0.1").isEmpty());
        assertEquals(0, ice(0, Optional.of(0)).forParticipant("u1", "r1", "127.0.0.1").size());
        assertEquals(List.of("stun:127.0.0.1:3478", "turn:127.0.0.1:3478?transport=udp",
                "turn:127.0.0.1:3478?transport=tcp"), ice(3478, Optional.of(0)).urls("127.0.0.1"));
    }

    /** TURN over TLS on the HTTPS port: the turns: URL carries the port the client reached HTTPS on. */
    @Test
    void turnsOnTheHttpsPortTakesThePortFromTheHostHeader() {
        IceServers ice = new IceServers(CREDS, List.of(), Optional.empty(),
                Optional.of(new IceServers.RelayPorts(3478, Optional.of(8443), true)));
        assertEquals("turns:meet.example.org:443?transport=tcp", ice.urls("meet.example.org").get(3));
        assertEquals("turns:meet.example.org:8443?transport=tcp", ice.urls("meet.example.org:8443").get(3));
        assertEquals("turns:[2001:db8::7]:443?transport=tcp", ice.urls("[2001:db8::7]").get(3));
        assertEquals("turns:[2001:db8::7]:4443?transport=tcp", ice.urls("[2001:db8::7]:4443").get(3));
        assertEquals("stun:[2001:db8::7]:3478", ice.urls("[2001:db8::7]:4443").get(0));
        // A port that is not one is ignored, as is a host that is not one.
        assertEquals("turns:meet.example.org:443?transport=tcp", ice.urls("meet.example.org:99999").get(3));
        assertEquals("turns:localhost:443?transport=tcp", ice.urls("evil host/x").get(3));
    }

    @Test
    void aHostHeaderWithAPortGivesTheHostAlone() {
        assertEquals(List.of("stun:127.0.0.1:3478", "turn:127.0.0.1:3478?transport=udp",
                        "turn:127.0.0.1:3478?transport=tcp", "turns:127.0.0.1:5349?transport=tcp"),
                ice(3478, Optional.of(5349)).urls("127.0.0.1:8080"));
    }

    private static io.kezdesu.common.relays.RelayRecords.Relay relay(String id, String host, int port, String region,
                                                                     int allocations, boolean draining) {
        return new io.kezdesu.common.relays.RelayRecords.Relay(new io.kezdesu.common.relays.RelayRecords.Advert(id,
                Optional.ofNullable(host), host == null ? List.of() : List.of(host), port, 0,
                Optional.ofNullable(region)), allocations, draining, false, Optional.empty(),
                java.time.Instant.EPOCH, java.time.Instant.EPOCH);
    }

    private static List<String> firstUrls(com.fasterxml.jackson.databind.node.ArrayNode servers) {
        List<String> out = new java.util.ArrayList<>();
        servers.forEach(s -> {
            if (s.has("credential")) {
                out.add(s.path("urls").get(0).asText());
            }
        });
        return out;
    }

    /** The fleet: its region first, then the least loaded, N of them; never a draining one; one credential. */
    @Test
    void handsOutTheFleetsHealthyRelaysNearestAndLeastLoadedFirst() {
        IceServers ice = new IceServers(CREDS, List.of(), Optional.empty(),
                Optional.of(new IceServers.RelayPorts(3478, Optional.empty())),
                new IceServers.FleetChoice(Optional.of("eu"), 2, Optional.of("local")));
        ice.fleet(List.of(
                relay("far", "198.51.100.1", 3478, "us", 0, false),
                relay("busy", "192.0.2.1", 3478, "eu", 40, false),
                relay("idle", "192.0.2.2", 3479, "eu", 1, false),
                relay("leaving", "192.0.2.3", 3478, "eu", 0, true),
                relay("unreachable", null, 3478, "eu", 0, false)));
        com.fasterxml.jackson.databind.node.ArrayNode servers = ice.forParticipant("u1", "r1", "meet.example.org");
        assertEquals(List.of("turn:192.0.2.2:3479?transport=udp", "turn:192.0.2.1:3478?transport=udp"),
                firstUrls(servers));
        java.util.Set<String> credentials = new java.util.HashSet<>();
        servers.forEach(s -> {
            if (s.has("credential")) {
                credentials.add(s.path("credential").asText());
            }
        });
        assertEquals(1, credentials.size(), "one credential, good at every relay of the fleet");

        // The relay in this process is given with the host the client reached, like a lone daemon's.
        ice.fleet(List.of(relay("local", null, 3478, "eu", 5, false), relay("far", "198.51.100.1", 3478, "us", 0,
                false)));
        assertEquals(List.of("turn:meet.example.org:3478?transport=udp", "turn:198.51.100.1:3478?transport=udp"),
                firstUrls(ice.forParticipant("u1", "r1", "meet.example.org")));

        // Every relay draining: the relay beside signaling, as before there was a fleet.
        ice.fleet(List.of(relay("leaving", "192.0.2.3", 3478, "eu", 0, true)));
        assertEquals(List.of("turn:meet.example.org:3478?transport=udp"),
                firstUrls(ice.forParticipant("u1", "r1", "meet.example.org")));
    }
}
