package io.kezdesu.relay.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The TURN clients connected over TCP or TLS, so that what waits to be sent to them can be measured
 * ({@code kezdesu_relay_stream_backlog_bytes}): bounded per connection by {@link StreamInitializer}'s write-buffer
 * water marks, past which relayed data is dropped.
 */
public final class StreamClients {

    private final Set<Channel> channels = ConcurrentHashMap.newKeySet();

    void add(Channel ch) {
        channels.add(ch);
    }

    void remove(Channel ch) {
        channels.remove(ch);
    }

    public int size() {
        return channels.size();
    }

    /** Bytes written to stream clients and not yet taken by their sockets, summed at the time of the call. */
    public long backlogBytes() {
        long sum = 0;
        for (Channel ch : channels) {
            ChannelOutboundBuffer out = ch.unsafe().outboundBuffer();
            if (out != null) {
                sum += out.totalPendingWriteBytes();
            }
        }
        return sum;
    }
}
