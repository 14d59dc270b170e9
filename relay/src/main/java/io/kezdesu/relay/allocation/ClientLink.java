package io.kezdesu.relay.allocation;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetSocketAddress;

/** The way back to a TURN client: a UDP listener plus the client's address, or a TCP/TLS connection. */
public interface ClientLink {

    /** Sends one STUN or ChannelData message; takes ownership of {@code message}. */
    void send(ByteBuf message);

    /** Stream transports pad ChannelData to four bytes (RFC 8656 §12.5). */
    boolean stream();

    InetSocketAddress client();

    ByteBufAllocator alloc();
}
