package io.kezdesu.relay.server;

import io.kezdesu.relay.allocation.FiveTuple;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * Whether this relay is draining, and where it sends new clients then. A draining relay answers a new Allocate with
 * 300 Try Alternate naming another relay (RFC 8489 §10, RFC 8656 §7.2), or with 508 when it knows none; everything
 * else (refreshes, permissions, channels, data of existing allocations) goes on as before.
 */
public final class Drain {

    /** Where to send a client that asks for an allocation: an address of its family, for its transport. */
    @FunctionalInterface
    public interface Alternates {
        Optional<Alternate> forClient(InetSocketAddress client, FiveTuple.Transport transport);
    }

    /** An alternate relay's address, and for TLS the name its certificate carries (ALTERNATE-DOMAIN). */
    public record Alternate(InetSocketAddress address, Optional<String> domain) {
    }

    private volatile Alternates alternates;

    /** Starts draining; later calls only replace where clients are sent. */
    public void start(Alternates where) {
        this.alternates = where;
    }

    public boolean active() {
        return alternates != null;
    }

    /** Where to send this client (empty when not draining or when no alternate serves its family and transport). */
    Optional<Alternate> alternateFor(FiveTuple tuple) {
        Alternates a = alternates;
        return a == null ? Optional.empty() : a.forClient(tuple.client(), tuple.transport());
    }
}
