package io.kezdesu.benchmarks.soak;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * TURN allocation churn with the credentials real clients get, for soak.sh. Each account logs in and fetches
 * {@code GET /api/ice-servers} (a TURN REST credential and the relay's {@code turn:…?transport=udp} URL).
 * {@code --pairs} threads each run rounds of two allocation cycles, each client on a fresh UDP socket:
 *
 * <ol>
 *   <li>A and B allocate (401, then authenticated Allocate), each with its own account's credential;</li>
 *   <li>each creates a permission for the other's relayed address (the relay's own allocations are reachable peers
 *       with the default peer policy, delivered in-process); A binds channel 0x4000 to B's relayed address;</li>
 *   <li>A sends ChannelData, B receives it as a Data indication; B answers with a Send indication, A receives it as
 *       ChannelData (each retried up to three times, UDP);</li>
 *   <li>both Refresh with LIFETIME 0.</li>
 * </ol>
 *
 * <p>Client sockets spread over {@code --source-ips} loopback addresses 127.3.x.y (the relay's 401 rate limit and
 * {@code address-quota} count per source address), and {@code --pairs} ≤ accounts × 5 / 2 keeps every account under
 * {@code user-quota} (10). A failed round deletes whatever it had allocated. Prints one line like JoinLeaveSoak.
 *
 * <pre>
 * SOAK_PASSWORD=… java -cp … io.kezdesu.benchmarks.soak.AllocationSoak --url http://127.0.0.1:PORT --cycles 10000
 *     [--users 8] [--pairs 8] [--source-ips 256] [--payload 160]
 * </pre>
 */
public final class AllocationSoak {

    private static final int CHANNEL = 0x4000;
    private static final int DATA_WAIT_MILLIS = 1000;

    private record Credential(InetSocketAddress server, String username, String password) { }

    private final List<Credential> credentials;
    private final int sourceIps;
    private final int payload;
    private final Tally tally;

    private AllocationSoak(List<Credential> credentials, int sourceIps, int payload, Tally tally) {
        this.credentials = credentials;
        this.sourceIps = sourceIps;
        this.payload = payload;
        this.tally = tally;
    }

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        Api api = new Api(URI.create(args.string("url", null)));
        List<Credential> credentials = new ArrayList<>();
        for (int i = 0; i < args.integer("users", 8); i++) {
            credentials.add(credential(api.iceServers(api.login(Api.email(i), System.getenv("SOAK_PASSWORD")))));
        }
        int cycles = args.integer("cycles", 10_000);
        Tally tally = new Tally((cycles + 1) / 2);
        AllocationSoak soak = new AllocationSoak(credentials, args.integer("source-ips", 256),
                args.integer("payload", 160), tally);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < args.integer("pairs", 8); p++) {
            int pair = p;
            Thread t = new Thread(() -> soak.runPair(pair), "pair-" + p);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        System.out.println(tally.line("cycles"));
        System.exit(0);
    }

    /** The TURN entry of an iceServers array: its UDP URL's host and port, username and credential. */
    private static Credential credential(JsonNode iceServers) throws IOException {
        for (JsonNode server : iceServers) {
            for (JsonNode url : server.path("urls")) {
                URI u = URI.create(url.asText().replaceFirst("^turn:", "turn://"));
                if (url.asText().startsWith("turn:") && "transport=udp".equals(u.getQuery())) {
                    return new Credential(new InetSocketAddress(u.getHost(), u.getPort()),
                            server.path("username").asText(), server.path("credential").asText());
                }
            }
        }
        throw new IOException("no turn:…?transport=udp in " + iceServers);
    }

    private void runPair(int pair) {
        Credential a = credentials.get((2 * pair) % credentials.size());
        Credential b = credentials.get((2 * pair + 1) % credentials.size());
        for (int round = tally.nextRound(); round >= 0; round = tally.nextRound()) {
            try (TurnClient ca = new TurnClient(source(2 * round), a.server(), a.username(), a.password());
                 TurnClient cb = new TurnClient(source(2 * round + 1), b.server(), b.username(), b.password())) {
                try {
                    round(ca, cb, round);
                    tally.completed(2);
                } catch (SoakFailure e) {
                    tally.failed(e.getMessage());
                    deleteQuietly(ca);
                    deleteQuietly(cb);
                }
            } catch (IOException e) {
                tally.failed("io_" + e.getClass().getSimpleName());
            }
        }
    }

    private void round(TurnClient a, TurnClient b, int round) throws IOException, SoakFailure {
        InetSocketAddress relayedA = a.allocate();
        InetSocketAddress relayedB = b.allocate();
        a.createPermission(relayedB);
        b.createPermission(relayedA);
        a.channelBind(CHANNEL, relayedB);
        byte[] toB = message("a", round);
        byte[] toA = message("b", round);
        for (int i = 0; ; i++) {
            a.sendChannelData(CHANNEL, toB);
            if (Arrays.equals(b.receiveData(DATA_WAIT_MILLIS), toB)) {
                break;
            } else if (i == 2) {
                throw new SoakFailure("data_a_to_b");
            }
        }
        for (int i = 0; ; i++) {
            b.sendIndication(relayedA, toA);
            if (Arrays.equals(a.receiveData(DATA_WAIT_MILLIS), toA)) {
                break;
            } else if (i == 2) {
                throw new SoakFailure("data_b_to_a");
            }
        }
        a.delete();
        b.delete();
    }

    private byte[] message(String from, int round) {
        byte[] m = new byte[payload];
        Arrays.fill(m, (byte) 'x');
        byte[] head = (from + round + ":").getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, m, 0, Math.min(head.length, m.length));
        return m;
    }

    private static void deleteQuietly(TurnClient c) {
        if (c.allocated()) {
            try {
                c.delete();
            } catch (IOException | SoakFailure e) {
                // Reported by the settle check: the allocation then lives out its lifetime on the server.
            }
        }
    }

    private InetAddress source(int i) throws IOException {
        int n = i % sourceIps;
        return InetAddress.getByAddress(new byte[] {127, 3, (byte) (n >>> 8), (byte) n});
    }
}
