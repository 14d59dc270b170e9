package io.kezdesu.signaling.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.kezdesu.common.data.DataDirectory;
import io.kezdesu.common.ratelimit.ConnectionBudget;
import io.kezdesu.common.tls.SelfSignedCertificate;
import io.kezdesu.common.tls.TlsFiles;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The first bytes of a connection to the port HTTPS shares with TURN, as a client may send them in any cut: the
 * decisions ({@link TlsOrPlainHint}: TLS, plain TURN, or a plain 400; then {@link TurnOrHttp}: TURN or HTTP) are the
 * ones the rules give, are taken as soon as the bytes allow and no later, never throw, and pass on every byte read,
 * in order, to whichever side takes the connection. {@code scripts/fuzz} runs them as fuzzers.
 */
class SharedPortFuzzTest {

    private static final int COOKIE = 0x2112A442;
    private static final SslContext SSL = ssl();

    private static SslContext ssl() {
        try {
            java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("kezdesu-fuzz-tls");
            TlsFiles files = SelfSignedCertificate.ensure(DataDirectory.open(dir));
            return SslContextBuilder.forServer(files.certificate().toFile(), files.privateKey().toFile()).build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean stun(byte[] b) {
        return b.length >= 8 && (b[0] & 0xC0) == 0
                && ((b[4] & 0xFF) << 24 | (b[5] & 0xFF) << 16 | (b[6] & 0xFF) << 8 | (b[7] & 0xFF)) == COOKIE;
    }

    @FuzzTest(maxDuration = "10s")
    void turnOrHttpDecidesAsSoonAsItCanAndPassesEveryByteOn(FuzzedDataProvider in) {
        List<Boolean> adopted = new ArrayList<>();
        ConnectionBudget.Place place = new ConnectionBudget(1).tryAcquire(() -> { });
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast("turn-or-http", new TurnOrHttp((c, tls, p) -> adopted.add(tls), place));
        ch.pipeline().addLast("codec", new ChannelInboundHandlerAdapter());
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        ByteArrayOutputStream passed = new ByteArrayOutputStream();
        while (in.remainingBytes() > 0) {
            byte[] chunk = in.consumeBytes(in.consumeInt(1, 64));
            if (chunk.length == 0) {
                break;
            }
            sent.writeBytes(chunk);
            ch.writeInbound(Unpooled.wrappedBuffer(chunk));
            drain(ch, passed);
            byte[] so = sent.toByteArray();
            boolean decidable = (so[0] & 0xC0) != 0 || so.length >= 8;
            assertEquals(decidable, ch.pipeline().get("turn-or-http") == null, "decided once, and only, when "
                    + "the bytes allow: " + so.length + " bytes");
        }
        byte[] all = sent.toByteArray();
        if (all.length == 0) {
            ch.finishAndReleaseAll();
            return;
        }
        if (ch.pipeline().get("turn-or-http") == null) {
            assertEquals(stun(all) ? List.of(false) : List.of(), adopted);
            assertEquals(stun(all), ch.pipeline().get("codec") == null, "HTTP's handlers go for TURN only");
            assertArrayEquals(all, passed.toByteArray(), "every byte read goes on, in order");
        } else {
            assertEquals(List.of(), adopted);
            assertEquals(0, passed.size(), "nothing goes on before the decision");
        }
        ch.finishAndReleaseAll();
    }

    @FuzzTest(maxDuration = "10s")
    void tlsOrPlainTellsTlsPlainTurnAndAMistakeApart(FuzzedDataProvider in) {
        EmbeddedChannel ch = new EmbeddedChannel();
        boolean[] tlsChosen = new boolean[1];
        ch.pipeline().addLast("hint", new TlsOrPlainHint(() -> {
            tlsChosen[0] = true;
            return SSL;
        }, true));
        ch.pipeline().addLast("next", new ChannelInboundHandlerAdapter());
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        ByteArrayOutputStream passed = new ByteArrayOutputStream();
        while (in.remainingBytes() > 0 && ch.isOpen() && ch.pipeline().get("hint") != null && !tlsChosen[0]) {
            byte[] chunk = in.consumeBytes(in.consumeInt(1, 64));
            if (chunk.length == 0) {
                break;
            }
            sent.writeBytes(chunk);
            try {
                ch.writeInbound(Unpooled.wrappedBuffer(chunk));
            } catch (io.netty.handler.codec.DecoderException tlsRefused) {
                // The TLS handler refusing a broken handshake is TLS's business, after the decision.
                assertTrue(tlsChosen[0], tlsRefused.toString());
                break;
            }
            drain(ch, passed);
        }
        byte[] all = sent.toByteArray();
        boolean tls = tlsChosen[0];
        boolean removed = ch.pipeline().get("hint") == null;
        if (all.length < 5) {
            assertFalse(removed || tls);
            assertTrue(ch.isOpen());
            ch.finishAndReleaseAll();
            return;
        }
        ByteBuf answer = ch.readOutbound();
        try {
            if (tls) {
                assertTrue(SslHandler.isEncrypted(Unpooled.wrappedBuffer(all), false), "TLS only for a TLS record");
            } else if (removed && ch.isOpen()) {
                assertTrue(stun(all), "plain TURN only for a STUN message");
                assertArrayEquals(all, passed.toByteArray(), "every byte goes on to TURN, in order");
                assertNull(answer);
            } else if (!ch.isOpen()) {
                assertFalse(stun(all));
                assertFalse(SslHandler.isEncrypted(Unpooled.wrappedBuffer(all), false));
                assertNotNull(answer, "a plain mistake gets its 400");
                assertTrue(answer.toString(StandardCharsets.US_ASCII).startsWith("HTTP/1.1 400 "));
            } else {
                // Undecided: five or more bytes that could still be STUN.
                assertTrue(all.length < 8 && (all[0] & 0xC0) == 0, all.length + " bytes undecided");
            }
        } finally {
            if (answer != null) {
                answer.release();
            }
            ch.finishAndReleaseAll();
        }
    }

    private static void drain(EmbeddedChannel ch, ByteArrayOutputStream to) {
        Object o;
        while ((o = ch.readInbound()) != null) {
            ByteBuf b = (ByteBuf) o;
            byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            to.writeBytes(bytes);
            b.release();
        }
    }
}
