package io.kezdesu.relay.probe;

import java.util.Locale;

/**
 * A {@code stun:}, {@code turn:} or {@code turns:} URI (RFC 7064, RFC 7065): {@code scheme:host[:port][?transport=x]}.
 * Default ports 3478 (stun, turn) and 5349 (turns); {@code turns} is TLS over TCP.
 */
public record StunUrl(Scheme scheme, String host, int port, Transport transport) {

    public enum Scheme { STUN, TURN, TURNS }

    public enum Transport { UDP, TCP, TLS }

    public StunUrl {
        if (host.isEmpty()) {
            throw new IllegalArgumentException("host: empty (expected: a host name or IP address)");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
        }
    }

    public static StunUrl parse(String text) {
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("url: " + text + " (expected: stun:, turn: or turns: host[:port])");
        }
        Scheme scheme = switch (text.substring(0, colon).toLowerCase(Locale.ROOT)) {
            case "stun" -> Scheme.STUN;
            case "turn" -> Scheme.TURN;
            case "turns" -> Scheme.TURNS;
            default -> throw new IllegalArgumentException(
                    "url: " + text + " (expected: scheme stun:, turn: or turns:)");
        };
        String rest = text.substring(colon + 1);
        String query = "";
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        if (rest.startsWith("//")) {
            throw new IllegalArgumentException("url: " + text + " (expected: no '//' after the scheme, RFC 7064)");
        }
        String host;
        String portText = null;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("url: " + text + " (expected: ']' closing the IPv6 address)");
            }
            host = rest.substring(1, close);
            if (close + 1 < rest.length()) {
                if (rest.charAt(close + 1) != ':') {
                    throw new IllegalArgumentException("url: " + text + " (expected: ':' port after ']')");
                }
                portText = rest.substring(close + 2);
            }
        } else {
            int c = rest.lastIndexOf(':');
            host = c < 0 ? rest : rest.substring(0, c);
            portText = c < 0 ? null : rest.substring(c + 1);
        }
        int port = scheme == Scheme.TURNS ? 5349 : 3478;
        if (portText != null) {
            try {
                port = Integer.parseInt(portText);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("port: " + portText + " (expected: 1-65535)");
            }
        }
        Transport transport = scheme == Scheme.TURNS ? Transport.TLS : Transport.UDP;
        if (!query.isEmpty()) {
            String t = query.toLowerCase(Locale.ROOT);
            if (scheme == Scheme.STUN || !t.startsWith("transport=")) {
                throw new IllegalArgumentException("url: " + text + " (expected: only ?transport=udp|tcp on turn:)");
            }
            transport = switch (t.substring("transport=".length())) {
                case "udp" -> {
                    if (scheme == Scheme.TURNS) {
                        throw new IllegalArgumentException("url: " + text + " (expected: turns: over tcp; DTLS is "
                                + "not supported)");
                    }
                    yield Transport.UDP;
                }
                case "tcp" -> scheme == Scheme.TURNS ? Transport.TLS : Transport.TCP;
                default -> throw new IllegalArgumentException(
                        "url: " + text + " (expected: transport=udp or transport=tcp)");
            };
        }
        return new StunUrl(scheme, host, port, transport);
    }

    public boolean isTurn() {
        return scheme != Scheme.STUN;
    }

    @Override
    public String toString() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return scheme.name().toLowerCase(Locale.ROOT) + ":" + h + ":" + port
                + (scheme == Scheme.TURN && transport == Transport.TCP ? "?transport=tcp" : "");
    }
}
