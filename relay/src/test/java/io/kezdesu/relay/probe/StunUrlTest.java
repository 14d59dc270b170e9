package io.kezdesu.relay.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kezdesu.relay.probe.StunUrl.Scheme;
import io.kezdesu.relay.probe.StunUrl.Transport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class StunUrlTest {

    @ParameterizedTest
    @CsvSource({
        "stun:example.org, STUN, example.org, 3478, UDP",
        "stun:example.org:19302, STUN, example.org, 19302, UDP",
        "turn:10.0.0.1?transport=udp, TURN, 10.0.0.1, 3478, UDP",
        "turn:10.0.0.1:80?transport=tcp, TURN, 10.0.0.1, 80, TCP",
        "turns:relay.example.org, TURNS, relay.example.org, 5349, TLS",
        "turns:relay.example.org:443?transport=tcp, TURNS, relay.example.org, 443, TLS",
        "TURN:[2001:db8::1]:3479, TURN, 2001:db8::1, 3479, UDP",
    })
    void parses(String text, Scheme scheme, String host, int port, Transport transport) {
        assertEquals(new StunUrl(scheme, host, port, transport), StunUrl.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"example.org", "http://example.org", "stun://example.org", "stun:", "stun:host:0",
            "stun:host:70000", "stun:host:x", "stun:host?transport=tcp", "turn:host?transport=sctp",
            "turns:host?transport=udp", "turn:[::1", "turn:[::1]x"})
    void rejects(String text) {
        assertThrows(IllegalArgumentException.class, () -> StunUrl.parse(text));
    }
}
