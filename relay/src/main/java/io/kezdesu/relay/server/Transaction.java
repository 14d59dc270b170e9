package io.kezdesu.relay.server;

import io.kezdesu.relay.allocation.ClientLink;
import io.kezdesu.relay.allocation.FiveTuple;
import io.kezdesu.relay.auth.Credential;
import io.kezdesu.relay.ice4j.StunCodec;
import io.kezdesu.relay.stun.OutAttribute;
import io.kezdesu.relay.stun.StunMessage;
import io.kezdesu.relay.stun.StunTypes;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import java.util.List;

/**
 * One request being answered: where it came from and, once authenticated, with which credential. Responses carry
 * MESSAGE-INTEGRITY when the request was authenticated (RFC 8489 §9.2.4), and FINGERPRINT when the request had one.
 */
public final class Transaction {

    private final StunMessage request;
    private final ClientLink link;
    private final FiveTuple fiveTuple;
    private final EventLoop loop;
    private final boolean fingerprint;
    private Credential credential;

    Transaction(StunMessage request, ClientLink link, FiveTuple fiveTuple, EventLoop loop, boolean fingerprint) {
        this.request = request;
        this.link = link;
        this.fiveTuple = fiveTuple;
        this.loop = loop;
        this.fingerprint = fingerprint;
    }

    public StunMessage request() {
        return request;
    }

    public ClientLink link() {
        return link;
    }

    public FiveTuple fiveTuple() {
        return fiveTuple;
    }

    public EventLoop loop() {
        return loop;
    }

    public Credential credential() {
        return credential;
    }

    void authenticated(Credential c) {
        this.credential = c;
    }

    public void success(List<OutAttribute> attributes) {
        send(StunTypes.Kind.SUCCESS, attributes, true);
    }

    /** An error response, signed when the request was authenticated. */
    public void error(List<OutAttribute> attributes) {
        send(StunTypes.Kind.ERROR, attributes, true);
    }

    /** 401/438: unsigned (the client cannot verify it yet) and without FINGERPRINT, to stay small. */
    void challenge(List<OutAttribute> attributes) {
        send(StunTypes.Kind.ERROR, attributes, false);
    }

    private void send(StunTypes.Kind kind, List<OutAttribute> attributes, boolean signed) {
        byte[] key = signed && credential != null ? credential.key() : null;
        byte[] out = StunCodec.encode(StunTypes.type(request.method(), kind), request.transactionId(), attributes, key,
                fingerprint && signed);
        link.send(Unpooled.wrappedBuffer(out));
    }
}
