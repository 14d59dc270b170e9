package io.kezdesu.relay.policy;

import io.kezdesu.common.config.AddressRange;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Which peers the relay may send to (RFC 8656 §21.2 / §21.3: a TURN server must not become a way into the
 * operator's own network). The address is first canonicalised — IPv4-mapped {@code ::ffff:a.b.c.d}, IPv4-compatible
 * {@code ::a.b.c.d} and NAT64 {@code 64:ff9b::a.b.c.d} all become {@code a.b.c.d} — so a denied IPv4 range cannot be
 * reached through its IPv6 spelling. Then: allowed ranges win, otherwise a built-in or configured deny range, or one
 * of the server's own listening sockets, refuses. A 6to4 ({@code 2002::/16}) or Teredo ({@code 2001::/32}) address,
 * which a tunnel on the way would carry to the IPv4 address it embeds, is also refused when that IPv4 address is
 * (and is not allowed): such an address stays IPv6 for every other rule, so an IPv6 range still matches it.
 *
 * <p>Private ranges (RFC 1918, RFC 6598, ULA) are allowed by default, as coturn does, because a relay deployed
 * inside a company network legitimately relays to hosts there; {@code deny-private-peers} refuses them for a relay
 * on the public internet.
 */
public final class PeerAddressPolicy {

    static final List<String> ALWAYS_DENIED = List.of(
            "0.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4", "240.0.0.0/4", "255.255.255.255",
            "::", "fe80::/10", "ff00::/8");
    static final List<String> LOOPBACK = List.of("127.0.0.0/8", "::1");
    static final List<String> PRIVATE = List.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",
            "fc00::/7");

    private static final AddressRange NAT64 = AddressRange.parse("64:ff9b::/96");
    /** RFC 3056: the IPv4 address is bits 16–47. */
    private static final AddressRange SIX_TO_FOUR = AddressRange.parse("2002::/16");
    /** RFC 4380: the server's IPv4 address is bits 32–63, the client's bits 96–127, inverted. */
    private static final AddressRange TEREDO = AddressRange.parse("2001::/32");

    private final List<AddressRange> denied;
    private final List<AddressRange> allowed;
    private final Set<InetSocketAddress> ownListeners;
    private final Set<InetAddress> ownAddresses;

    /**
     * {@code ownListeners} are the bound listening sockets (a live view, filled once bound); a wildcard listener
     * stands for each of {@code ownAddresses} (the host's interface addresses and its public external-ip).
     */
    public PeerAddressPolicy(List<AddressRange> deniedExtra, List<AddressRange> allowed, boolean allowLoopback,
                             boolean denyPrivate, Set<InetSocketAddress> ownListeners, Set<InetAddress> ownAddresses) {
        List<AddressRange> d = new ArrayList<>();
        ALWAYS_DENIED.forEach(r -> d.add(AddressRange.parse(r)));
        if (!allowLoopback) {
            LOOPBACK.forEach(r -> d.add(AddressRange.parse(r)));
        }
        if (denyPrivate) {
            PRIVATE.forEach(r -> d.add(AddressRange.parse(r)));
        }
        d.addAll(deniedExtra);
        this.denied = List.copyOf(d);
        this.allowed = List.copyOf(allowed);
        this.ownListeners = ownListeners;
        Set<InetAddress> canonical = new java.util.HashSet<>();
        ownAddresses.forEach(a -> canonical.add(canonical(a)));
        this.ownAddresses = Set.copyOf(canonical);
    }

    /** True when the relay may send to (and accept from) this peer. */
    public boolean permits(InetSocketAddress peer) {
        InetAddress ip = canonical(peer.getAddress());
        if (matches(allowed, ip)) {
            return true;
        }
        if (matches(denied, ip)) {
            return false;
        }
        for (InetAddress tunnelled : tunnelledTo(ip)) {
            if (!matches(allowed, tunnelled) && matches(denied, tunnelled)) {
                return false;
            }
        }
        for (InetSocketAddress own : ownListeners) {
            if (own.getPort() == peer.getPort() && (canonical(own.getAddress()).equals(ip)
                    || own.getAddress().isAnyLocalAddress() && ownAddresses.contains(ip))) {
                return false;
            }
        }
        return true;
    }

    /** The IPv4 address embedded in a mapped, compatible or NAT64 IPv6 address; other addresses unchanged. */
    public static InetAddress canonical(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address;
        }
        byte[] b = address.getAddress();
        boolean zero80 = allZero(b, 0, 10);
        boolean mapped = zero80 && (b[10] & 0xFF) == 0xFF && (b[11] & 0xFF) == 0xFF;
        // ::a.b.c.d (deprecated, RFC 4291 §2.5.5.1); :: and ::1 stay IPv6 so that they match their own ranges.
        boolean compatible = zero80 && b[10] == 0 && b[11] == 0 && !allZero(b, 12, 3);
        if (mapped || compatible || NAT64.contains(address)) {
            try {
                return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        return address;
    }

    /** The IPv4 addresses a 6to4 or Teredo address leads to; none for any other address. */
    static List<InetAddress> tunnelledTo(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return List.of();
        }
        byte[] b = address.getAddress();
        try {
            if (SIX_TO_FOUR.contains(address)) {
                return List.of(InetAddress.getByAddress(new byte[] {b[2], b[3], b[4], b[5]}));
            }
            if (TEREDO.contains(address)) {
                return List.of(InetAddress.getByAddress(new byte[] {b[4], b[5], b[6], b[7]}),
                        InetAddress.getByAddress(new byte[] {(byte) ~b[12], (byte) ~b[13], (byte) ~b[14],
                                (byte) ~b[15]}));
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        return List.of();
    }

    private static boolean matches(List<AddressRange> ranges, InetAddress ip) {
        for (AddressRange r : ranges) {
            if (r.contains(ip)) {
                return true;
            }
        }
        return false;
    }

    private static boolean allZero(byte[] b, int from, int count) {
        for (int i = from; i < from + count; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    static boolean isIpv4(InetAddress a) {
        return a instanceof Inet4Address;
    }
}
