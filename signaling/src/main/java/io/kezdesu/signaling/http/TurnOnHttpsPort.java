package io.kezdesu.signaling.http;

import io.kezdesu.common.ratelimit.ConnectionBudget;
import io.netty.channel.Channel;

/**
 * The relay in this process, as far as the HTTP listener needs it when TURN shares its port (HTTPS and TURN over TLS
 * on one 443): takes over a connection recognised as TURN. The signaling module does not import the relay's; the
 * daemon joins the two.
 */
@FunctionalInterface
public interface TurnOnHttpsPort {

    /** RFC 7443's ALPN label for STUN and TURN. */
    String ALPN_TURN = "stun.turn";

    /**
     * Serves {@code channel} as a TURN client from here on. Its TLS (when {@code tls}) is already in the pipeline and
     * the HTTP handlers are gone; the bytes read so far follow once this returns.
     */
    void adopt(Channel channel, boolean tls, ConnectionBudget.Place place);
}
