package io.kezdesu.benchmarks.soak;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Join/leave churn over the public signaling protocol, for soak.sh. {@code --pairs} threads each drive two accounts
 * (A, B) through rounds; a round is two join/leave cycles, each a fresh socket:
 *
 * <ol>
 *   <li>A opens {@code /ws}, joins a room (the rooms rotate, so pairs meet in shared rooms), gets {@code joined};</li>
 *   <li>B opens, joins the same room; A sees {@code peer-joined} with B's id;</li>
 *   <li>B sends {@code offer} to A, A answers with {@code answer} (one signal each way, stamped with
 *       {@code from});</li>
 *   <li>B leaves ({@code leave}, A sees {@code peer-left}) and closes; A leaves and closes. Every
 *       {@code --drop-every}-th round B instead drops its TCP connection without a word, so its place waits out the
 *       resume grace and B's next join of that room replaces it (the {@code evict-old} path).</li>
 * </ol>
 *
 * <p>Accounts are {@code soak<i>@soak.invalid} with the password in {@code SOAK_PASSWORD} (created by soak.sh with
 * {@code kezdesu user add}); the rooms are headed by account 0 and reused across runs. Prints one line:
 * {@code cycles=… seconds=… per_s=… failures=… [fail_<kind>=n …]}.
 *
 * <pre>
 * SOAK_PASSWORD=… java -cp … io.kezdesu.benchmarks.soak.JoinLeaveSoak --url http://127.0.0.1:PORT --cycles 10000
 *     [--pairs 4] [--rooms 4] [--drop-every 10] [--timeout-ms 10000]
 * </pre>
 */
public final class JoinLeaveSoak {

    private final Api api;
    private final List<String> rooms;
    private final Duration timeout;
    private final int dropEvery;
    private final Tally tally;

    private JoinLeaveSoak(Api api, List<String> rooms, Duration timeout, int dropEvery, Tally tally) {
        this.api = api;
        this.rooms = rooms;
        this.timeout = timeout;
        this.dropEvery = dropEvery;
        this.tally = tally;
    }

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        int pairs = args.integer("pairs", 4);
        Api api = new Api(URI.create(args.string("url", null)));
        String password = System.getenv("SOAK_PASSWORD");
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 2 * pairs; i++) {
            tokens.add(api.login(Api.email(i), password));
        }
        List<String> rooms = api.rooms(tokens.get(0), args.integer("rooms", 4));
        int cycles = args.integer("cycles", 10_000);
        Tally tally = new Tally((cycles + 1) / 2);
        JoinLeaveSoak soak = new JoinLeaveSoak(api, rooms, Duration.ofMillis(args.integer("timeout-ms", 10_000)),
                args.integer("drop-every", 10), tally);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < pairs; p++) {
            int pair = p;
            String a = tokens.get(2 * pair);
            String b = tokens.get(2 * pair + 1);
            Thread t = new Thread(() -> soak.runPair(pair, a, b), "pair-" + p);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        System.out.println(tally.line("cycles"));
        System.exit(0);
    }

    private void runPair(int pair, String tokenA, String tokenB) {
        for (int round = tally.nextRound(); round >= 0; round = tally.nextRound()) {
            String room = rooms.get((pair + round) % rooms.size());
            boolean drop = dropEvery > 0 && round % dropEvery == dropEvery - 1;
            try {
                round(tokenA, tokenB, room, drop);
                tally.completed(2);
            } catch (SoakFailure e) {
                tally.failed(e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void round(String tokenA, String tokenB, String room, boolean drop)
            throws SoakFailure, InterruptedException {
        String join = Api.JSON.createObjectNode().put("type", "join").put("room", room).toString();
        WsClient a = WsClient.open(api.http(), api.webSocket(tokenA), timeout);
        try {
            a.send(join);
            String aId = a.await("joined", m -> true).path("you").asText();
            WsClient b = WsClient.open(api.http(), api.webSocket(tokenB), timeout);
            try {
                b.send(join);
                String bId = b.await("joined", m -> true).path("you").asText();
                a.await("peer-joined", m -> m.path("participant").path("id").asText().equals(bId));
                b.send(signal("offer", aId));
                a.await("offer", m -> from(m, bId));
                a.send(signal("answer", bId));
                b.await("answer", m -> from(m, aId));
                if (drop) {
                    b.abort();
                } else {
                    b.send("{\"type\":\"leave\"}");
                    a.await("peer-left", m -> m.path("id").asText().equals(bId));
                    b.close();
                }
            } finally {
                b.abort(); // no-op after a completed close
            }
            a.send("{\"type\":\"leave\"}");
            a.close();
        } finally {
            a.abort();
        }
    }

    private static String signal(String type, String to) {
        return Api.JSON.createObjectNode().put("type", type).put("to", to).put("sdp", "v=0 soak " + type).toString();
    }

    private static boolean from(JsonNode m, String id) {
        return m.path("from").asText().equals(id);
    }
}
