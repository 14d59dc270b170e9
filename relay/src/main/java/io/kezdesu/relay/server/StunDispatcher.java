package io.kezdesu.relay.server;

import io.kezdesu.relay.allocation.ClientLink;
import io.kezdesu.relay.allocation.FiveTuple;
import io.kezdesu.relay.auth.Credential;
import io.kezdesu.relay.auth.NonceService;
import io.kezdesu.relay.ice4j.StunCodec;
import io.kezdesu.relay.stun.MalformedStunException;
import io.kezdesu.relay.stun.OutAttribute;
import io.kezdesu.relay.stun.StunError;
import io.kezdesu.relay.stun.StunMessage;
import io.kezdesu.relay.stun.StunTypes;
import io.kezdesu.relay.stun.TurnException;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Every non-ChannelData message lands here: decode (malformed → silently dropped, RFC 8489 §6.3), route by class
 * and method, authenticate TURN requests (RFC 8489 §9.2.4), and map every {@link TurnException} to its error
 * response — the only place that does.
 */
public final class StunDispatcher {

    private final TurnServices services;
    private final AllocateHandler allocate;
    private final RefreshHandler refresh;
    private final CreatePermissionHandler createPermission;
    private final ChannelBindHandler channelBind;
    private final SendIndicationHandler send;

    public StunDispatcher(TurnServices services) {
        this.services = services;
        this.allocate = new AllocateHandler(services);
        this.refresh = new RefreshHandler(services);
        this.createPermission = new CreatePermissionHandler(services);
        this.channelBind = new ChannelBindHandler(services);
        this.send = new SendIndicationHandler(services);
    }

    public void dispatch(byte[] packet, ClientLink link, FiveTuple tuple, EventLoop loop) {
        dispatch(packet, link, tuple, loop, false);
    }

    /**
     * A Binding request over UDP that {@link FastBinding} did not answer, its source already charged against the
     * Binding limit: answered (or refused, or dropped) here without charging it again.
     */
    void dispatchBinding(byte[] packet, ClientLink link, FiveTuple tuple, EventLoop loop) {
        dispatch(packet, link, tuple, loop, true);
    }

    private void dispatch(byte[] packet, ClientLink link, FiveTuple tuple, EventLoop loop, boolean admitted) {
        StunMessage m;
        try {
            m = StunCodec.decode(packet, 0, packet.length);
        } catch (MalformedStunException e) {
            return;
        }
        switch (m.kind()) {
            case INDICATION -> {
                if (m.method() == StunTypes.SEND && m.unknownRequired().isEmpty()) {
                    send.handle(m, tuple);
                }
            }
            case REQUEST -> request(new Transaction(m, link, tuple, loop, m.method() == StunTypes.BINDING
                    || fingerprinted(m)), admitted);
            default -> { } // responses are not ours to answer
        }
    }

    private void request(Transaction tx, boolean admitted) {
        StunMessage m = tx.request();
        try {
            if (m.method() == StunTypes.BINDING) {
                // Answered without authentication, so over UDP (where a source can be spoofed) only so often per
                // source: the relay must not reflect a flood at a victim.
                if (!admitted && tx.fiveTuple().transport() == FiveTuple.Transport.UDP && !services.bindingLimiter()
                        .tryAcquire(tx.fiveTuple().client().getAddress(), System.nanoTime())) {
                    return;
                }
                binding(tx);
                return;
            }
            if (!isTurnRequest(m.method())) {
                throw new TurnException(StunError.BAD_REQUEST, "method " + m.method());
            }
            if (!authenticate(tx)) {
                return;
            }
            rejectUnknown(m);
            switch (m.method()) {
                case StunTypes.ALLOCATE -> allocate.handle(tx, this::fail);
                case StunTypes.REFRESH -> refresh.handle(tx);
                case StunTypes.CREATE_PERMISSION -> createPermission.handle(tx);
                default -> channelBind.handle(tx);
            }
        } catch (TurnException e) {
            fail(tx, e);
        }
    }

    /** RFC 8489 §9.2.4, in its order; false when a challenge or error has been sent (or rate-limited away). */
    private boolean authenticate(Transaction tx) {
        StunMessage m = tx.request();
        if (!m.hasIntegrity()) {
            challenge(tx, StunError.UNAUTHENTICATED);
            return false;
        }
        if (m.username() == null || m.realm() == null || m.nonce() == null) {
            throw new TurnException(StunError.BAD_REQUEST, "MESSAGE-INTEGRITY without USERNAME, REALM or NONCE");
        }
        NonceService.Verdict verdict = services.nonces().verify(m.nonce(), tx.fiveTuple().client().getAddress());
        if (verdict != NonceService.Verdict.VALID) {
            challenge(tx, StunError.STALE_NONCE);
            return false;
        }
        Optional<Credential> credential = services.authenticator().authenticate(m);
        if (credential.isEmpty()) {
            challenge(tx, StunError.UNAUTHENTICATED);
            return false;
        }
        tx.authenticated(credential.get());
        return true;
    }

    /** 401/438: ERROR-CODE without reason phrase, REALM, NONCE; unsigned, no SOFTWARE or FINGERPRINT; rate-limited. */
    private void challenge(Transaction tx, StunError error) {
        if (error == StunError.UNAUTHENTICATED) {
            services.allocations().metrics().unauthorized();
        }
        if (!services.challengeLimiter().tryAcquire(tx.fiveTuple().client().getAddress(), System.nanoTime())) {
            return;
        }
        tx.challenge(List.of(new OutAttribute.ErrorCode(error.code(), ""),
                new OutAttribute.Realm(services.authenticator().realm()),
                new OutAttribute.Nonce(services.nonces().issue(tx.fiveTuple().client().getAddress()))));
    }

    /** The one mapping from a failed request to its error response. */
    void fail(Transaction tx, TurnException e) {
        StunError error = e.error();
        if (error == StunError.UNAUTHENTICATED || error == StunError.STALE_NONCE) {
            challenge(tx, error);
            return;
        }
        if (tx.request().method() == StunTypes.ALLOCATE) {
            services.allocations().metrics().allocationRefused(error.code());
        }
        // An error to a request nobody authenticated (an unknown method, integrity without a username) costs the
        // sender nothing, and over UDP the source may be a spoofed victim: it shares the 401s' budget per source.
        if (tx.credential() == null && tx.fiveTuple().transport() == FiveTuple.Transport.UDP
                && !services.challengeLimiter().tryAcquire(tx.fiveTuple().client().getAddress(), System.nanoTime())) {
            return;
        }
        List<OutAttribute> attributes = new ArrayList<>(2);
        attributes.add(new OutAttribute.ErrorCode(error.code(), reason(error)));
        if (error == StunError.UNKNOWN_ATTRIBUTE) {
            attributes.add(new OutAttribute.UnknownAttributes(tx.request().unknownRequired()));
        }
        tx.error(attributes);
    }

    /**
     * RFC 8489 §7.3.1: the reflexive transport address, XOR-encoded; with RFC 5780 served (over UDP), also
     * OTHER-ADDRESS and RESPONSE-ORIGIN, and the answer leaves from the address and port a CHANGE-REQUEST asks for.
     * Without it, CHANGE-REQUEST is an unknown attribute (420), as RFC 5780 §6.1 says.
     */
    private void binding(Transaction tx) {
        StunMessage m = tx.request();
        NatDiscovery nat = services.natDiscovery();
        boolean udp = tx.fiveTuple().transport() == FiveTuple.Transport.UDP;
        if (!nat.enabled() || !udp) {
            rejectUnknown(m);
            tx.success(List.of(new OutAttribute.XorMappedAddress(tx.fiveTuple().client())));
            return;
        }
        if (m.unknownRequired().stream().anyMatch(t -> t != StunTypes.ATTR_CHANGE_REQUEST)) {
            rejectUnknown(m);
        }
        InetSocketAddress local = tx.fiveTuple().server();
        Transaction answer = tx;
        InetSocketAddress origin = local;
        int flags = m.changeRequest().orElse(0);
        if (flags != 0) {
            io.netty.channel.Channel from = nat.answerFrom(local, flags);
            if (from == null) {
                throw new TurnException(StunError.UNKNOWN_ATTRIBUTE, "CHANGE-REQUEST: no such listener");
            }
            origin = (InetSocketAddress) from.localAddress();
            answer = new Transaction(m, new UdpServerHandler.UdpLink(from, tx.fiveTuple().client()),
                    tx.fiveTuple(), tx.loop(), true);
        }
        answer.success(List.of(new OutAttribute.XorMappedAddress(tx.fiveTuple().client()),
                new OutAttribute.OtherAddress(nat.other(local)), new OutAttribute.ResponseOrigin(origin)));
    }

    private static void rejectUnknown(StunMessage m) {
        if (!m.unknownRequired().isEmpty()) {
            throw new TurnException(StunError.UNKNOWN_ATTRIBUTE, "unknown " + m.unknownRequired());
        }
    }

    private static boolean isTurnRequest(int method) {
        return method == StunTypes.ALLOCATE || method == StunTypes.REFRESH
                || method == StunTypes.CREATE_PERMISSION || method == StunTypes.CHANNEL_BIND;
    }

    private static boolean fingerprinted(StunMessage m) {
        byte[] raw = m.raw();
        int last = raw.length - 8;
        return last >= StunTypes.HEADER_LENGTH && ((raw[last] & 0xFF) << 8 | (raw[last + 1] & 0xFF))
                == StunTypes.ATTR_FINGERPRINT;
    }

    private static String reason(StunError error) {
        return switch (error) {
            case BAD_REQUEST -> "Bad Request";
            case UNAUTHENTICATED -> "Unauthenticated";
            case FORBIDDEN -> "Forbidden";
            case UNKNOWN_ATTRIBUTE -> "Unknown Attribute";
            case ALLOCATION_MISMATCH -> "Allocation Mismatch";
            case STALE_NONCE -> "Stale Nonce";
            case ADDRESS_FAMILY_NOT_SUPPORTED -> "Address Family not Supported";
            case WRONG_CREDENTIALS -> "Wrong Credentials";
            case UNSUPPORTED_TRANSPORT -> "Unsupported Transport Protocol";
            case PEER_ADDRESS_FAMILY_MISMATCH -> "Peer Address Family Mismatch";
            case ALLOCATION_QUOTA_REACHED -> "Allocation Quota Reached";
            case SERVER_ERROR -> "Server Error";
            case INSUFFICIENT_CAPACITY -> "Insufficient Capacity";
        };
    }
}
