package io.kezdesu.common.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * A client that writes the same request over and over on one TCP connection and never reads an answer: the attacker
 * of the backpressure tests. A server that stops reading once its answers cannot be sent leaves this client unable
 * to write (its socket buffers and the server's fill up and stay full); a server that goes on reading accepts
 * everything, queuing its answers in its own heap.
 */
public final class StallingWriter {

    /**
     * How long the socket may stay unwritable before the server counts as having stopped reading. A server that
     * reads drains the buffers within milliseconds; this only has to outlast a busy machine's scheduling hiccups.
     */
    private static final long STALL_MS = 3_000;

    /**
     * @param accepted bytes the kernel took from us
     * @param stopped  the server stopped taking more before {@code limit}: the socket stayed unwritable, or the server
     *                 closed the connection (say, over its limit of unanswered pipelined requests)
     * @param closed   the server closed the connection
     */
    public record Result(long accepted, boolean stopped, boolean closed) {
    }

    private StallingWriter() {
    }

    /** Writes {@code request} repeatedly to {@code host:port} until the connection stalls or {@code limit} bytes. */
    public static Result writeUntilStalled(String host, int port, byte[] request, long limit) {
        return writeUntilStalled(host, port, new byte[0], request, limit);
    }

    /** As above, after {@code preamble} (say, a WebSocket upgrade whose answer is never read either). */
    public static Result writeUntilStalled(String host, int port, byte[] preamble, byte[] request, long limit) {
        return writeUntilStalled(host, port, preamble, request, limit, () -> { });
    }

    /**
     * As above; {@code whileStalled} runs once the connection has stalled, before it is closed, so that a test can
     * look at the server's side of a connection that is still open.
     */
    public static Result writeUntilStalled(String host, int port, byte[] preamble, byte[] request, long limit,
                                           Runnable whileStalled) {
        try (SocketChannel ch = SocketChannel.open(); Selector selector = Selector.open()) {
            // A small receive window: the server's answers back up as early as the kernel allows.
            ch.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
            ch.connect(new InetSocketAddress(host, port));
            ch.configureBlocking(false);
            ch.register(selector, SelectionKey.OP_WRITE);
            ByteBuffer batch = batch(request);
            ByteBuffer first = ByteBuffer.wrap(preamble);
            long accepted = 0;
            while (accepted < limit) {
                if (selector.select(STALL_MS) == 0) {
                    whileStalled.run();
                    return new Result(accepted, true, false);
                }
                selector.selectedKeys().clear();
                ByteBuffer out = first.hasRemaining() ? first : batch;
                if (!out.hasRemaining()) {
                    out.rewind();
                }
                try {
                    accepted += ch.write(out);
                } catch (IOException closedByServer) {
                    return new Result(accepted, true, true);
                }
            }
            return new Result(accepted, false, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ByteBuffer batch(byte[] request) {
        int copies = Math.max(1, 64 * 1024 / request.length);
        ByteBuffer b = ByteBuffer.allocate(copies * request.length);
        for (int i = 0; i < copies; i++) {
            b.put(request);
        }
        return b.flip();
    }
}
