package io.kezdesu.signaling.session;

import io.kezdesu.signaling.account.User;
import io.kezdesu.signaling.protocol.ClientMessage;
import io.kezdesu.signaling.protocol.MessageDecoder;
import io.kezdesu.signaling.protocol.ProtocolException;
import io.kezdesu.signaling.protocol.ServerMessages;
import io.kezdesu.signaling.protocol.SignalingError;
import io.kezdesu.signaling.room.Membership;
import io.kezdesu.signaling.room.RoomElsewhereException;
import io.kezdesu.signaling.room.RoomService;
import io.kezdesu.signaling.room.Seat;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One authenticated signaling connection: who it is, which room (if any) it is in, and the dispatch of its
 * messages. Messages of one connection arrive in order on one event loop; what the room decides happens under the
 * room's lock, so two connections never see each other half-done.
 */
public final class SocketSession implements Seat {

    private static final Logger LOG = LoggerFactory.getLogger(SocketSession.class);

    private final User user;
    private final Connection connection;
    private final String requestHost;
    private final RoomService rooms;
    private final Forwarder forwarder;
    private volatile Membership membership;
    private volatile boolean closed;
    private volatile boolean joining;
    /** Set while this socket's room lives on another node: the client's messages go there as they are. */
    private volatile Forwarder.Link link;

    public SocketSession(User user, Connection connection, String requestHost, RoomService rooms) {
        this(user, connection, requestHost, rooms, Forwarder.NONE);
    }

    public SocketSession(User user, Connection connection, String requestHost, RoomService rooms,
                         Forwarder forwarder) {
        this.user = user;
        this.connection = connection;
        this.requestHost = requestHost;
        this.rooms = rooms;
        this.forwarder = forwarder;
    }

    /**
     * Passes one client message to the node that serves this socket's room; false when this socket's room is not
     * elsewhere (any more), and the message is for {@link #handle}.
     */
    public boolean forward(byte[] utf8) {
        Forwarder.Link l = link;
        if (l == null) {
            return false;
        }
        String text = new String(utf8, java.nio.charset.StandardCharsets.UTF_8);
        l.send(text);
        if (MessageDecoder.peekType(text).filter("leave"::equals).isPresent()) {
            // Leaving ends the membership there (the owner sends nothing back): this socket is ours again.
            link = null;
            l.close();
        }
        return true;
    }

    @Override
    public User user() {
        return user;
    }

    @Override
    public String requestHost() {
        return requestHost;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void send(String json) {
        connection.send(json);
    }

    @Override
    public void send(byte[] json) {
        connection.send(json);
    }

    @Override
    public void close(int code, String reason) {
        connection.close(code, reason);
    }

    @Override
    public void seated(Membership membership) {
        this.membership = membership;
        this.joining = false;
    }

    @Override
    public void unseated() {
        this.membership = null;
    }

    /** Dispatches one decoded message (Java 17: an instanceof chain over the sealed interface). */
    public void handle(ClientMessage message) {
        if (message instanceof ClientMessage.Ping) {
            send(ServerMessages.pong());
        } else if (message instanceof ClientMessage.Join j) {
            join(j);
        } else if (message instanceof ClientMessage.Resume r) {
            resume(r);
        } else if (message instanceof ClientMessage.Leave) {
            inRoom(message).leave();
        } else if (message instanceof ClientMessage.Relay r) {
            inRoom(message).relay(r);
        } else if (message instanceof ClientMessage.Media m) {
            inRoom(message).media(m);
        } else if (message instanceof ClientMessage.Kick k) {
            inRoom(message).kick(k);
        } else if (message instanceof ClientMessage.MuteRequest m) {
            inRoom(message).muteRequest(m);
        } else if (message instanceof ClientMessage.Promote p) {
            inRoom(message).promote(p);
        } else if (message instanceof ClientMessage.Demote d) {
            inRoom(message).demote(d);
        } else if (message instanceof ClientMessage.Lock l) {
            inRoom(message).lock(l.locked());
        } else if (message instanceof ClientMessage.Close) {
            inRoom(message).close();
        } else if (message instanceof ClientMessage.Extend e) {
            inRoom(message).extend(e.minutes());
        } else if (message instanceof ClientMessage.Admit a) {
            inRoom(message).admit(a);
        } else {
            throw new IllegalStateException("unhandled " + message.type());
        }
    }

    private Membership inRoom(ClientMessage message) {
        Membership r = membership;
        if (r == null) {
            throw new ProtocolException(SignalingError.NOT_JOINED, "join a room before '" + message.type() + "'");
        }
        return r;
    }

    private void join(ClientMessage.Join join) {
        refuseWhileInOrJoining();
        joining = true;
        // "joining" is cleared before the answer goes out (attach, or here before the error), so a client that
        // reacts to the answer at once is never told a join is still in progress.
        rooms.join(this, join.room(), join.password())
                .subscribe(ok -> { }, e -> {
                    if (e instanceof RoomElsewhereException elsewhere) {
                        forwardTo(elsewhere, wire(join), "join");
                        return;
                    }
                    joining = false;
                    fail(e, "join");
                });
    }

    private void resume(ClientMessage.Resume resume) {
        // A resume used to be let through while a join waited for the store: the socket then sat in two rooms.
        refuseWhileInOrJoining();
        joining = true;
        rooms.resume(this, resume.token(), resume.received())
                .subscribe(ok -> { }, e -> {
                    if (e instanceof RoomElsewhereException elsewhere) {
                        forwardTo(elsewhere, wire(resume), "resume");
                        return;
                    }
                    joining = false;
                    fail(e, "resume");
                });
    }

    /**
     * The room lives on another node: from now until the membership there ends, this socket is a pipe to it. The
     * join (or resume) goes first, then whatever the client sends, in order.
     */
    private void forwardTo(RoomElsewhereException elsewhere, String first, String re) {
        if (closed) {
            joining = false;
            return;
        }
        if (elsewhere.owner().address() == null || !forwarder.forwards()) {
            // No address, or this socket is itself a link from another node (which took this node for the owner:
            // its node-address leads here by mistake, or the lease moved meanwhile).
            joining = false;
            fail(new ProtocolException(SignalingError.UNAVAILABLE, "room " + elsewhere.roomId() + " is served by "
                    + "another node that cannot be reached from here (check node-address); try again"),
                    re);
            return;
        }
        LOG.debug("{}: room {} is on node {}: forwarding", connection.describe(), elsewhere.roomId(),
                elsewhere.owner().node());
        Forwarder.Link opened = forwarder.open(elsewhere.owner(), user, first, new Forwarder.Client() {
            /** Whether the owner has taken the socket in (joined, resumed, or waiting in the lobby). */
            private boolean admitted;

            @Override
            public void deliver(String text) {
                Forwarder.Link l = link;
                if (l != null && endsMembership(text)) {
                    // This socket is ours again before the client hears why, so a join it sends in answer stays here.
                    link = null;
                    l.close();
                }
                connection.send(text);
            }

            private boolean endsMembership(String text) {
                String type = MessageDecoder.peekType(text).orElse("");
                switch (type) {
                    case "joined", "resumed", "lobby" -> {
                        admitted = true;
                        return false;
                    }
                    case "kicked", "room-closed", "server-shutdown" -> {
                        return true;
                    }
                    case "error" -> {
                        return endingError(text, admitted);
                    }
                    default -> {
                        return false;
                    }
                }
            }

            @Override
            public void refused(String why) {
                link = null;
                if (!closed) {
                    fail(new ProtocolException(SignalingError.UNAVAILABLE, "the node that serves this room refused "
                            + "to take it from this one (a cluster misconfiguration, or your login changed)"), re);
                }
            }

            @Override
            public void ended(int closeCode, String why) {
                link = null;
                if (closed) {
                    return;
                }
                LOG.info("{}: link to the room's node ended: {}", connection.describe(), why);
                if (closeCode >= 4400 && closeCode < 4500) {
                    // The owner closed the user's socket for its login (revoked, disabled): so do we.
                    connection.close(closeCode, closeCode == 4401 ? "token revoked; log in again"
                            : "account disabled");
                } else {
                    // The owner is gone or out of reach: the client reconnects and resumes (or joins again), by
                    // then at the room's new owner.
                    connection.close(1013, "the room's node is unreachable; try again");
                }
            }
        });
        link = opened;
        joining = false;
        if (closed) {
            opened.close();
        }
    }

    /** An error that ends a membership (PROTOCOL.md): before admission any refusal of the join or resume. */
    static boolean endingError(String text, boolean admitted) {
        try {
            com.fasterxml.jackson.databind.JsonNode e = io.kezdesu.signaling.json.JsonMapping.MAPPER.readTree(text);
            String code = e.path("code").asText();
            String re = e.path("re").asText();
            return switch (code) {
                case "replaced", "kicked", "room-closed", "denied" -> true;
                default -> !admitted && (re.equals("join") || re.equals("resume"));
            };
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static String wire(ClientMessage.Join join) {
        com.fasterxml.jackson.databind.node.ObjectNode o = io.kezdesu.signaling.json.JsonMapping.MAPPER
                .createObjectNode().put("type", "join").put("room", join.room());
        join.password().ifPresent(p -> o.put("password", p));
        return o.toString();
    }

    private static String wire(ClientMessage.Resume resume) {
        com.fasterxml.jackson.databind.node.ObjectNode o = io.kezdesu.signaling.json.JsonMapping.MAPPER
                .createObjectNode().put("type", "resume").put("token", resume.token());
        resume.received().ifPresent(n -> o.put("received", n));
        return o.toString();
    }

    private void refuseWhileInOrJoining() {
        if (membership != null) {
            throw new ProtocolException(SignalingError.ALREADY_JOINED, "leave the current room first");
        }
        if (joining) {
            throw new ProtocolException(SignalingError.ALREADY_JOINED, "a join is in progress; wait for its answer");
        }
    }

    /** Reports a failure of an asynchronous step to the client as an error message. */
    public void fail(Throwable e, String re) {
        if (e instanceof ProtocolException pe) {
            send(ServerMessages.error(pe.error(), pe.getMessage(), Optional.of(re)));
        } else if (e instanceof io.kezdesu.common.auth.PasswordPool.BusyException) {
            send(ServerMessages.error(SignalingError.UNAVAILABLE, "the server is busy checking passwords; try again",
                    Optional.of(re)));
        } else if (e instanceof com.mongodb.MongoException || e instanceof java.util.concurrent.TimeoutException) {
            LOG.warn("{}: {} failed: store unavailable: {}", connection.describe(), re, e.toString());
            send(ServerMessages.error(SignalingError.UNAVAILABLE, "the store is busy or unreachable; try again",
                    Optional.of(re)));
        } else {
            LOG.warn("{}: {} failed", connection.describe(), re, e);
            send(ServerMessages.error(SignalingError.INTERNAL, "internal error", Optional.of(re)));
        }
    }

    /**
     * The socket is gone (or is going, its login revoked): the room decides between the resume grace and leaving.
     * Called on the socket's event loop; only the first call counts.
     *
     * @param dropped why the server dropped it ("timeout", "disconnected"), or empty when the client went away
     */
    public void closed(Optional<String> dropped) {
        if (closed) {
            return;
        }
        closed = true;
        Forwarder.Link l = link;
        if (l != null) {
            link = null;
            l.close();
        }
        Membership m = membership;
        if (m != null) {
            m.connectionLost(dropped);
        }
    }
}
