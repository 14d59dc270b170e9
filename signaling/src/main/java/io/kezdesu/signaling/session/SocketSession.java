package io.kezdesu.signaling.session;

import io.kezdesu.signaling.account.User;
import io.kezdesu.signaling.protocol.ClientMessage;
import io.kezdesu.signaling.protocol.ProtocolException;
import io.kezdesu.signaling.protocol.ServerMessages;
import io.kezdesu.signaling.protocol.SignalingError;
import io.kezdesu.signaling.room.Membership;
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
    private volatile Membership membership;
    private volatile boolean closed;
    private volatile boolean joining;

    public SocketSession(User user, Connection connection, String requestHost, RoomService rooms) {
        this.user = user;
        this.connection = connection;
        this.requestHost = requestHost;
        this.rooms = rooms;
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
                    joining = false;
                    fail(e, "join");
                });
    }

    private void resume(ClientMessage.Resume resume) {
        // A resume used to be let through while a join waited for the store: the socket then sat in two rooms.
        refuseWhileInOrJoining();
        rooms.resume(this, resume.token(), resume.received());
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
        Membership m = membership;
        if (m != null) {
            m.connectionLost(dropped);
        }
    }
}
