package io.kezdesu.relay.server;

import io.kezdesu.common.ratelimit.ConnectionBudget;
import io.kezdesu.common.ratelimit.KeyedLimit;
import io.kezdesu.relay.config.RelayConfig;
import io.kezdesu.relay.allocation.AllocationManager;
import io.kezdesu.relay.auth.NonceService;
import io.kezdesu.relay.auth.TurnAuthenticator;
import io.kezdesu.relay.auth.SourceRateLimiter;
import io.kezdesu.relay.policy.PeerAddressPolicy;

/** The injected policies and state shared by every listener; built once by {@code RelayServer}. */
public record TurnServices(
        RelayConfig config,
        TurnAuthenticator authenticator,
        NonceService nonces,
        SourceRateLimiter challengeLimiter,
        SourceRateLimiter bindingLimiter,
        PeerAddressPolicy peerPolicy,
        AllocationManager allocations,
        StreamClients streams,
        KeyedLimit streamConnections,
        ConnectionBudget connectionBudget,
        NatDiscovery natDiscovery,
        Drain drain) {
}
