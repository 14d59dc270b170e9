package io.kezdesu.relay.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kezdesu.common.config.AddressRange;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PeerAddressPolicyTest {

    private static final InetSocketAddress LISTENER = new InetSocketAddress("198.51.100.7", 3478);
    private final PeerAddressPolicy defaults = new PeerAddressPolicy(List.of(), List.of(), false, false,
            Set.of(LISTENER), Set.of());

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "0.1.2.3", "127.0.0.1", "127.255.255.254", "169.254.169.254", "224.0.0.1",
            "239.255.255.250", "240.0.0.1", "255.255.255.255", "::", "::1", "fe80::1", "febf::1", "ff02::1",
            // the same, spelled as IPv4-mapped, IPv4-compatible and NAT64 IPv6
            "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1", "::169.254.169.254",
            "64:ff9b::127.0.0.1", "64:ff9b::a9fe:a9fe", "64:ff9b::e000:1",
            // 6to4 and Teredo (server 65.54.227.120, client 127.0.0.1 inverted), which tunnel to what they embed
            "2002:7f00:1::1", "2002:a9fe:a9fe::1", "2001:0:4136:e378:8000:63bf:80ff:fffe", "2001:0:7f00:1::1"})
    void deniedByDefault(String ip) throws Exception {
        assertFalse(defaults.permits(new InetSocketAddress(InetAddress.getByName(ip), 5000)), ip);
    }

    @ParameterizedTest
    @ValueSource(strings = {"192.0.2.1", "8.8.8.8", "10.1.2.3", "172.16.0.1", "192.168.1.1", "100.64.0.1",
            "fd00::1", "2001:db8::1", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1", "2002:a00:1::1",
            "2001:0:4136:e378:8000:63bf:f7f7:f7f7"})
    void allowedByDefaultIncludingPrivateRanges(String ip) throws Exception {
        assertTrue(defaults.permits(new InetSocketAddress(InetAddress.getByName(ip), 5000)), ip);
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.1.2.3", "172.31.255.255", "192.168.1.1", "100.127.0.1", "fc00::1", "fdff::1",
            "::ffff:10.0.0.1", "64:ff9b::a00:1", "2002:a00:1::1", "2001:0:4136:e378:8000:63bf:f5ff:fffe"})
    void denyPrivatePeersRefusesRfc1918Rfc6598AndUla(String ip) throws Exception {
        PeerAddressPolicy strict = new PeerAddressPolicy(List.of(), List.of(), false, true, Set.of(), Set.of());
        assertFalse(strict.permits(new InetSocketAddress(InetAddress.getByName(ip), 5000)), ip);
    }

    @Test
    void ownListeningPortsAreDeniedOnOwnAddressOnly() {
        assertFalse(defaults.permits(LISTENER));
        assertTrue(defaults.permits(new InetSocketAddress("198.51.100.7", 3479)));
        PeerAddressPolicy wildcard = new PeerAddressPolicy(List.of(), List.of(), false, false,
                Set.of(new InetSocketAddress("0.0.0.0", 3478)), Set.of(new InetSocketAddress("192.0.2.9", 0)
                .getAddress()));
        assertFalse(wildcard.permits(new InetSocketAddress("192.0.2.9", 3478)), "a wildcard listener is on ours");
        assertFalse(wildcard.permits(new InetSocketAddress("::ffff:192.0.2.9", 3478)));
        assertTrue(wildcard.permits(new InetSocketAddress("192.0.2.10", 3478)), "someone else's STUN port");
    }

    @Test
    void allowWinsOverDenyAndLoopbackSwitch() {
        PeerAddressPolicy p = new PeerAddressPolicy(List.of(AddressRange.parse("192.0.2.0/24")),
                List.of(AddressRange.parse("192.0.2.128/25"), AddressRange.parse("169.254.1.1")), false, false,
                Set.of(), Set.of());
        assertFalse(p.permits(new InetSocketAddress("192.0.2.1", 1)));
        assertTrue(p.permits(new InetSocketAddress("192.0.2.200", 1)));
        assertTrue(p.permits(new InetSocketAddress("169.254.1.1", 1)));
        PeerAddressPolicy loopback = new PeerAddressPolicy(List.of(), List.of(), true, false, Set.of(), Set.of());
        assertTrue(loopback.permits(new InetSocketAddress("127.0.0.1", 1)));
        assertTrue(loopback.permits(new InetSocketAddress("::1", 1)));
    }

    @Test
    void aTunnelledIpv4AddressThatIsAllowedLetsItsTunnelAddressThrough() {
        PeerAddressPolicy p = new PeerAddressPolicy(List.of(), List.of(AddressRange.parse("10.1.0.0/16")), false,
                true, Set.of(), Set.of());
        assertTrue(p.permits(new InetSocketAddress("2002:a01:203::1", 1)), "6to4 of 10.1.2.3, which is allowed");
        assertFalse(p.permits(new InetSocketAddress("2002:a02:203::1", 1)), "6to4 of 10.2.2.3");
        // It stays an IPv6 address for the rules: an IPv6 range matches it.
        PeerAddressPolicy v6 = new PeerAddressPolicy(List.of(AddressRange.parse("2002::/16")), List.of(), false,
                false, Set.of(), Set.of());
        assertFalse(v6.permits(new InetSocketAddress("2002:808:808::1", 1)));
    }

    @Test
    void canonicalFormsCollapseToIpv4() throws Exception {
        InetAddress v4 = InetAddress.getByName("192.0.2.33");
        assertEquals(v4, PeerAddressPolicy.canonical(InetAddress.getByName("::ffff:192.0.2.33")));
        assertEquals(v4, PeerAddressPolicy.canonical(InetAddress.getByName("::192.0.2.33")));
        assertEquals(v4, PeerAddressPolicy.canonical(InetAddress.getByName("64:ff9b::c000:221")));
        InetAddress v6 = InetAddress.getByName("2001:db8::1");
        assertEquals(v6, PeerAddressPolicy.canonical(v6));
        assertEquals(InetAddress.getByName("::1"), PeerAddressPolicy.canonical(InetAddress.getByName("::1")));
    }
}
