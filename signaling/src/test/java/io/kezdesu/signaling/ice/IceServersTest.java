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
}
