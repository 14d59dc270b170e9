package io.kezdesu.relay.server;

import io.kezdesu.relay.config.RelayConfig.NatDiscoveryAddresses;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * RFC 5780 NAT behaviour discovery over UDP: with two addresses A, B and two ports p, q, a Binding response carries
 * OTHER-ADDRESS (the address and port that differ in both from where it arrived) and RESPONSE-ORIGIN, and a
 * CHANGE-REQUEST is answered from the socket whose address and/or port differ as asked. That lets a client (such as
 * {@code kezdesu probe}) tell its NAT's mapping and filtering. Off (empty) unless the configuration names the two
 * addresses.
 */
public final class NatDiscovery {

    private final Optional<NatDiscoveryAddresses> addresses;
    /** One listener per local address (with SO_REUSEPORT there are several: any will do). */
    private final Map<InetSocketAddress, Channel> listeners = new ConcurrentHashMap<>();

    public NatDiscovery(Optional<NatDiscoveryAddresses> addresses) {
        this.addresses = addresses;
    }

    public boolean enabled() {
        return addresses.isPresent();
    }

    /** Records a UDP listener, so that answers can leave from it. */
    public void listener(Channel channel) {
        listeners.putIfAbsent((InetSocketAddress) channel.localAddress(), channel);
    }

    /** The address and port that differ from {@code local} in both: OTHER-ADDRESS for a request that came there. */
    InetSocketAddress other(InetSocketAddress local) {
        return moved(local, true, true);
    }

    /**
     * The listener to answer from for a request that came to {@code local} with these CHANGE-REQUEST flags (0x04
     * change IP, 0x02 change port), or null when there is none (not served, or not bound).
     */
    Channel answerFrom(InetSocketAddress local, int flags) {
        if (addresses.isEmpty()) {
            return null;
        }
        return listeners.get(moved(local, (flags & 0x04) != 0, (flags & 0x02) != 0));
    }

    private InetSocketAddress moved(InetSocketAddress local, boolean changeIp, boolean changePort) {
        NatDiscoveryAddresses a = addresses.orElseThrow();
        java.net.InetAddress ip = local.getAddress();
        if (changeIp) {
            ip = ip.equals(a.primaryIp()) ? a.alternateIp() : a.primaryIp();
        }
        int port = local.getPort();
        if (changePort) {
            port = port == a.primaryPort() ? a.alternatePort() : a.primaryPort();
        }
        return new InetSocketAddress(ip, port);
    }
}
