package io.kezdesu.signaling.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kezdesu.common.config.AddressRange;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Whose address a request is counted under, with and without trusted proxies. */
class ClientAddressTest {

    private static final ClientAddress BEHIND_PROXIES = new ClientAddress(List.of(AddressRange.parse("127.0.0.1"),
            AddressRange.parse("203.0.113.0/24")));

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    private static HttpHeaders headers(String name, String... values) {
        HttpHeaders h = new DefaultHttpHeaders();
        for (String v : values) {
            h.add(name, v);
        }
        return h;
    }

    @Test
    void withoutTrustedProxiesHeadersAreIgnored() throws Exception {
        ClientAddress none = new ClientAddress(List.of());
        assertEquals(ip("127.0.0.1"), none.resolve(ip("127.0.0.1"), headers("X-Forwarded-For", "198.51.100.7")));
    }

    @Test
    void anUntrustedPeerCannotNameAnotherAddress() throws Exception {
        assertEquals(ip("192.0.2.9"), BEHIND_PROXIES.resolve(ip("192.0.2.9"),
                headers("X-Forwarded-For", "198.51.100.7")));
    }

    @Test
    void theChainIsReadFromTheRightPastEveryTrustedProxy() throws Exception {
        // The client wrote a fake first hop; our proxies appended the real ones.
        assertEquals(ip("198.51.100.7"), BEHIND_PROXIES.resolve(ip("127.0.0.1"),
                headers("X-Forwarded-For", "192.0.2.66, 198.51.100.7", "203.0.113.5")));
        assertEquals(ip("2001:db8::7"), BEHIND_PROXIES.resolve(ip("127.0.0.1"),
                headers("Forwarded", "for=192.0.2.66, for=\"[2001:db8::7]:4711\";proto=https, for=203.0.113.5")));
        assertEquals(ip("198.51.100.7"), BEHIND_PROXIES.resolve(ip("127.0.0.1"),
                headers("X-Forwarded-For", "198.51.100.7:5555")));
    }

    @Test
    void whatIsNotAnAddressStopsTheWalkAtTheLastTrustedHop() throws Exception {
        assertEquals(ip("203.0.113.5"), BEHIND_PROXIES.resolve(ip("127.0.0.1"),
                headers("X-Forwarded-For", "198.51.100.7, unknown, 203.0.113.5")));
        // A name is never looked up.
        assertEquals(ip("127.0.0.1"), BEHIND_PROXIES.resolve(ip("127.0.0.1"),
                headers("X-Forwarded-For", "localhost")));
        assertEquals(ip("127.0.0.1"), BEHIND_PROXIES.resolve(ip("127.0.0.1"), headers("Forwarded", "for=_hidden")));
    }

    @Test
    void aChainOfOnlyTrustedHopsEndsAtItsFirst() throws Exception {
        assertEquals(ip("203.0.113.9"), BEHIND_PROXIES.resolve(ip("127.0.0.1"),
                headers("X-Forwarded-For", "203.0.113.9, 203.0.113.5")));
    }
}
