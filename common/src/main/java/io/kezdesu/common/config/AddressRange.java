package io.kezdesu.common.config;

import java.net.InetAddress;
import java.util.Arrays;

/**
 * An inclusive range of addresses of one family, written as a single address, a CIDR block ({@code 10.0.0.0/8},
 * {@code fe80::/10}) or coturn's {@code first-last} form. Bounds are compared as unsigned big-endian byte strings,
 * so a range never matches an address of the other family (callers canonicalise IPv4-mapped IPv6 first).
 */
public record AddressRange(InetAddress first, InetAddress last) {

    public AddressRange {
        byte[] a = first.getAddress();
        byte[] b = last.getAddress();
        if (a.length != b.length) {
            throw new IllegalArgumentException("range bounds of different families: " + first + " - " + last);
        }
        if (Arrays.compareUnsigned(a, b) > 0) {
            throw new IllegalArgumentException("range start after its end: " + first + " - " + last);
        }
    }

    public static AddressRange parse(String text) {
        int slash = text.indexOf('/');
        if (slash >= 0) {
            InetAddress base = ValueType.literalAddress(text.substring(0, slash));
            int bits = Integer.parseInt(text.substring(slash + 1));
            if (base == null) {
                return null;
            }
            return cidr(base, bits);
        }
        int dash = text.indexOf('-');
        if (dash >= 0) {
            InetAddress a = ValueType.literalAddress(text.substring(0, dash).strip());
            InetAddress b = ValueType.literalAddress(text.substring(dash + 1).strip());
            return a == null || b == null ? null : new AddressRange(a, b);
        }
        InetAddress single = ValueType.literalAddress(text);
        return single == null ? null : new AddressRange(single, single);
    }

    public static AddressRange cidr(InetAddress base, int prefixBits) {
        byte[] lo = base.getAddress();
        if (prefixBits < 0 || prefixBits > lo.length * 8) {
            throw new IllegalArgumentException("prefix length " + prefixBits);
        }
        byte[] hi = lo.clone();
        for (int bit = prefixBits; bit < lo.length * 8; bit++) {
            int mask = 0x80 >>> (bit % 8);
            lo[bit / 8] &= (byte) ~mask;
            hi[bit / 8] |= (byte) mask;
        }
        try {
            return new AddressRange(InetAddress.getByAddress(lo), InetAddress.getByAddress(hi));
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    public boolean contains(InetAddress address) {
        byte[] x = address.getAddress();
        byte[] a = first.getAddress();
        if (x.length != a.length) {
            return false;
        }
        return Arrays.compareUnsigned(a, x) <= 0 && Arrays.compareUnsigned(x, last.getAddress()) <= 0;
    }

    @Override
    public String toString() {
        return first.equals(last) ? first.getHostAddress() : first.getHostAddress() + "-" + last.getHostAddress();
    }
}
