package io.kezdesu.signaling.peerjs;

import io.kezdesu.signaling.metrics.SignalingMetrics;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The PeerJS broker without any transport: registers ids, routes OFFER/ANSWER/CANDIDATE/LEAVE/EXPIRE by
 * {@code dst}, holds messages for ids not (yet) connected, and runs peerjs-server's two sweeps (silent clients,
 * expired queues) on the shared timer thread. Every method may be called from any event loop; none blocks.
 */
public final class PeerJsService implements AutoCloseable {

    private static final String LEAVE = "LEAVE";
    private static final String EXPIRE = "EXPIRE";
    /** peerjs-server checks liveness every 300 ms ({@code DEFAULT_CHECK_INTERVAL}) and queues every 1 s. */
    private static final long ALIVE_CHECK_MS = 300;
    private static final long EXPIRE_CHECK_MS = 1000;

    private final PeerJsSettings settings;
    private final SignalingMetrics metrics;
    private final PeerRealm realm;
    private final PendingMessages pending;
    private final Map<String, CounterDataPoint> relayed;
    private final List<ScheduledFuture<?>> sweeps;
    private final PeerDirectory directory;

    public PeerJsService(PeerJsSettings settings, SignalingMetrics metrics, ScheduledExecutorService timers) {
        this(settings, metrics, timers, PeerDirectory.NONE);
    }

    /** {@code directory}: the ids connected to other nodes, and the way to them. */
    public PeerJsService(PeerJsSettings settings, SignalingMetrics metrics, ScheduledExecutorService timers,
                         PeerDirectory directory) {
        this.directory = directory;
        this.settings = settings;
        this.metrics = metrics;
        this.realm = new PeerRealm(settings.concurrentLimit());
        this.pending = new PendingMessages(new PendingMessages.Limits(settings.queueLimit(), settings.queueIds(),
                settings.queueBytesPerSender(), settings.queueBytes()));
        this.relayed = Map.of("OFFER", metrics.peerjsRelayed.labelValues("OFFER"),
                "ANSWER", metrics.peerjsRelayed.labelValues("ANSWER"),
                "CANDIDATE", metrics.peerjsRelayed.labelValues("CANDIDATE"),
                LEAVE, metrics.peerjsRelayed.labelValues(LEAVE),
                EXPIRE, metrics.peerjsRelayed.labelValues(EXPIRE));
        long alive = Math.min(ALIVE_CHECK_MS, Math.max(50, settings.aliveTimeout().toMillis() / 3));
        long expire = Math.min(EXPIRE_CHECK_MS, Math.max(50, settings.expireTimeout().toMillis() / 3));
        this.sweeps = List.of(
                timers.scheduleAtFixedRate(this::dropSilent, alive, alive, TimeUnit.MILLISECONDS),
                timers.scheduleAtFixedRate(this::expireQueues, expire, expire, TimeUnit.MILLISECONDS));
    }

    public PeerJsSettings settings() {
        return settings;
    }

    public PeerRealm realm() {
        return realm;
    }

    /**
     * Registers {@code link} as {@code id}. On success OPEN goes out first (under the id's lock, before anyone can
     * route to the id), then whatever was queued for it; a message queued concurrently is either drained here or
     * sees the id online and is delivered directly.
     */
    public PeerRealm.Registration connect(String id, String owner, PeerLink link) {
        PeerRealm.Registration r = realm.register(id, owner, link, System.nanoTime(),
                () -> link.send(PeerMessages.open()));
        if (r instanceof PeerRealm.Registration.Opened || r instanceof PeerRealm.Registration.Replaced) {
            pending.drain(id, link::send);
            PeerClient client = realm.get(id);
            if (client != null) {
                client.registration = directory.online(id);
            }
        }
        if (r instanceof PeerRealm.Registration.Replaced replaced && replaced.previous() != null
                && replaced.previous() != link) {
            replaced.previous().close();
        }
        return r;
    }

    /** The socket of {@code client} closed. */
    public void disconnected(PeerClient client, PeerLink link) {
        if (realm.remove(client, link)) {
            directory.offline(client.id(), client.registration);
        }
    }

    /** Removes a client from the realm (and the cluster's directory); whether it was there. */
    private boolean remove(PeerClient client) {
        if (realm.remove(client)) {
            directory.offline(client.id(), client.registration);
            return true;
        }
        return false;
    }

    /**
     * A message another node passed on for {@code dst}, connected here when that node looked: delivered, or dropped
     * when the id has left since (its sender's node finds that out at its next look).
     */
    public boolean deliverForwarded(String dst, byte[] message) {
        PeerClient target = realm.get(dst);
        PeerLink link = target == null ? null : target.link();
        if (link == null || !link.isOpen()) {
            return false;
        }
        link.send(message);
        return true;
    }

    /**
     * One message from {@code src} as {@link PeerEnvelope#scan} read it (null: not a JSON object); anything that is
     * not a known message is ignored, as peerjs-server does.
     */
    void receive(PeerClient src, PeerMessages.Parsed m) {
        if (m == null || m.type() == null) {
            return;
        }
        switch (m.type()) {
            case "HEARTBEAT" -> src.heartbeat(System.nanoTime());
            case "OFFER", "ANSWER", "CANDIDATE", LEAVE, EXPIRE -> transmit(src, m);
            default -> {
            }
        }
    }

    private void transmit(PeerClient src, PeerMessages.Parsed m) {
        String dst = m.dst();
        if (dst == null) {
            if (m.type().equals(LEAVE)) {
                // peerjs-server: a LEAVE without dst unregisters the sender. Its socket closes too: left open, it had
                // no liveness timer any more and went on sending as an id that someone else may hold by now.
                remove(src);
                PeerLink link = src.link();
                if (link != null) {
                    link.close();
                }
            }
            return;
        }
        byte[] out = PeerMessages.relayed(m, src.quotedId(), PeerMessages.quote(dst));
        PeerClient target = realm.get(dst);
        if (target != null) {
            deliver(target, out, src, m.type());
        } else if (m.type().equals(LEAVE) || m.type().equals(EXPIRE)) {
            directory.route(dst, out, () -> { });
        } else {
            String type = m.type();
            directory.route(dst, out, () -> queue(src, type, dst, out));
        }
    }

    /** Nobody holds {@code dst} now, here or on another node: the message waits for it (or expires). */
    private void queue(PeerClient src, String type, String dst, byte[] out) {
        PeerClient arrived = realm.get(dst);
        if (arrived != null) {
            deliver(arrived, out, src, type); // it connected here while we looked elsewhere
        } else {
            PendingMessages.Offer offer = pending.offer(dst, src.id(), out, System.nanoTime(),
                    id -> realm.get(id) != null, () -> deliver(realm.get(dst), out, src, type));
            if (offer == PendingMessages.Offer.DROPPED || offer == PendingMessages.Offer.REFUSED) {
                metrics.peerjsQueueDropped.inc();
            }
            if (offer == PendingMessages.Offer.REFUSED) {
                // No queue could be made to remember the sender by: the EXPIRE it would have heard, now.
                metrics.peerjsExpired.inc();
                PeerLink back = src.link();
                if (back != null) {
                    back.send(PeerMessages.notice(EXPIRE, PeerMessages.quote(dst), src.quotedId()));
                }
            }
        }
    }

    private void deliver(PeerClient target, byte[] message, PeerClient src, String type) {
        PeerLink link = target.link();
        if (link != null && link.isOpen()) {
            link.send(message);
            relayed.get(type).inc();
            return;
        }
        // The target's socket died without us hearing yet: drop it and tell the sender to stop trying.
        remove(target);
        if (link != null) {
            link.close();
        }
        if (src != null && src != target) {
            PeerLink back = src.link();
            if (back != null) {
                back.send(PeerMessages.notice(LEAVE, target.quotedId(), src.quotedId()));
            }
        }
    }

    void dropSilent() {
        for (PeerClient c : realm.silentSince(System.nanoTime(), settings.aliveTimeout().toNanos())) {
            if (remove(c)) {
                pending.clear(c.id());
                metrics.peerjsTimeouts.inc();
                PeerLink link = c.link();
                if (link != null) {
                    link.close();
                }
            }
        }
    }

    void expireQueues() {
        for (PendingMessages.Expired e : pending.expire(System.nanoTime(), settings.expireTimeout().toNanos())) {
            metrics.peerjsExpired.inc();
            PeerClient sender = realm.get(e.sender());
            PeerLink link = sender == null ? null : sender.link();
            if (link != null && link.isOpen()) {
                link.send(PeerMessages.notice(EXPIRE, PeerMessages.quote(e.dst()), sender.quotedId()));
            }
        }
    }

    @Override
    public void close() {
        sweeps.forEach(s -> s.cancel(false));
    }
}
