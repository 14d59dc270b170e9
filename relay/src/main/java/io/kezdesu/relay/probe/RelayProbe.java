package io.kezdesu.relay.probe;

import static io.kezdesu.relay.stun.StunTypes.*;

import io.kezdesu.relay.stun.OutAttribute;
import io.kezdesu.relay.probe.ProbeReport.NatBehaviour;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code kezdesu probe}: from where it runs, what a browser would get from a STUN/TURN server — the reflexive address
 * (Binding), the NAT's mapping and filtering (RFC 5780, when the server sends OTHER-ADDRESS), and for TURN an
 * allocation and relayed round trips (RFC 8656: Allocate, CreatePermission, Send indication out, Data indication back).
 */
public final class RelayProbe {

    /** How the probe runs: credentials only for TURN; {@code timeoutMillis} bounds each transaction. */
    public record Options(StunUrl url, Optional<String> username, Optional<String> password, int timeoutMillis,
            int roundTrips) {
        public Options {
            if (timeoutMillis <= 0) {
                throw new IllegalArgumentException("timeout: " + timeoutMillis + " (expected: > 0)");
            }
            if (roundTrips <= 0) {
                throw new IllegalArgumentException("roundTrips: " + roundTrips + " (expected: > 0)");
            }
        }
    }

    /** RFC 5780 tests wait less than a full transaction: a missing answer is the expected outcome of some of them. */
    private static final int NAT_TEST_WAIT_MILLIS = 1500;

    private final Options options;
    private final List<String> errors = new ArrayList<>();

    private RelayProbe(Options options) {
        this.options = options;
    }

    public static ProbeReport run(Options options) {
        return new RelayProbe(options).run();
    }

    private ProbeReport run() {
        StunUrl url = options.url();
        InetSocketAddress server;
        try {
            server = new InetSocketAddress(InetAddress.getByName(url.host()), url.port());
        } catch (UnknownHostException e) {
            errors.add("cannot resolve host " + url.host());
            return new ProbeReport(url.toString(), null, null, null, NatBehaviour.UNKNOWN, NatBehaviour.UNKNOWN,
                    "no server", null, List.copyOf(errors));
        }
        ClientTransport transport;
        try {
            transport = ClientTransport.open(url, server, options.timeoutMillis());
        } catch (ConnectException e) {
            return failed(url, server, "cannot connect to " + server + " over " + url.transport() + ": "
                    + e.getMessage());
        } catch (IOException e) {
            return failed(url, server, "cannot connect to " + server + " over " + url.transport() + ": "
                    + connectFailure(e));
        }
        try (StunClient client = new StunClient(transport, options.timeoutMillis())) {
            options.username().ifPresent(u -> client.credentials(u, options.password().orElse("")));
            InetSocketAddress mapped = null;
            Nat nat = new Nat(NatBehaviour.UNKNOWN, NatBehaviour.UNKNOWN, "Binding failed");
            try {
                ClientMessage binding = client.request(BINDING, List.of());
                if (binding.kind() == Kind.ERROR) {
                    errors.add("Binding refused: " + describe(binding));
                } else {
                    mapped = mappedAddress(binding);
                    if (mapped == null) {
                        errors.add("Binding response without XOR-MAPPED-ADDRESS");
                    }
                    nat = new NatTests(client, server, url.transport()).run(binding, mapped);
                }
            } catch (ProbeException | IOException e) {
                errors.add("Binding: " + e.getMessage());
            }
            ProbeReport.Turn turn = null;
            if (url.isTurn() && errors.isEmpty()) {
                turn = new TurnRoundTrip(client, server, options.roundTrips(), options.timeoutMillis(), errors).run();
            }
            return new ProbeReport(url.toString(), server, transport.localAddress(), mapped, nat.mapping(),
                    nat.filtering(), nat.note(), turn, List.copyOf(errors));
        }
    }

    /** Why a connection (or its TLS handshake) failed, in words rather than an exception's class name. */
    private String connectFailure(IOException e) {
        if (e instanceof java.net.SocketTimeoutException) {
            return "no response within " + options.timeoutMillis() + " ms"
                    + (options.url().transport() == StunUrl.Transport.TLS ? " (TLS handshake: is it a TLS port?)" : "");
        }
        if (e instanceof javax.net.ssl.SSLException) {
            return "TLS handshake failed: " + e.getMessage();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private ProbeReport failed(StunUrl url, InetSocketAddress server, String error) {
        errors.add(error);
        return new ProbeReport(url.toString(), server, null, null, NatBehaviour.UNKNOWN, NatBehaviour.UNKNOWN,
                "no connection", null, List.copyOf(errors));
    }

    static InetSocketAddress mappedAddress(ClientMessage m) {
        InetSocketAddress a = m.xorAddress(ATTR_XOR_MAPPED_ADDRESS);
        return a != null ? a : m.plainAddress(ATTR_MAPPED_ADDRESS);
    }

    /** "401 Unauthorized: ..." with a hint for the codes an operator meets. */
    static String describe(ClientMessage error) {
        int code = error.errorCode();
        String hint = switch (code) {
            case 401 -> "authentication failed: wrong user/password, or a REST credential the server's "
                    + "static-auth-secret did not mint or that has expired";
            case 403 -> "forbidden by the server's policy";
            case 420 -> "the server does not understand a required attribute";
            case 437 -> "allocation mismatch: this 5-tuple already has an allocation";
            case 438 -> "stale nonce, twice";
            case 441 -> "wrong credentials for this allocation";
            case 442 -> "unsupported transport protocol";
            case 486 -> "allocation quota reached (per user, room or server)";
            case 508 -> "insufficient capacity: the server has no free relay port";
            default -> "";
        };
        String reason = error.errorReason();
        return code + (reason.isEmpty() ? "" : " " + reason) + (hint.isEmpty() ? "" : " (" + hint + ")");
    }

    record Nat(NatBehaviour mapping, NatBehaviour filtering, String note) {
    }

    /** RFC 5780 §4.3 (mapping) and §4.4 (filtering), when the server names its other address. */
    private record NatTests(StunClient client, InetSocketAddress server, StunUrl.Transport transport) {

        Nat run(ClientMessage binding, InetSocketAddress mapped) throws IOException {
            InetSocketAddress other = binding.plainAddress(ATTR_OTHER_ADDRESS);
            if (other == null) {
                other = binding.plainAddress(0x0005); // RFC 3489 CHANGED-ADDRESS, what older servers send
            }
            if (transport != StunUrl.Transport.UDP) {
                return new Nat(NatBehaviour.UNKNOWN, NatBehaviour.UNKNOWN,
                        "cannot tell over " + transport + ": RFC 5780 NAT tests need UDP");
            }
            if (other == null) {
                return new Nat(NatBehaviour.UNKNOWN, NatBehaviour.UNKNOWN, "cannot tell: the server sends no "
                        + "OTHER-ADDRESS (RFC 5780 needs a server with a second IP address and port)");
            }
            if (mapped == null || other.getAddress().equals(server.getAddress())) {
                return new Nat(NatBehaviour.UNKNOWN, NatBehaviour.UNKNOWN,
                        "cannot tell: the server's OTHER-ADDRESS has the same IP as its primary address");
            }
            return new Nat(mapping(mapped, other), filtering(), "RFC 5780 tests against " + server + " and " + other);
        }

        private NatBehaviour mapping(InetSocketAddress mapped, InetSocketAddress other) throws IOException {
            ClientMessage two = client.bindingTo(new InetSocketAddress(other.getAddress(), server.getPort()),
                    List.of(), NAT_TEST_WAIT_MILLIS);
            InetSocketAddress m2 = two == null ? null : mappedAddress(two);
            if (m2 == null) {
                return NatBehaviour.UNKNOWN;
            }
            if (m2.equals(mapped)) {
                return NatBehaviour.ENDPOINT_INDEPENDENT;
            }
            ClientMessage three = client.bindingTo(other, List.of(), NAT_TEST_WAIT_MILLIS);
            InetSocketAddress m3 = three == null ? null : mappedAddress(three);
            if (m3 == null) {
                return NatBehaviour.UNKNOWN;
            }
            return m3.equals(m2) ? NatBehaviour.ADDRESS_DEPENDENT : NatBehaviour.ADDRESS_AND_PORT_DEPENDENT;
        }

        private NatBehaviour filtering() throws IOException {
            ClientMessage changeBoth = client.bindingTo(server,
                    List.of(new OutAttribute.ChangeRequest(true, true)), NAT_TEST_WAIT_MILLIS);
            if (changeBoth != null && changeBoth.kind() == Kind.ERROR) {
                return NatBehaviour.UNKNOWN; // 420: the server does not do CHANGE-REQUEST after all
            }
            if (changeBoth != null) {
                return NatBehaviour.ENDPOINT_INDEPENDENT;
            }
            ClientMessage changePort = client.bindingTo(server,
                    List.of(new OutAttribute.ChangeRequest(false, true)), NAT_TEST_WAIT_MILLIS);
            return changePort != null && changePort.kind() == Kind.SUCCESS
                    ? NatBehaviour.ADDRESS_DEPENDENT : NatBehaviour.ADDRESS_AND_PORT_DEPENDENT;
        }
    }
}
