package io.kezdesu.cli;

import io.kezdesu.cli.support.VersionProvider;
import io.kezdesu.cli.support.CliException;
import io.kezdesu.common.turn.TurnCredential;
import io.kezdesu.common.turn.TurnRestCredentials;
import io.kezdesu.relay.probe.ProbeReport;
import io.kezdesu.relay.probe.RelayProbe;
import io.kezdesu.relay.probe.StunUrl;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kezdesu probe URL}: what a browser here would get from a STUN/TURN server. */
@Command(name = "probe", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Probe a STUN/TURN server from here: the reflexive address (Binding), the NAT's mapping and "
                + "filtering (RFC 5780, when the server supports it), and for turn:/turns: an allocation and relayed "
                + "round trips with their RTT.",
            "Exit status 0 when every step worked, 1 when one failed, 2 for a usage error."})
final class ProbeCommand implements Callable<Integer> {

    /** How long a REST credential minted by --secret lives; the probe needs it for seconds. */
    private static final Duration MINTED_TTL = Duration.ofMinutes(10);
    private static final int ROUND_TRIPS = 5;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "URL",
            description = "stun:host[:port], turn:host[:port][?transport=udp|tcp] or turns:host[:port]")
    String url;

    @Option(names = "--user", paramLabel = "U", description = "TURN username (a static user or a REST username)")
    String user;

    @Option(names = "--password", paramLabel = "P", description = "TURN password for --user")
    String password;

    @Option(names = "--secret", paramLabel = "S",
            description = "a static-auth-secret: mint a REST credential (user id 'probe') instead of --user")
    String secret;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "5",
            description = "per transaction, including UDP retransmissions (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Option(names = "--json", description = "print the report as one JSON object")
    boolean json;

    @Override
    public Integer call() {
        StunUrl target;
        try {
            target = StunUrl.parse(url);
        } catch (IllegalArgumentException e) {
            throw new CliException("probe: " + e.getMessage(), Main.USAGE);
        }
        if (secret != null && (user != null || password != null)) {
            throw new CliException("probe: --secret mints its own credential (expected: --secret or --user/--password)",
                    Main.USAGE);
        }
        if ((user == null) != (password == null)) {
            throw new CliException("probe: --user and --password go together", Main.USAGE);
        }
        if (timeoutSeconds <= 0) {
            throw new CliException("probe: --timeout " + timeoutSeconds + " (expected: > 0)", Main.USAGE);
        }
        Optional<String> username = Optional.ofNullable(user);
        Optional<String> pass = Optional.ofNullable(password);
        if (secret != null) {
            TurnCredential minted = new TurnRestCredentials(List.of(secret), MINTED_TTL, Clock.systemUTC())
                    .mint("probe", Optional.empty());
            username = Optional.of(minted.username());
            pass = Optional.of(minted.password());
        }
        ProbeReport report = RelayProbe.run(new RelayProbe.Options(target, username, pass,
                timeoutSeconds * 1000, ROUND_TRIPS));
        PrintWriter out = spec.commandLine().getOut();
        out.println(json ? ProbeOutput.json(report) : ProbeOutput.text(report));
        out.flush();
        return report.ok() ? Main.OK : Main.FAILURE;
    }

    /** The report as lines for people or one JSON object for scripts. */
    static final class ProbeOutput {

        private ProbeOutput() {
        }

        static String text(ProbeReport r) {
            StringBuilder b = new StringBuilder();
            line(b, "server", r.url() + (r.server() == null ? "" : " (" + addr(r.server()) + ")"));
            line(b, "local address", addr(r.localAddress()));
            line(b, "mapped address", addr(r.mappedAddress()));
            line(b, "NAT mapping", r.mapping().label());
            line(b, "NAT filtering", r.filtering().label());
            line(b, "NAT note", r.natNote());
            ProbeReport.Turn t = r.turn();
            if (t != null) {
                line(b, "relayed address", addr(t.relayedAddress()) + " (lifetime " + t.lifetimeSeconds() + " s)");
                line(b, "relay peer", addr(t.peer()) + (t.peer() != null && t.peer().equals(t.relayedAddress())
                        ? " (the relayed address itself)" : " (the probe's second socket)"));
                line(b, "round trips", t.received() + "/" + t.sent() + (t.received() == 0 ? ""
                        : String.format(Locale.ROOT, ", rtt min %.2f ms, avg %.2f ms", t.minRttMillis(),
                                t.avgRttMillis())));
            }
            for (String e : r.errors()) {
                line(b, "error", e);
            }
            b.append(r.ok() ? "result: ok" : "result: FAILED");
            return b.toString();
        }

        private static void line(StringBuilder b, String name, String value) {
            b.append(String.format(Locale.ROOT, "%-16s %s%n", name + ":", value));
        }

        private static String addr(InetSocketAddress a) {
            if (a == null) {
                return "-";
            }
            String ip = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
            return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + a.getPort();
        }

        static String json(ProbeReport r) {
            StringBuilder b = new StringBuilder("{");
            field(b, "ok", String.valueOf(r.ok()));
            field(b, "url", str(r.url()));
            field(b, "server", r.server() == null ? "null" : str(addr(r.server())));
            field(b, "localAddress", r.localAddress() == null ? "null" : str(addr(r.localAddress())));
            field(b, "mappedAddress", r.mappedAddress() == null ? "null" : str(addr(r.mappedAddress())));
            field(b, "natMapping", str(r.mapping().label()));
            field(b, "natFiltering", str(r.filtering().label()));
            field(b, "natNote", str(r.natNote()));
            ProbeReport.Turn t = r.turn();
            if (t == null) {
                field(b, "turn", "null");
            } else {
                StringBuilder tb = new StringBuilder("{");
                field(tb, "relayedAddress", str(addr(t.relayedAddress())));
                field(tb, "lifetimeSeconds", String.valueOf(t.lifetimeSeconds()));
                field(tb, "peer", t.peer() == null ? "null" : str(addr(t.peer())));
                field(tb, "sent", String.valueOf(t.sent()));
                field(tb, "received", String.valueOf(t.received()));
                field(tb, "minRttMillis", num(t.minRttMillis()));
                field(tb, "avgRttMillis", num(t.avgRttMillis()));
                tb.setLength(tb.length() - 1);
                field(b, "turn", tb.append('}').toString());
            }
            StringBuilder errors = new StringBuilder("[");
            r.errors().forEach(e -> errors.append(str(e)).append(','));
            if (!r.errors().isEmpty()) {
                errors.setLength(errors.length() - 1);
            }
            field(b, "errors", errors.append(']').toString());
            b.setLength(b.length() - 1);
            return b.append('}').toString();
        }

        private static void field(StringBuilder b, String name, String value) {
            b.append('"').append(name).append("\":").append(value).append(',');
        }

        private static String num(double v) {
            return Double.isNaN(v) ? "null" : String.format(Locale.ROOT, "%.3f", v);
        }

        private static String str(String s) {
            if (s == null) {
                return "null";
            }
            StringBuilder b = new StringBuilder("\"");
            for (char c : s.toCharArray()) {
                switch (c) {
                    case '"' -> b.append("\\\"");
                    case '\\' -> b.append("\\\\");
                    case '\n' -> b.append("\\n");
                    default -> {
                        if (c < 0x20) {
                            b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                        } else {
                            b.append(c);
                        }
                    }
                }
            }
            return b.append('"').toString();
        }
    }
}
