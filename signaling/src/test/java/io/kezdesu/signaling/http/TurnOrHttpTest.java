package io.kezdesu.signaling.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.kezdesu.common.ratelimit.ConnectionBudget;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The first-byte decision on a port HTTPS shares with TURN, byte by byte, without sockets. */
class TurnOrHttpTest {

    private final List<Boolean> adopted = new ArrayList<>();

    private EmbeddedChannel channel() {
        ConnectionBudget.Place place = ConnectionBudget.of(10).tryAcquire(() -> { });
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast("turn-or-http", new TurnOrHttp((c, tls, p) -> adopted.add(tls), place));
        ch.pipeline().addLast("codec", new ChannelInboundHandlerAdapter());
        return ch;
    }

    @Test
    void aStunMessageFirstIsTurnAndTheHttpHandlersGo() {
        EmbeddedChannel ch = channel();
        ByteBuf stun = Unpooled.buffer().writeShort(0x0001).writeShort(0).writeInt(0x2112A442).writeZero(12);
        // Half a header: not decided yet.
        ch.writeInbound(stun.readRetainedSlice(6));
        assertEquals(List.of(), adopted);
        assertNotNull(ch.pipeline().get("turn-or-http"));
        ch.writeInbound(stun);
        assertEquals(List.of(false), adopted);
        assertNull(ch.pipeline().get("codec"));
        assertNull(ch.pipeline().get("turn-or-http"));
        ByteBuf passed = ch.readInbound();
        assertEquals(20, passed.readableBytes(), "the bytes read so far go on to TURN");
        passed.release();
    }

    @Test
    void anHttpMethodIsDecidedOnItsFirstByteAndStunWithoutTheCookieIsHttp() {
        EmbeddedChannel http = channel();
        http.writeInbound(Unpooled.wrappedBuffer(new byte[] {'G'}));
        assertNull(http.pipeline().get("turn-or-http"));
        assertNotNull(http.pipeline().get("codec"));
        EmbeddedChannel odd = channel();
        odd.writeInbound(Unpooled.wrappedBuffer(new byte[] {0, 1, 0, 0, 1, 2, 3, 4}));
        assertNull(odd.pipeline().get("turn-or-http"));
        assertNotNull(odd.pipeline().get("codec"));
        assertEquals(List.of(), adopted);
        http.finishAndReleaseAll();
        odd.finishAndReleaseAll();
    }
}
