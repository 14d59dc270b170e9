package io.kezdesu.interop.ice4j;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.Collection;
import java.util.List;
import org.ice4j.Transport;
import org.ice4j.ice.Component;
import org.ice4j.ice.HostCandidate;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.harvest.AbstractCandidateHarvester;
import org.ice4j.socket.IceSocketWrapper;
import org.ice4j.socket.IceUdpSocketWrapper;
import org.ice4j.socket.MultiplexingDatagramSocket;

/**
 * One UDP host candidate on 127.0.0.1. ice4j's own {@code HostCandidateHarvester} skips loopback interfaces and
 * addresses, and would otherwise bind every interface of the machine; the tests only ever talk to a relay on
 * loopback. Registers the socket the way {@code HostCandidateHarvester} does: STUN stack, then component socket.
 */
final class LoopbackHostHarvester extends AbstractCandidateHarvester {

    @Override
    public boolean isHostHarvester() {
        return true;
    }

    @Override
    public Collection<LocalCandidate> harvest(Component component) {
        IceSocketWrapper socket;
        try {
            socket = new IceUdpSocketWrapper(new MultiplexingDatagramSocket(0, InetAddress.getLoopbackAddress()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        HostCandidate host = new HostCandidate(socket, component, Transport.UDP);
        component.addLocalCandidate(host);
        host.getStunStack().addSocket(host.getStunSocket(null));
        if (component.getComponentSocket() != null) {
            component.getComponentSocket().add(socket);
        }
        return List.of(host);
    }
}
