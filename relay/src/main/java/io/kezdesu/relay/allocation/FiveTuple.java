package io.kezdesu.relay.allocation;

import java.net.InetSocketAddress;

/** RFC 8656 §2: client address, server address and transport identify an allocation. */
public record FiveTuple(InetSocketAddress client, InetSocketAddress server, Transport transport) {

    public enum Transport { UDP, TCP, TLS }
}
