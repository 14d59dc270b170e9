package io.kezdesu.signaling.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.reactivestreams.client.MongoDatabase;
import io.kezdesu.common.auth.NodeSignature;
import io.kezdesu.common.data.RandomIds;
import io.kezdesu.signaling.http.ApiError;
import io.kezdesu.signaling.http.ApiException;
import io.kezdesu.signaling.http.ApiRequest;
import io.kezdesu.signaling.http.ApiResponse;
import io.kezdesu.signaling.json.JsonMapping;
import io.kezdesu.signaling.peerjs.PeerDirectory;
import io.kezdesu.signaling.peerjs.PeerJsService;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * PeerJS ids across the nodes of a cluster. Each node records the ids connected to it in the store's {@code peers}
 * collection ({@code {_id: id, node, registration}}). A message for an id not connected here is looked up there
 * (remembered for {@link #REMEMBER}), and passed to the node that holds it: per node, one HTTP request at a time to
 * its {@code /internal/peerjs}, carrying every message waiting by then, in order, with the node signature. Messages
 * for an id being looked up wait for the answer, so none overtakes another.
 */
public final class PeerRoutes implements PeerDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(PeerRoutes.class);
    public static final String PATH = "/internal/peerjs";
    /** How long where an id is stays known without asking the store again. */
    static final Duration REMEMBER = Duration.ofSeconds(2);

    private final MongoCollection<Document> peers;
    private final NodeRegistry nodes;
    private final NodeSignature signature;
    private final Supplier<Optional<PeerJsService>> local;
    private final io.kezdesu.common.http.LazyHttpClient http =
            new io.kezdesu.common.http.LazyHttpClient(Duration.ofSeconds(3));
    private final ConcurrentHashMap<String, Known> known = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Lookup> lookingUp = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Mailbox> mailboxes = new ConcurrentHashMap<>();
    private volatile boolean others;

    /** Where an id was found (address null: not on another node), and until when that holds. */
    private record Known(String address, long untilNanos) {
    }

    public PeerRoutes(MongoDatabase db, NodeRegistry nodes, NodeSignature signature,
                      Supplier<Optional<PeerJsService>> local) {
        this.peers = db.getCollection("peers");
        this.nodes = nodes;
        this.signature = signature;
        this.local = local;
    }

    @Override
    public String online(String id) {
        String registration = RandomIds.next(6);
        Mono.from(peers.replaceOne(Filters.eq("_id", id), new Document("_id", id).append("node", nodes.id())
                        .append("registration", registration), new ReplaceOptions().upsert(true)))
                .subscribe(ok -> { }, e -> LOG.debug("PeerJS id {} not recorded in the store: {}", id, e.toString()));
        return registration;
    }

    @Override
    public void offline(String id, String registration) {
        Mono.from(peers.deleteOne(Filters.and(Filters.eq("_id", id), Filters.eq("node", nodes.id()),
                        Filters.eq("registration", registration))))
                .subscribe(ok -> { }, e -> LOG.debug("PeerJS id {} not removed from the store: {}", id, e.toString()));
    }

    /** Whether other live nodes share the store (each heartbeat says); alone, nothing is looked up. */
    public void others(boolean any) {
        others = any;
    }

    @Override
    public void route(String dst, byte[] message, Runnable notElsewhere) {
        if (!others) {
            // A node on its own asks the store nothing: an id not here is nowhere (and a flood of messages to
            // made-up ids costs the store nothing).
            notElsewhere.run();
            return;
        }
        Known k = known.get(dst);
        if (k != null && k.untilNanos - System.nanoTime() > 0) {
            send(k.address, dst, message, notElsewhere);
            return;
        }
        // Looked up once for every message that arrives meanwhile; they go on in the order they came, and the
        // answer is remembered only after they have, so no later message overtakes them.
        boolean[] first = new boolean[1];
        Lookup lookup = lookingUp.compute(dst, (id, current) -> {
            if (current == null || current.done) {
                first[0] = true;
                return new Lookup();
            }
            return current;
        });
        synchronized (lookup) {
            if (lookup.done) {
                // Answered between the two steps above: the answer is known now.
                Known now = known.get(dst);
                send(now == null ? null : now.address, dst, message, notElsewhere);
                return;
            }
            lookup.waiting.add(address -> send(address, dst, message, notElsewhere));
        }
        if (!first[0]) {
            return;
        }
        Mono.from(peers.find(Filters.eq("_id", dst)).first())
                .flatMap(d -> nodes.id().equals(d.getString("node")) ? Mono.<Optional<String>>empty()
                        : nodes.address(d.getString("node")))
                .map(address -> address.orElse(""))
                .onErrorResume(e -> Mono.empty())
                .defaultIfEmpty("")
                .subscribe(found -> {
                    String address = found.isEmpty() ? null : found;
                    synchronized (lookup) {
                        lookup.waiting.forEach(w -> w.accept(address));
                        lookup.waiting.clear();
                        lookup.done = true;
                        if (address != null) {
                            // Only where an id is, is remembered: an id that is nowhere may connect elsewhere now.
                            known.put(dst, new Known(address, System.nanoTime() + REMEMBER.toNanos()));
                        }
                    }
                    lookingUp.remove(dst, lookup);
                });
    }

    /** Messages waiting for one id's lookup. */
    private static final class Lookup {
        final List<java.util.function.Consumer<String>> waiting = new ArrayList<>();
        boolean done;
    }

    private void send(String address, String dst, byte[] message, Runnable notElsewhere) {
        if (address == null) {
            notElsewhere.run();
            return;
        }
        mailboxes.computeIfAbsent(address, Mailbox::new).post(dst, message);
    }

    /** {@code POST /internal/peerjs} from another node: each message to its id, if connected here. */
    public Mono<ApiResponse> receive(ApiRequest req) {
        if (signature.verify(req.headers().get(NodeSignature.HEADER)).isEmpty()) {
            throw new ApiException(ApiError.FORBIDDEN, "only the nodes of this cluster may pass PeerJS messages");
        }
        PeerJsService service = local.get().orElseThrow(() -> new ApiException(ApiError.NOT_FOUND,
                "PeerJS is off on this node"));
        int delivered = 0;
        for (JsonNode m : req.jsonBody().path("messages")) {
            if (service.deliverForwarded(m.path("dst").asText(),
                    m.path("message").asText().getBytes(StandardCharsets.UTF_8))) {
                delivered++;
            } else {
                known.remove(m.path("dst").asText());
            }
        }
        return Mono.just(ApiResponse.ok(Map.of("delivered", delivered)));
    }

    /** The messages for one node, sent one request at a time, each carrying all that waited. */
    private final class Mailbox {
        private final String address;
        private final ConcurrentLinkedQueue<String[]> queue = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean sending = new AtomicBoolean();

        Mailbox(String address) {
            this.address = address;
        }

        void post(String dst, byte[] message) {
            queue.add(new String[] {dst, new String(message, StandardCharsets.UTF_8)});
            flush();
        }

        private void flush() {
            if (queue.isEmpty() || !sending.compareAndSet(false, true)) {
                return;
            }
            ObjectNode body = JsonMapping.MAPPER.createObjectNode();
            ArrayNode list = body.putArray("messages");
            String[] next;
            while ((next = queue.poll()) != null) {
                list.addObject().put("dst", next[0]).put("message", next[1]);
            }
            HttpRequest request = HttpRequest.newBuilder(URI.create(address + PATH))
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .header(NodeSignature.HEADER, signature.sign(nodes.id()))
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                    .build();
            http.get().sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
                if (e != null || r.statusCode() != 200) {
                    LOG.info("{} PeerJS message(s) for node {} lost: {}", list.size(), address,
                            e != null ? e.toString() : "HTTP " + r.statusCode());
                    known.values().removeIf(k -> address.equals(k.address));
                }
                sending.set(false);
                flush();
            });
        }
    }
}
