package io.kezdesu.relay.probe;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * What {@link RelayProbe} found. Fields are null when the step did not run or failed; {@code errors} lists each
 * failure in words; the probe succeeded when it is empty.
 *
 * @param mapping  RFC 5780 §4.3 mapping behaviour, or {@link NatBehaviour#UNKNOWN} with the reason in {@code natNote}
 * @param filtering RFC 5780 §4.4 filtering behaviour, likewise
 */
public record ProbeReport(
        String url,
        InetSocketAddress server,
        InetSocketAddress localAddress,
        InetSocketAddress mappedAddress,
        NatBehaviour mapping,
        NatBehaviour filtering,
        String natNote,
        Turn turn,
        List<String> errors) {

    public enum NatBehaviour {
        ENDPOINT_INDEPENDENT, ADDRESS_DEPENDENT, ADDRESS_AND_PORT_DEPENDENT, UNKNOWN;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * The TURN part: the allocation and the relayed round trips.
     *
     * @param peer      where the relay sent the probe's data: the probe's second socket, or the relayed address itself
     *                  when the server refuses that peer
     * @param received  round trips that came back out of {@code sent}
     */
    public record Turn(InetSocketAddress relayedAddress, int lifetimeSeconds, InetSocketAddress peer, int sent,
            int received, double minRttMillis, double avgRttMillis) {
    }

    public boolean ok() {
        return errors.isEmpty();
    }
}
