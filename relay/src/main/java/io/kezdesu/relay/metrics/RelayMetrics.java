package io.kezdesu.relay.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The relay's Prometheus metrics. The packet path only adds to {@link LongAdder}s (a striped cell per contending
 * thread, so event loops do not share a cache line); the Prometheus objects are callbacks that read the sums at
 * scrape time. A registry of its own, so several relays in one JVM (tests) never clash.
 */
public final class RelayMetrics {

    /**
     * The error codes RFC 8656 §7.2 gives an authenticated Allocate (400, 420, 437, 440, 442, 486, 508), shown at 0
     * from the first scrape so that the first refusal of each is a rate, not a new series.
     */
    static final List<Integer> ALLOCATE_REFUSALS = List.of(400, 420, 437, 440, 442, 486, 508);

    private final LongAdder created = new LongAdder();
    private final Map<Integer, LongAdder> refused = new ConcurrentHashMap<>();
    private final LongAdder unauthorized = new LongAdder();
    private final LongAdder peerDenied = new LongAdder();
    private final LongAdder packetsToPeer = new LongAdder();
    private final LongAdder bytesToPeer = new LongAdder();
    private final LongAdder packetsToClient = new LongAdder();
    private final LongAdder bytesToClient = new LongAdder();
    private final LongAdder droppedForBacklog = new LongAdder();
    private volatile LongSupplier streamBacklog = () -> 0;
    private final PrometheusRegistry registry = new PrometheusRegistry();

    /** @param activeAllocations read at scrape time */
    public RelayMetrics(IntSupplier activeAllocations) {
        ALLOCATE_REFUSALS.forEach(code -> refused.put(code, new LongAdder()));
        GaugeWithCallback.builder().name("kezdesu_relay_allocations")
                .help("TURN allocations currently active (including those binding their relay port)")
                .callback(cb -> cb.call(activeAllocations.getAsInt())).register(registry);
        CounterWithCallback.builder().name("kezdesu_relay_allocations_created")
                .help("TURN allocations created").callback(cb -> cb.call(created.sum())).register(registry);
        CounterWithCallback.builder().name("kezdesu_relay_allocations_refused")
                .help("Authenticated Allocate requests refused, by STUN error code (437, 486, 508, ...)")
                .labelNames("reason")
                .callback(cb -> refused.forEach((code, n) -> cb.call(n.sum(), String.valueOf(code))))
                .register(registry);
        CounterWithCallback.builder().name("kezdesu_relay_unauthorized")
                .help("401 Unauthorized decisions (missing or wrong credentials), including rate-limited ones")
                .callback(cb -> cb.call(unauthorized.sum())).register(registry);
        CounterWithCallback.builder().name("kezdesu_relay_peer_denied")
                .help("Peers refused by the peer address policy (403 on CreatePermission/ChannelBind, dropped Send)")
                .callback(cb -> cb.call(peerDenied.sum())).register(registry);
        CounterWithCallback.builder().name("kezdesu_relay_packets_relayed")
                .help("Packets relayed, by direction").labelNames("direction")
                .callback(cb -> {
                    cb.call(packetsToPeer.sum(), "to_peer");
                    cb.call(packetsToClient.sum(), "to_client");
                }).register(registry);
        CounterWithCallback.builder().name("kezdesu_relay_bytes_relayed")
                .help("Payload bytes relayed, by direction").labelNames("direction")
                .callback(cb -> {
                    cb.call(bytesToPeer.sum(), "to_peer");
                    cb.call(bytesToClient.sum(), "to_client");
                }).register(registry);
        CounterWithCallback.builder().name("kezdesu_relay_packets_dropped")
                .help("Messages for a TCP/TLS client dropped because too much already waits for it (it does not read)")
                .labelNames("reason")
                .callback(cb -> cb.call(droppedForBacklog.sum(), "client-backlog")).register(registry);
        GaugeWithCallback.builder().name("kezdesu_relay_stream_backlog_bytes")
                .help("Bytes waiting to be sent to TCP/TLS clients")
                .callback(cb -> cb.call(streamBacklog.getAsLong())).register(registry);
    }

    /** Where {@code kezdesu_relay_stream_backlog_bytes} is read from (the relay's stream clients). */
    public void streamBacklog(LongSupplier backlog) {
        this.streamBacklog = backlog;
    }

    /** A message for a stream client dropped: its backlog is over the high-water mark. */
    public void droppedForBacklog() {
        droppedForBacklog.increment();
    }

    public void allocationCreated() {
        created.increment();
    }

    public void allocationRefused(int stunErrorCode) {
        refused.computeIfAbsent(stunErrorCode, c -> new LongAdder()).increment();
    }

    public void unauthorized() {
        unauthorized.increment();
    }

    public void peerDenied() {
        peerDenied.increment();
    }

    /** Hot path: one packet handed to a peer (by socket or in-process). */
    public void toPeer(int bytes) {
        packetsToPeer.increment();
        bytesToPeer.add(bytes);
    }

    /** Hot path: one packet handed to a client (ChannelData or Data indication). */
    public void toClient(int bytes) {
        packetsToClient.increment();
        bytesToClient.add(bytes);
    }

    /** The Prometheus text exposition format (version 0.0.4). */
    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }
}
