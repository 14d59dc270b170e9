package io.kezdesu.signaling.http;

import io.kezdesu.common.config.AddressRange;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Who sent a request, for the per-address limits: the connection's peer, unless the peer is one of the configured
 * {@code trusted-proxies}. Then the forwarding chain ({@code Forwarded} of RFC 7239 when present, else
 * {@code X-Forwarded-For}) is read from the right, each trusted proxy stepping one hop back, and the first address not
 * trusted is the client. Nobody else's headers are believed: any client can write them.
 */
public final class ClientAddress {

    private final List<AddressRange> trusted;

    public ClientAddress(List<AddressRange> trusted) {
        this.trusted = List.copyOf(trusted);
    }

    public InetAddress resolve(InetAddress peer, HttpHeaders headers) {
        if (!isTrusted(peer)) {
            return peer;
        }
        List<String> chain = headers.contains("Forwarded") ? forwardedFor(headers.getAll("Forwarded"))
                : split(headers.getAll("X-Forwarded-For"));
        InetAddress current = peer;
        for (int i = chain.size() - 1; i >= 0; i--) {
            InetAddress hop = literal(chain.get(i));
            if (hop == null) {
                // "unknown", an obfuscated name, garbage: the last proxy we trust could not say more.
                return current;
            }
            current = hop;
            if (!isTrusted(hop)) {
                return hop;
            }
        }
        return current;
    }

    /** Addresses of the other signaling nodes on the store, whose links carry many users' sockets. */
    private volatile java.util.Set<InetAddress> nodes = java.util.Set.of();

    /** The other nodes' addresses now (from the store's node list, at each heartbeat). */
    public void nodes(java.util.Set<InetAddress> addresses) {
        nodes = java.util.Set.copyOf(addresses);
    }

    /**
     * Whether connections from {@code a} are exempt from connections-per-ip: a trusted proxy, or another node of the
     * cluster (one link per forwarded member).
     */
    public boolean uncapped(InetAddress a) {
        return isTrusted(a) || nodes.contains(a);
    }

    /** Whether {@code a} is one of the trusted proxies. */
    public boolean isTrusted(InetAddress a) {
        for (AddressRange r : trusted) {
            if (r.contains(a)) {
                return true;
            }
        }
        return false;
    }

    private static List<String> split(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            for (String part : line.split(",")) {
                out.add(part.strip());
            }
        }
        return out;
    }

    /** The {@code for=} of each element of {@code Forwarded} (RFC 7239 §4), in order; "" where an element has none. */
    private static List<String> forwardedFor(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String element : split(lines)) {
            String value = "";
            for (String pair : element.split(";")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).strip().equalsIgnoreCase("for")) {
                    value = pair.substring(eq + 1).strip();
                    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                        value = value.substring(1, value.length() - 1);
                    }
                }
            }
            out.add(value);
        }
        return out;
    }

    /** An address literal, with an optional port ({@code 192.0.2.1:80}, {@code [2001:db8::1]:80}); never DNS. */
    static InetAddress literal(String text) {
        String s = text;
        if (s.startsWith("[")) {
            int end = s.indexOf(']');
            if (end < 0) {
                return null;
            }
            s = s.substring(1, end);
        } else if (s.indexOf(':') == s.lastIndexOf(':') && s.indexOf(':') > 0) {
            s = s.substring(0, s.indexOf(':'));
        }
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(s);
        if (bytes == null) {
            return null;
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
