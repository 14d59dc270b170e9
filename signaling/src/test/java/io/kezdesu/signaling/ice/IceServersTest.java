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
}
