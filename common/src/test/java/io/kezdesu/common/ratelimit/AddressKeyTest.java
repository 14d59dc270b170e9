package io.kezdesu.common.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class AddressKeyTest {

    private static String key(String literal) throws Exception {
        return AddressKey.of(InetAddress.getByName(literal));
    }

    @Test
    void ipv4IsItselfAndIpv6IsItsSlash64() throws Exception {
        assertEquals("192.0.2.7", key("192.0.2.7"));
        assertEquals(key("2001:db8:1:2::1"), key("2001:db8:1:2:ffff:eeee:dddd:cccc"), "one host rotating in its /64");
        assertNotEquals(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assertEquals("2001:db8:1:2::/64", key("2001:db8:1:2::1"));
        assertEquals("192.0.2.7", key("::ffff:192.0.2.7"), "IPv4-mapped is the IPv4 address");
    }
}
