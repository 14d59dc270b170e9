package io.kezdesu.benchmarks.flood;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One flood connection on {@code /ws}: the upgrade request (written by hand, so that it can be a bad one), then,
 * once the server answers 101, every frame of its plan in one write, then it reads until the server closes. What
 * the server answered (each {@code error} code, the close code, whether it closed at all) goes to
 * {@link WsGarbage}'s tallies. Confined to the one event loop.
 */
final class WsConnection extends ChannelInboundHandlerAdapter {

    /** Longer than any server timeout that should end the connection on its own (heartbeat 15 s, pings every 5 s). */
    static final int STUCK_SECONDS = 30;
    private static final Pattern CODE = Pattern.compile("\"code\":\"([^\"]{0,40})\"");
    private static final Pattern TYPE = Pattern.compile("\"type\":\"([^\"]{0,40})\"");

    private final WsGarbage flood;
    private final String request;
    private ByteBuf in;
    private boolean upgraded;
    private String ending = "none";
    private String closeCode = "no-close-frame";
    private final byte[][] payload = new byte[1][];

    WsConnection(WsGarbage flood, String request) {
        this.flood = flood;
        this.request = request;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        in = ctx.alloc().heapBuffer();
        ctx.writeAndFlush(ctx.alloc().buffer().writeBytes(request.getBytes(StandardCharsets.US_ASCII)));
        ctx.executor().schedule(() -> {
            if (ctx.channel().isActive()) {
                flood.stuck.add(ending);
                ctx.close();
            }
        }, STUCK_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf b = (ByteBuf) msg;
        in.writeBytes(b);
        b.release();
        if (!upgraded && !handshake(ctx)) {
            return;
        }
        while (true) {
            int opcode = Frames.read(in, payload);
            if (opcode < 0) {
                if (opcode == -2) {
                    flood.answers.add("unreadable-frame");
                    ctx.close();
                }
                break;
            }
            answered(opcode, payload[0]);
        }
        in.discardReadBytes();
    }

    /** Reads the upgrade answer; on 101 sends the plan. Returns whether frames may follow. */
    private boolean handshake(ChannelHandlerContext ctx) {
        int end = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
        String head = in.toString(StandardCharsets.ISO_8859_1);
        int headerEnd = head.indexOf("\r\n\r\n");
        if (end < 0 || headerEnd < 0) {
            return false;
        }
        String status = head.length() > 12 ? head.substring(9, 12) : "short";
        flood.upgrades.add(status);
        if (!status.equals("101")) {
            if (WellBehaved.looksLikeStackTrace(head)) {
                flood.stackTraces.increment();
            }
            ctx.close();
            return false;
        }
        upgraded = true;
        in.readerIndex(in.readerIndex() + headerEnd + 4);
        ByteBuf plan = ctx.alloc().heapBuffer();
        ending = flood.plan(plan);
        ctx.writeAndFlush(plan);
        return true;
    }

    private void answered(int opcode, byte[] body) {
        if (opcode == Frames.CLOSE) {
            closeCode = body.length >= 2 ? Integer.toString((body[0] & 0xFF) << 8 | (body[1] & 0xFF)) : "empty";
            return;
        }
        if (opcode != Frames.TEXT) {
            flood.answers.add(opcode == Frames.PONG ? "ws-pong" : opcode == Frames.PING ? "ws-ping"
                    : "opcode-" + opcode);
            return;
        }
        String text = new String(body, StandardCharsets.UTF_8);
        if (WellBehaved.looksLikeStackTrace(text)) {
            flood.stackTraces.increment();
        }
        Matcher type = TYPE.matcher(text);
        String t = type.find() ? type.group(1) : "untyped";
        Matcher code = CODE.matcher(text);
        flood.answers.add(t.equals("error") && code.find() ? "error:" + code.group(1) : t);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Typically a reset: the server closed while our plan was still arriving. Counted with the ending.
        if (closeCode.equals("no-close-frame")) {
            closeCode = "reset";
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (upgraded) {
            flood.endings.add(ending + "->" + closeCode);
        }
        in.release();
        flood.ended();
    }
}
