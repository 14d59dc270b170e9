package io.kezdesu.common.ratelimit;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * The key a client address is limited under: an IPv4 address as itself, an IPv6 address by its /64. One IPv6 host
 * usually holds a whole /64 (RFC 7421) and can rotate through it at will, so limits keyed by the full address would
 * not limit it at all.
 */
public final class AddressKey {

    private AddressKey() {
    }

    public static String of(InetAddress address) {
        if (address instanceof Inet4Address) {
            return address.getHostAddress();
        }
        byte[] b = address.getAddress();
        StringBuilder key = new StringBuilder(24);
        for (int i = 0; i < 8; i += 2) {
            key.append(Integer.toHexString((b[i] & 0xFF) << 8 | b[i + 1] & 0xFF)).append(':');
        }
        return key.append(":/64").toString();
    }
}
