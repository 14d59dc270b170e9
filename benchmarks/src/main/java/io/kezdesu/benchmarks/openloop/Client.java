package io.kezdesu.benchmarks.openloop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;

/**
 * One simulated client (PeerJS or kezdesu {@code /ws}). All clients live on the generator's one event-loop thread, so
 * nothing here is synchronised; {@link OpenLoad} drives the sending, this class receives.
 */
final class Client extends SimpleChannelInboundHandler<WebSocketFrame> {

    private static final ObjectMapper JSON = new ObjectMapper();

    final OpenLoad load;
    final int index;
    /** PeerJS: the peer id; ws: the user id. */
    final String name;
    /** ws: the room to join. */
    final String room;
    /** ws: the participant id the server gave in {@code joined}. */
    volatile String participantId;
    volatile boolean ready;

    ChannelHandlerContext ctx;
    boolean active;
    boolean dirty;
    private Frames.Frame[] frames;
    private Frames.Frame heartbeat;

    Client(OpenLoad load, int index, String name, String room) {
        this.load = load;
        this.index = index;
        this.name = name;
        this.room = room;
    }

    /** Builds this client's frames to {@code to} (the partner's peer id or participant id). */
    void prepare(boolean peerJs, String to) {
        frames = new Frames.Frame[3];
        for (int kind = 0; kind < 3; kind++) {
            frames[kind] = new Frames.Frame(Frames.message(peerJs, kind, to), true);
        }
        heartbeat = peerJs ? new Frames.Frame("{\"type\":\"HEARTBEAT\"}", false) : null;
    }

    /** Writes (without flushing) one message of {@code kind} stamped {@code stamp}. */
    void send(int kind, long stamp) {
        Frames.Frame f = frames[kind];
        f.stamp(stamp);
        write(f);
    }

    void sendHeartbeat() {
        if (heartbeat != null) {
            write(heartbeat);
        }
    }

    private void write(Frames.Frame f) {
        // Already a masked WebSocket frame: it passes the frame encoder untouched.
        ByteBuf buf = ctx.alloc().directBuffer(f.bytes.length);
        buf.writeBytes(f.bytes);
        ctx.write(buf, ctx.voidPromise());
    }

    void flush() {
        ctx.flush();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            this.ctx = ctx;
            active = true;
            if (room != null) {
                ctx.writeAndFlush(new TextWebSocketFrame("{\"type\":\"join\",\"room\":\"" + room + "\"}"));
            }
        } else if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
            load.problem(this, "WebSocket handshake timed out");
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (frame instanceof PingWebSocketFrame) {
            ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
            return;
        }
        if (!(frame instanceof TextWebSocketFrame)) {
            return;
        }
        ByteBuf in = frame.content();
        int end = in.writerIndex();
        int at = end - Frames.STAMP_FROM_END;
        // Relayed messages end with the payload's "t":<18 digits>} and the message's closing brace.
        if (in.readableBytes() >= 64 && in.getByte(end - 1) == '}' && in.getByte(end - 2) == '}'
                && in.getByte(at - 1) == ':' && in.getByte(at - 2) == '"' && in.getByte(at - 3) == 't') {
            long stamp = 0;
            for (int i = 0; i < Frames.STAMP_DIGITS; i++) {
                int digit = in.getByte(at + i) - '0';
                if (digit < 0 || digit > 9) {
                    other(in.toString(StandardCharsets.UTF_8));
                    return;
                }
                stamp = stamp * 10 + digit;
            }
            load.received(stamp);
            return;
        }
        other(in.toString(StandardCharsets.UTF_8));
    }

    private void other(String text) {
        if (room == null) {
            // PeerJS: OPEN once connected; ERROR, ID-TAKEN, EXPIRE, LEAVE are trouble.
            if (text.startsWith("{\"type\":\"OPEN\"")) {
                ready = true;
                load.ready(this);
            } else {
                load.problem(this, "server sent " + abbreviate(text));
            }
            return;
        }
        String type;
        JsonNode msg;
        try {
            msg = JSON.readTree(text);
            type = msg.path("type").asText();
        } catch (Exception e) {
            load.problem(this, "unreadable message " + abbreviate(text));
            return;
        }
        switch (type) {
            case "joined" -> {
                participantId = msg.path("you").asText();
                ready = true;
                load.ready(this);
            }
            case "peer-joined", "pong", "peer-media", "room-updated", "role-changed" -> load.other++;
            default -> load.problem(this, "server sent " + abbreviate(text));
        }
    }

    private static String abbreviate(String text) {
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        active = false;
        load.problem(this, "connection closed");
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        load.problem(this, cause.toString());
        ctx.close();
    }
}
