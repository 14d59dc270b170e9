package io.kezdesu.signaling.webhook;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.reactivestreams.client.MongoDatabase;
import io.kezdesu.common.data.RandomIds;
import io.kezdesu.common.webhook.WebhookReceiver;
import io.kezdesu.signaling.http.Json;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Webhook events, from the moment they happen to their receivers: {@link #emit} queues an event in memory (never
 * blocking the room that reports it), a writer stores the queue in the outbox in order, and every node's delivery
 * pass sends each (receiver, room)'s oldest due event, signed as Standard Webhooks says, retrying failures with a
 * doubling wait from {@code webhook-first-retry} up to an hour, for {@code webhook-retry-for}.
 *
 * <p>Delivery is at least once: a node that dies between a receiver's 2xx and recording it, or a receiver slower
 * than the claim, gets the event again with the same {@code webhook-id}, by which receivers de-duplicate.
 */
public final class Webhooks implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Webhooks.class);
    /** How long one node holds an event while it delivers it. */
    private static final Duration CLAIM = Duration.ofSeconds(30);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration LONGEST_WAIT = Duration.ofHours(1);
    /** Deliveries in flight at once from this node. */
    private static final int IN_FLIGHT = 16;
    private static final long PASS_EVERY_MS = 500;
    /** Events held in memory while the store does not take them; beyond it the oldest are dropped (and counted). */
    private static final int QUEUE_LIMIT = 100_000;

    /**
     * An event as it happened: its type, its room, when, and its data; {@code emitted} (never earlier than the event
     * before it) and {@code seq} order it among this node's events (the order they were reported in, which is the
     * order they happened in).
     */
    record Event(String type, String room, Instant at, Instant emitted, long seq, ObjectNode data) {
    }

    private final Map<String, WebhookReceiver> receivers = new LinkedHashMap<>();
    private final WebhookOutbox outbox;
    private final String node;
    private final Clock clock;
    private final Duration retryFor;
    private final Duration firstRetry;
    private final ScheduledExecutorService timers;
    private final io.kezdesu.common.http.LazyHttpClient http =
            new io.kezdesu.common.http.LazyHttpClient(Duration.ofSeconds(5));
    private final ArrayDeque<Event> queue = new ArrayDeque<>();
    private final AtomicLong seq = new AtomicLong();
    /** The latest {@link Event#emitted} (under the queue's lock): each event's is at least the one before. */
    private Instant lastEmitted = Instant.EPOCH;
    private final AtomicBoolean writing = new AtomicBoolean();
    private final AtomicBoolean passing = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Counter delivered;
    private final Counter failed;
    private final Counter dropped;
    private final Gauge pending;
    private volatile boolean closed;

    public Webhooks(List<WebhookReceiver> configured, MongoDatabase db, String node, Clock clock, Duration retryFor,
                    Duration firstRetry, ScheduledExecutorService timers, PrometheusRegistry registry) {
        for (WebhookReceiver r : configured) {
            receivers.put(key(r), r);
        }
        this.outbox = new WebhookOutbox(db);
        this.node = node;
        this.clock = clock;
        this.retryFor = retryFor;
        this.firstRetry = firstRetry;
        this.timers = timers;
        this.delivered = Counter.builder().name("kezdesu_webhooks_delivered_total")
                .help("Webhook events a receiver took (2xx)").labelNames("receiver").register(registry);
        this.failed = Counter.builder().name("kezdesu_webhooks_failed_total")
                .help("Webhook deliveries that failed: attempt (retried later) or given-up (after webhook-retry-for)")
                .labelNames("receiver", "outcome").register(registry);
        this.dropped = Counter.builder().name("kezdesu_webhooks_dropped_total")
                .help("Webhook events dropped before the store took them (more than 100,000 waiting for it)")
                .register(registry);
        this.pending = Gauge.builder().name("kezdesu_webhooks_pending")
                .help("Webhook events in the outbox not delivered yet (as of this node's last pass)")
                .register(registry);
    }

    /** Whether any receiver is configured (else events are not even built). */
    public boolean enabled() {
        return !receivers.isEmpty();
    }

    /**
     * Starts the writer and the delivery passes; {@code previous}: this node's previous run, whose deliveries in
     * flight (a crash, kill -9) are attempted again at once rather than after their claims lapse.
     */
    public Webhooks start(Duration startup, java.util.Optional<String> previous) {
        if (enabled()) {
            outbox.ensureIndexes().block(startup);
            previous.ifPresent(p -> outbox.release(p).block(startup));
            timers.scheduleWithFixedDelay(this::scheduledPass, PASS_EVERY_MS, PASS_EVERY_MS,
                    TimeUnit.MILLISECONDS);
            timers.scheduleWithFixedDelay(() -> outbox.purge(clock.instant().minus(retryFor).minus(retryFor))
                    .subscribe(ok -> { }, e -> LOG.debug("webhook purge: {}", e.toString())), 1, 60, TimeUnit.MINUTES);
        }
        return this;
    }

    /** Queues an event for every receiver; returns at once. {@code data} gets the room id if it has none. */
    public void emit(String type, String room, Instant at, ObjectNode data) {
        if (!enabled() || closed) {
            return;
        }
        synchronized (queue) {
            if (queue.size() >= QUEUE_LIMIT) {
                queue.pollFirst();
                dropped.inc();
            }
            // The outbox orders a room's events by this time, then seq: it must not go back when the wall clock is
            // stepped back (NTP at boot, a VM resumed), or later events would be delivered before earlier ones.
            Instant now = clock.instant();
            lastEmitted = now.isAfter(lastEmitted) ? now : lastEmitted;
            queue.addLast(new Event(type, room, at, lastEmitted, seq.incrementAndGet(), data));
        }
        timers.execute(this::write);
    }

    /** Stores what is queued, in order, one batch at a time; what the store refuses stays queued for the next try. */
    private void write() {
        if (closed || !writing.compareAndSet(false, true)) {
            return;
        }
        List<Event> batch = new ArrayList<>();
        synchronized (queue) {
            batch.addAll(queue);
            queue.clear();
        }
        if (batch.isEmpty()) {
            writtenOrFailed();
            return;
        }
        outbox.add(entries(batch)).subscribe(ok -> { }, err -> {
            LOG.warn("webhook outbox: {} event(s) not stored yet ({}); retrying", batch.size(), err.toString());
            synchronized (queue) {
                for (int i = batch.size() - 1; i >= 0; i--) {
                    queue.addFirst(batch.get(i));
                }
            }
            writtenOrFailed();
            if (!closed) {
                timers.schedule(this::write, 1, TimeUnit.SECONDS);
            }
        }, () -> {
            writtenOrFailed();
            timers.execute(this::pass);
            boolean more;
            synchronized (queue) {
                more = !queue.isEmpty();
            }
            if (more) {
                timers.execute(this::write);
            }
        });
    }

    private void writtenOrFailed() {
        synchronized (queue) {
            writing.set(false);
            queue.notifyAll();
        }
    }

    /** Each event once per receiver, with ids of their own. */
    private List<WebhookOutbox.Entry> entries(List<Event> events) {
        List<WebhookOutbox.Entry> entries = new ArrayList<>();
        Instant now = clock.instant();
        for (Event e : events) {
            String body = body(e);
            for (String receiver : receivers.keySet()) {
                // Due now: after a step back of the clock, emitted may still be ahead of it.
                entries.add(new WebhookOutbox.Entry("msg_" + RandomIds.next(16), receiver, e.room(), e.emitted(),
                        e.seq(), body, 0, now, Instant.EPOCH, now));
            }
        }
        return entries;
    }

    private static String body(Event e) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("type", e.type());
        body.put("timestamp", e.at().toString());
        if (!e.data().has("room")) {
            e.data().put("room", e.room());
        }
        body.set("data", e.data());
        try {
            return Json.MAPPER.writeValueAsString(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * One delivery pass: every (receiver, room) whose oldest pending event is due and free is attempted. Asked for
     * while one runs, another follows it.
     */
    private void pass() {
        again.set(true);
        quietUntil = Instant.EPOCH;
        if (closed || !passing.compareAndSet(false, true)) {
            return;
        }
        again.set(false);
        Instant now = clock.instant();
        outbox.heads(now, Math.max(1, IN_FLIGHT - inFlight.get())).flatMapMany(heads -> {
            pending.set(heads.pending());
            // Nothing due: the timer skips reading the outbox until the earliest head is (at most QUIET_MAX), so a
            // receiver that is down for hours costs one read per retry, not two a second. Writes and deliveries of
            // this node still pass at once.
            Instant wake = now.plus(QUIET_MAX);
            boolean due = false;
            for (WebhookOutbox.Entry e : heads.oldest()) {
                Instant free = e.nextAt().isAfter(e.claimUntil()) ? e.nextAt() : e.claimUntil();
                due |= !free.isAfter(now);
                wake = free.isBefore(wake) ? free : wake;
            }
            if (!due) {
                quietUntil = wake;
            }
            return Flux.fromIterable(heads.oldest());
        })
                .filter(e -> !e.nextAt().isAfter(now) && !e.claimUntil().isAfter(now))
                .filter(e -> receivers.containsKey(e.receiver()))
                .take(Math.max(0, IN_FLIGHT - inFlight.get()))
                .concatMap(e -> outbox.claim(e.id(), node, now, now.plus(CLAIM)))
                .subscribe(claimed -> claimed.ifPresent(this::deliver),
                        err -> {
                            passed();
                            LOG.debug("webhook pass: {}", err.toString());
                        },
                        this::passed);
    }

    /** The timer's pass, unless the last one found nothing due before {@link #quietUntil}. */
    private void scheduledPass() {
        if (!clock.instant().isBefore(quietUntil)) {
            pass();
        }
    }

    /** Until when the timer need not read the outbox (the earliest pending event is not due before). */
    private volatile Instant quietUntil = Instant.EPOCH;
    /** The longest the timer stays quiet: events other nodes wrote are picked up within this. */
    private static final Duration QUIET_MAX = Duration.ofSeconds(5);

    private void passed() {
        passing.set(false);
        if (again.get() && !closed) {
            timers.execute(this::pass);
        }
    }

    /** After a delivery, the same receiver's next event of the room at once, when it is due and free. */
    private void next(WebhookOutbox.Entry done) {
        Instant now = clock.instant();
        outbox.next(done.receiver(), done.room())
                .filter(e -> !e.nextAt().isAfter(now) && !e.claimUntil().isAfter(now) && inFlight.get() < IN_FLIGHT)
                .flatMap(e -> outbox.claim(e.id(), node, now, now.plus(CLAIM)))
                .subscribe(claimed -> claimed.ifPresent(this::deliver),
                        err -> LOG.debug("webhook next: {}", err.toString()));
    }

    private void deliver(WebhookOutbox.Entry e) {
        WebhookReceiver receiver = receivers.get(e.receiver());
        long timestamp = clock.instant().getEpochSecond();
        HttpRequest request = HttpRequest.newBuilder(receiver.url()).timeout(REQUEST_TIMEOUT)
                .header("content-type", "application/json")
                .header("webhook-id", e.id())
                .header("webhook-timestamp", Long.toString(timestamp))
                .header("webhook-signature", receiver.sign(e.id(), timestamp, e.body()))
                .header("user-agent", "kezdesu-webhooks")
                .POST(HttpRequest.BodyPublishers.ofString(e.body(), StandardCharsets.UTF_8)).build();
        inFlight.incrementAndGet();
        http.get().sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
            inFlight.decrementAndGet();
            String label = receiver.url().getHost();
            Mono<Void> recorded;
            boolean ok = error == null && response.statusCode() / 100 == 2;
            if (ok) {
                delivered.labelValues(label).inc();
                recorded = outbox.delivered(e.id(), clock.instant());
            } else {
                String why = error != null ? String.valueOf(error.getMessage() == null ? error : error.getMessage())
                        : "HTTP " + response.statusCode();
                Instant now = clock.instant();
                Optional<Instant> next = Optional.of(now.plus(backoff(e.attempts() + 1)))
                        .filter(t -> t.isBefore(e.createdAt().plus(retryFor)));
                failed.labelValues(label, next.isPresent() ? "attempt" : "given-up").inc();
                if (next.isEmpty()) {
                    LOG.warn("webhook {} to {} given up after {} attempts: {}", e.id(), label, e.attempts() + 1, why);
                } else {
                    LOG.debug("webhook {} to {} failed ({}); again at {}", e.id(), label, why, next.get());
                }
                recorded = outbox.attemptFailed(e.id(), next, why);
            }
            recorded.subscribe(x -> { }, err -> LOG.debug("webhook {}: not recorded: {}", e.id(), err.toString()),
                    () -> {
                        if (ok) {
                            next(e);
                        }
                    });
        });
    }

    /** The wait after {@code attempts} failed attempts: first-retry, doubling, at most an hour. */
    Duration backoff(int attempts) {
        Duration wait = firstRetry;
        for (int i = 1; i < attempts && wait.compareTo(LONGEST_WAIT) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(LONGEST_WAIT) > 0 ? LONGEST_WAIT : wait;
    }

    /** A receiver's key in the outbox: its URL, hashed (the outbox never holds a secret). */
    private static String key(WebhookReceiver r) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(r.url().toString()
                    .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stores what is still queued (waiting up to three seconds for the store), then stops delivering. */
    @Override
    public void close() {
        if (!enabled()) {
            return;
        }
        closed = true;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        List<Event> rest = new ArrayList<>();
        synchronized (queue) {
            while (writing.get() && System.nanoTime() < deadline) {
                try {
                    queue.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            rest.addAll(queue);
            queue.clear();
        }
        if (rest.isEmpty()) {
            return;
        }
        try {
            outbox.add(entries(rest)).block(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        } catch (RuntimeException e) {
            LOG.warn("webhook outbox: {} event(s) lost at shutdown: the store did not take them ({})", rest.size(),
                    e.toString());
        }
    }
}
