package io.kezdesu.cli.daemon;

import io.kezdesu.common.config.AddressMapping;
import io.kezdesu.common.config.Config;
import io.kezdesu.common.config.ConfigKeys;
import io.kezdesu.common.relays.RelayRecords;
import io.kezdesu.relay.RelayServer;
import io.kezdesu.relay.allocation.FiveTuple;
import io.kezdesu.relay.server.Drain;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process's relay as a member of the fleet on the store (or, with no store, alone: it can only drain): it registers where clients reach it, renews its
 * record (with its allocation count) every third of {@code node-timeout}, and drains when asked to, through the
 * store (the admin API) or by {@link #drain} (SIGTERM with {@code drain-timeout}). Draining, it sends new clients to
 * the least loaded healthy relay it heard of, and reports itself done once its last allocation ended or the limit
 * passed; the daemon then stops.
 */
final class RelayMembership implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RelayMembership.class);
    /** How often a drain checks whether its last allocation ended. */
    private static final Duration DRAIN_CHECK = Duration.ofSeconds(1);
    /** A drain asked for without a limit, on a relay whose drain-timeout is 0. */
    static final Duration DEFAULT_ADMIN_DRAIN = Duration.ofHours(1);
    private static final Duration STORE_WAIT = Duration.ofSeconds(5);

    private final Optional<RelayRecords> records;
    private final RelayServer relay;
    private final RelayRecords.Advert advert;
    private final Duration drainTimeout;
    private final Runnable drained;
    private final Clock clock;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "kezdesu-relay-fleet");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean done = new AtomicBoolean();
    private volatile List<RelayRecords.Relay> others = List.of();
    private volatile Instant drainDeadline;

    private RelayMembership(Optional<RelayRecords> records, RelayServer relay, RelayRecords.Advert advert, Duration drainTimeout,
                            Runnable drained, Clock clock) {
        this.records = records;
        this.relay = relay;
        this.advert = advert;
        this.drainTimeout = drainTimeout;
        this.drained = drained;
        this.clock = clock;
    }

    /**
     * Registers {@code relay} (blocking until the store has its record) and starts its heartbeat. {@code tlsPort}:
     * where clients reach its TURN over TLS (the HTTPS port when the two share one), 0 for none.
     */
    static RelayMembership join(String id, Optional<RelayRecords> records, RelayServer relay, Config config,
                                int tlsPort, Runnable drained) {
        RelayRecords.Advert advert = advert(id, config, relay, tlsPort);
        RelayMembership m = new RelayMembership(records, relay, advert, config.get(ConfigKeys.DRAIN_TIMEOUT), drained,
                Clock.systemUTC());
        if (records.isPresent()) {
            m.beat();
            long every = records.get().heartbeatEvery().toMillis();
            m.timer.scheduleWithFixedDelay(m::beatQuietly, every, every, TimeUnit.MILLISECONDS);
            LOG.info("relay {} in the fleet as {}{}", advert.id(), advert.host().orElse("(no host: this node's "
                    + "clients only)"), advert.region().map(r -> " in region " + r).orElse(""));
        }
        return m;
    }

    Duration drainTimeout() {
        return drainTimeout;
    }

    String id() {
        return advert.id();
    }

    /** Whether this relay would drain on SIGTERM rather than stop at once. */
    boolean drainsOnStop() {
        return !drainTimeout.isZero();
    }

    /** Starts draining for at most {@code limit} (a second call keeps the first deadline). */
    void drain(Duration limit, String why) {
        synchronized (this) {
            if (drainDeadline != null) {
                return;
            }
            drainDeadline = clock.instant().plus(limit);
        }
        LOG.info("relay {} draining ({}), for at most {}", advert.id(), why, limit);
        relay.drain(this::alternate);
        if (records.isPresent()) {
            timer.execute(this::beatQuietly);
        }
        long every = DRAIN_CHECK.toMillis();
        timer.scheduleWithFixedDelay(this::checkDrained, every, every, TimeUnit.MILLISECONDS);
    }

    private void checkDrained() {
        Instant deadline = drainDeadline;
        int left = relay.allocationCount();
        boolean timedOut = !clock.instant().isBefore(deadline);
        if ((left == 0 || timedOut) && done.compareAndSet(false, true)) {
            LOG.info(left == 0 ? "relay {} drained: no allocations left" : "relay {} drain limit reached: {} "
                    + "allocations dropped", advert.id(), left);
            drained.run();
        }
    }

    private void beatQuietly() {
        try {
            beat();
        } catch (RuntimeException e) {
            LOG.warn("relay fleet heartbeat failed: {}", e.toString());
        }
    }

    private void beat() {
        RelayRecords store = records.orElseThrow();
        RelayRecords.Relay self = store.heartbeat(advert, relay.allocationCount(), relay.draining())
                .block(STORE_WAIT);
        List<RelayRecords.Relay> alive = store.alive().block(STORE_WAIT);
        others = alive == null ? List.of() : alive.stream().filter(r -> !r.id().equals(advert.id())).toList();
        if (self != null && self.drainRequested() && drainDeadline == null) {
            drain(self.drainTimeout().orElse(drainsOnStop() ? drainTimeout : DEFAULT_ADMIN_DRAIN), "asked to");
        }
    }

    /** The least loaded healthy relay with an address of the client's family, on the client's transport's port. */
    private Optional<Drain.Alternate> alternate(InetSocketAddress client, FiveTuple.Transport transport) {
        boolean v6 = client.getAddress() instanceof Inet6Address;
        return others.stream()
                .filter(r -> !r.draining() && !r.drainRequested())
                .sorted(Comparator.comparingInt(RelayRecords.Relay::allocations))
                .flatMap(r -> {
                    int port = transport == FiveTuple.Transport.TLS ? r.advert().tlsPort() : r.advert().port();
                    if (port == 0) {
                        return java.util.stream.Stream.empty();
                    }
                    return r.advert().addresses().stream().map(RelayMembership::literal).flatMap(Optional::stream)
                            .filter(a -> (a instanceof Inet6Address) == v6)
                            .map(a -> new Drain.Alternate(new InetSocketAddress(a, port),
                                    r.advert().host().filter(h -> literal(h).isEmpty())));
                })
                .findFirst();
    }

    /** Leaves the fleet (a clean stop): signaling stops handing this relay out at once. */
    @Override
    public void close() {
        timer.shutdownNow();
        if (records.isEmpty()) {
            return;
        }
        try {
            records.get().leave(advert.id()).block(STORE_WAIT);
        } catch (RuntimeException e) {
            LOG.warn("could not remove relay {} from the store: {}", advert.id(), e.toString());
        }
    }

    /**
     * Where clients reach this relay: {@code turn-host}, else its first external-ip, else the first listening
     * address that is not a wildcard; the addresses a 300 may name are the external-ips, else the listening ones,
     * else what the host resolves to now.
     */
    static RelayRecords.Advert advert(String id, Config config, RelayServer relay, int tlsPort) {
        List<InetAddress> listening = new ArrayList<>();
        for (InetSocketAddress a : relay.udpAddresses()) {
            if (!a.getAddress().isAnyLocalAddress()) {
                listening.add(a.getAddress());
            }
        }
        List<InetAddress> external = config.get(ConfigKeys.EXTERNAL_IP).stream()
                .map(AddressMapping::publicAddress).toList();
        Optional<String> host = config.find(ConfigKeys.TURN_HOST)
                .or(() -> external.stream().findFirst().map(RelayMembership::text))
                .or(() -> listening.stream().findFirst().map(RelayMembership::text));
        Set<String> addresses = new LinkedHashSet<>();
        (external.isEmpty() ? listening : external).forEach(a -> addresses.add(text(a)));
        if (addresses.isEmpty() && host.isPresent()) {
            try {
                for (InetAddress a : InetAddress.getAllByName(host.get())) {
                    addresses.add(text(a));
                }
            } catch (java.net.UnknownHostException e) {
                LOG.warn("turn-host {} does not resolve: other relays cannot send clients here", host.get());
            }
        }
        return new RelayRecords.Advert(id, host, List.copyOf(addresses),
                relay.udpAddresses().get(0).getPort(), tlsPort, config.find(ConfigKeys.REGION));
    }

    private static String text(InetAddress a) {
        return io.netty.util.NetUtil.toAddressString(a);
    }

    private static Optional<InetAddress> literal(String s) {
        String h = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
        byte[] b = io.netty.util.NetUtil.createByteArrayFromIpAddressString(h);
        if (b == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByAddress(b));
        } catch (java.net.UnknownHostException e) {
            return Optional.empty();
        }
    }
}
