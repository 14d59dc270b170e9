package io.kezdesu.signaling.metrics;

import io.kezdesu.signaling.protocol.SignalingError;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The signaling server's Prometheus metrics, on a registry of its own (so tests and several servers never clash).
 * Every documented label value is created at 0 up front: a series that appears only with its first event makes
 * {@code rate()} and alerts blind to that first event, and a scrape shows nothing to build a dashboard from.
 */
public final class SignalingMetrics {

    public static final String AUTH_API_TOKEN = "api-token";
    public static final String AUTH_ADMIN_TOKEN = "admin-token";
    /** The kinds of {@code kezdesu_auth_failures_total}, as the README lists them. */
    static final List<String> AUTH_KINDS = List.of("login", "login-throttled", "websocket", "peerjs", AUTH_API_TOKEN,
            AUTH_ADMIN_TOKEN);
    /** The outcomes of {@code kezdesu_joins_total}: admitted, lobby, and the refusals of {@code room.Admission}. */
    static final List<String> JOIN_OUTCOMES = List.of("admitted", "lobby", SignalingError.ROOM_CLOSED.code(),
            SignalingError.KICKED.code(), SignalingError.ALREADY_JOINED.code(), SignalingError.ROOM_LOCKED.code(),
            SignalingError.WRONG_PASSWORD.code(), SignalingError.ROOM_FULL.code());

    private final PrometheusRegistry registry = new PrometheusRegistry();

    /** The registry, for metrics that live with their feature (webhooks). */
    public PrometheusRegistry registry() {
        return registry;
    }

    public final Gauge activeRooms = Gauge.builder().name("kezdesu_active_rooms")
            .help("Rooms with a conference in progress").register(registry);
    public final Gauge participants = Gauge.builder().name("kezdesu_participants")
            .help("Participants in rooms, including those within the resume grace").register(registry);
    public final Gauge sessions = Gauge.builder().name("kezdesu_websocket_sessions")
            .help("Open signaling WebSocket connections").register(registry);
    public final Gauge forwarded = Gauge.builder().name("kezdesu_forwarded_sessions")
            .help("Memberships of this node's sockets in rooms another node serves (one link to that node each)")
            .register(registry);
    public final Counter joins = Counter.builder().name("kezdesu_joins_total")
            .help("Join attempts by outcome (admitted, lobby, or the refusal code)").labelNames("outcome")
            .register(registry);
    public final Counter relayed = Counter.builder().name("kezdesu_messages_relayed_total")
            .help("offer/answer/candidate messages relayed").labelNames("type").register(registry);
    public final Counter authFailures = Counter.builder().name("kezdesu_auth_failures_total")
            .help("Refused logins, WebSocket upgrades and bearer tokens, by kind").labelNames("kind")
            .register(registry);
    public final Counter resumes = Counter.builder().name("kezdesu_resumes_total")
            .help("Sessions resumed after a dropped socket").register(registry);
    public final Counter protocolErrors = Counter.builder().name("kezdesu_protocol_errors_total")
            .help("Error messages sent to clients, by code").labelNames("code").register(registry);
    public final Gauge peerjsSessions = Gauge.builder().name("kezdesu_peerjs_sessions")
            .help("Open PeerJS WebSocket connections that hold an id").register(registry);
    public final Counter peerjsRelayed = Counter.builder().name("kezdesu_peerjs_messages_relayed_total")
            .help("PeerJS messages relayed to a connected peer, by type").labelNames("type").register(registry);
    public final Counter peerjsExpired = Counter.builder().name("kezdesu_peerjs_expired_total")
            .help("EXPIRE notices owed for messages to PeerJS ids that did not connect in time").register(registry);
    public final Counter connectionsRefused = Counter.builder().name("kezdesu_connections_refused_total")
            .help("HTTP/WebSocket connections closed at once: their client address already held connections-per-ip, "
                    + "or the process max-connections")
            .register(registry);
    public final Counter peerjsQueueDropped = Counter.builder().name("kezdesu_peerjs_queue_dropped_total")
            .help("PeerJS messages for offline ids dropped over a queue bound (per id, ids, bytes per sender, bytes)")
            .register(registry);
    public final Counter peerjsTimeouts = Counter.builder().name("kezdesu_peerjs_timeouts_total")
            .help("PeerJS clients dropped for sending no HEARTBEAT within peerjs-alive-timeout").register(registry);

    private final io.prometheus.metrics.core.datapoints.CounterDataPoint relayedOffers = relayed.labelValues("offer");
    private final io.prometheus.metrics.core.datapoints.CounterDataPoint relayedAnswers = relayed.labelValues("answer");
    private final io.prometheus.metrics.core.datapoints.CounterDataPoint relayedCandidates =
            relayed.labelValues("candidate");

    /** {@code kezdesu_live_rooms}: rooms held in memory, read from {@code count} at scrape time. */
    public void liveRooms(java.util.function.IntSupplier count) {
        io.prometheus.metrics.core.metrics.GaugeWithCallback.builder().name("kezdesu_live_rooms")
                .help("Rooms held in memory: loaded for a join, until nobody is in them or their lobby")
                .callback(cb -> cb.call(count.getAsInt())).register(registry);
    }

    public SignalingMetrics() {
        JOIN_OUTCOMES.forEach(joins::labelValues);
        AUTH_KINDS.forEach(authFailures::labelValues);
        for (SignalingError code : SignalingError.values()) {
            protocolErrors.labelValues(code.code());
        }
    }

    /** Counts one relayed message without a label lookup (the hot path). */
    public void relayed(String type) {
        switch (type) {
            case "offer" -> relayedOffers.inc();
            case "answer" -> relayedAnswers.inc();
            default -> relayedCandidates.inc();
        }
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
