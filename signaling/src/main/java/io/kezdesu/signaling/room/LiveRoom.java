package io.kezdesu.signaling.room;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kezdesu.signaling.protocol.ClientMessage;
import io.kezdesu.signaling.protocol.ProtocolException;
import io.kezdesu.signaling.protocol.ServerMessages;
import io.kezdesu.signaling.protocol.SignalingError;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A room with people in it: participants, the lobby, who was kicked during this conference, and the conference's
 * record. Every method runs under the room's lock, so admission, moderation and relaying see one consistent state;
 * nothing here blocks (sends are queued writes, store updates go through the room's {@link SerialWriter}).
 *
 * <p>Lifecycle: created by the {@link RoomRegistry} on the first join, retired when nobody is left in it or in its
 * lobby; a retired instance refuses work and the caller fetches a fresh one.
 */
public final class LiveRoom {

    private static final SecureRandom RANDOM = new SecureRandom();
    /** At most this much text is kept per participant for replay on resume. */
    private static final long MAX_REPLAY_CHARS = 256 * 1024;

    private final RoomContext ctx;
    private final RoomRegistry registry;
    private final SerialWriter writer;
    private Room room;
    private final Map<String, Participant> participants = new LinkedHashMap<>();
    private final Map<String, Participant> lobby = new LinkedHashMap<>();
    private final Set<String> kicked = new HashSet<>();
    private String conferenceId;
    private boolean retired;

    LiveRoom(Room room, RoomContext ctx, RoomRegistry registry) {
        this.room = room;
        this.ctx = ctx;
        this.registry = registry;
        this.writer = new SerialWriter("room " + room.id());
    }

    public synchronized Room room() {
        return room;
    }

    synchronized boolean retired() {
        return retired;
    }

    public synchronized int size() {
        return participants.size();
    }

    synchronized boolean writesIdle() {
        return writer.idle();
    }

    // --- entering --------------------------------------------------------------------------------------------------

    /**
     * Admits the seat, puts it in the lobby or refuses it, atomically against the room's rules.
     *
     * @return false when this instance was retired meanwhile (the caller retries on a fresh one)
     */
    public synchronized boolean join(Seat seat, boolean passwordOk) {
        if (retired) {
            return false;
        }
        if (seat.isClosed()) {
            retireIfEmpty();
            return true;
        }
        String userId = seat.user().id();
        Admission.Decision d = Admission.decide(room, participants.values(), kicked, userId, passwordOk, false,
                ctx.duplicateJoin());
        switch (d.outcome()) {
            case REFUSE -> {
                ctx.metrics().joins.labelValues(d.error().code()).inc();
                // A room loaded only to refuse someone (closed, locked, banned, full of nobody) leaves memory again.
                retireIfEmpty();
                throw new ProtocolException(d.error(), d.message());
            }
            case LOBBY -> knock(seat);
            case ADMIT -> admit(newParticipant(seat), d.evict());
        }
        return true;
    }

    private void knock(Seat seat) {
        for (Participant waiting : List.copyOf(lobby.values())) {
            if (waiting.userId.equals(seat.user().id())) {
                removeFromLobby(waiting);
                waiting.seat.send(ServerMessages.error(SignalingError.REPLACED,
                        "you knocked again from another session", java.util.Optional.empty()));
                waiting.seat.unseated();
            }
        }
        Participant p = newParticipant(seat);
        lobby.put(p.id, p);
        p.membership = new Membership(this, p, seat);
        seat.seated(p.membership);
        ctx.metrics().joins.labelValues("lobby").inc();
        seat.send(ServerMessages.text(ServerMessages.object("lobby").put("you", p.id).put("room", room.id())));
        String knock = ServerMessages.text(ServerMessages.object("knock").put("id", p.id).put("userId", p.userId)
                .put("name", p.name));
        forModerators(m -> deliver(m, knock));
    }

    /**
     * Seats {@code p} among the participants: a new one, or a knock from the lobby, which keeps its id and its
     * membership (so that nothing the client sent while it was being admitted acts on a membership that ended).
     */
    private void admit(Participant p, Participant evict) {
        Instant now = ctx.clock().instant();
        if (evict != null) {
            if (evict.seat != null) {
                evict.seat.send(ServerMessages.error(SignalingError.REPLACED,
                        "you joined this room from another session", java.util.Optional.empty()));
            }
            remove(evict, "replaced", now);
        }
        if (conferenceId == null) {
            conferenceId = ctx.conferences().started(room, now);
            kicked.clear();
            ctx.metrics().activeRooms.inc();
        }
        participants.put(p.id, p);
        if (p.membership == null) {
            p.membership = new Membership(this, p, p.seat);
            p.seat.seated(p.membership);
        }
        registry.registerResume(p.resumeToken, this);
        ctx.conferences().joined(conferenceId, p.userId, p.name, now);
        ctx.metrics().joins.labelValues("admitted").inc();
        ctx.metrics().participants.inc();
        p.seat.send(ServerMessages.text(snapshot("joined", p)));
        String joined = ServerMessages.text(ServerMessages.object("peer-joined").set("participant", view(p)));
        for (Participant other : participants.values()) {
            if (other != p) {
                deliver(other, joined);
            }
        }
    }

    private Participant newParticipant(Seat seat) {
        return new Participant(randomId(9), seat.user().id(), seat.user().name(), randomId(24),
                ctx.clock().instant(), seat);
    }

    /**
     * A participant whose socket dropped comes back on a new one: no leave, no join for the others; it gets
     * {@code resumed}, then every room message after the {@code received}-th, in order.
     */
    public synchronized void resume(Seat seat, String token, java.util.Optional<Long> received) {
        Participant p = null;
        for (Participant candidate : participants.values()) {
            if (candidate.resumeToken.equals(token)) {
                p = candidate;
            }
        }
        if (p == null || retired || !p.userId.equals(seat.user().id())) {
            throw new ProtocolException(SignalingError.RESUME_FAILED, "nothing to resume with this token");
        }
        long from = received.orElse(p.suspended() ? p.deliveredAtDrop : p.delivered);
        if (from > p.delivered || from < p.delivered - p.recent.size()) {
            throw new ProtocolException(SignalingError.RESUME_FAILED, "cannot replay from message " + from
                    + " (delivered " + p.delivered + ", kept " + p.recent.size() + "); join again");
        }
        if (p.grace != null) {
            p.grace.cancel(false);
            p.grace = null;
        }
        if (p.seat != null && p.seat != seat) {
            Seat old = p.seat;
            old.unseated();
            old.close(4000, "resumed from another connection");
        }
        p.seat = seat;
        p.membership = new Membership(this, p, seat);
        seat.seated(p.membership);
        ctx.metrics().resumes.inc();
        seat.send(ServerMessages.text(snapshot("resumed", p)));
        int skip = p.recent.size() - (int) (p.delivered - from);
        for (Participant.Sent missed : p.recent) {
            if (skip-- <= 0) {
                seat.send(missed.json());
            }
        }
    }

    // --- talking ---------------------------------------------------------------------------------------------------

    /** offer/answer/candidate: to one participant of this room, stamped with the sender. */
    synchronized void relay(Membership from, ClientMessage.Relay message) {
        Participant sender = member(from);
        Participant target = participants.get(message.to());
        if (target == null || target == sender) {
            throw new ProtocolException(SignalingError.NOT_FOUND, "no participant " + message.to() + " in this room");
        }
        ctx.metrics().relayed(message.type());
        deliver(target, message.stampedWith(sender.id));
    }

    synchronized void media(Membership from, ClientMessage.Media media) {
        Participant sender = member(from);
        sender.audio = media.audio();
        sender.video = media.video();
        broadcast(ServerMessages.text(ServerMessages.object("peer-media").put("id", sender.id)
                .put("audio", media.audio()).put("video", media.video())), sender);
    }

    // --- leaving ---------------------------------------------------------------------------------------------------

    synchronized void leave(Membership m) {
        if (!current(m)) {
            return;
        }
        Participant p = m.participant;
        if (lobby.get(p.id) == p) {
            removeFromLobby(p);
        } else {
            remove(p, "left", ctx.clock().instant());
        }
        m.seat.unseated();
        retireIfEmpty();
    }

    /**
     * The socket closed without {@code leave}: a participant keeps its place for the resume grace; a lobby knock is
     * withdrawn. When the server dropped the socket itself ({@code dropped}: "timeout" after heartbeat silence,
     * "disconnected" for a rate or size violation) the participant is gone at once with that reason.
     */
    synchronized void connectionLost(Membership m, java.util.Optional<String> dropped) {
        if (!current(m)) {
            return;
        }
        Participant p = m.participant;
        if (lobby.get(p.id) == p) {
            removeFromLobby(p);
            retireIfEmpty();
            return;
        }
        if (dropped.isPresent() || ctx.resumeGrace().isZero()) {
            remove(p, dropped.orElse("disconnected"), ctx.clock().instant());
            retireIfEmpty();
            return;
        }
        p.seat = null;
        p.membership = null;
        p.deliveredAtDrop = p.delivered;
        Participant suspended = p;
        p.grace = ctx.timers().schedule(() -> graceExpired(suspended), ctx.resumeGrace().toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private synchronized void graceExpired(Participant p) {
        if (p.suspended() && participants.get(p.id) == p) {
            remove(p, "disconnected", ctx.clock().instant());
            retireIfEmpty();
        }
    }

    // --- moderating ------------------------------------------------------------------------------------------------

    synchronized void kick(Membership actor, ClientMessage.Kick kick) {
        Participant by = moderator(actor);
        Participant target = participants.containsKey(kick.to()) ? participants.get(kick.to()) : lobby.get(kick.to());
        if (target == null) {
            throw new ProtocolException(SignalingError.NOT_FOUND, "no participant " + kick.to() + " in this room");
        }
        requireOutranks(by, target, "kick");
        reportIfNotStored(actor, "kick", "the ban", kickUser(target.userId, kick.ban(), by.id));
    }

    /**
     * Removes every session of a user and keeps them out for this conference (and for good with {@code ban}). The
     * future completes when the ban's first store attempt does (at once without a new ban); a failed attempt is
     * retried until it lands, the ban holding in this room meanwhile.
     */
    public synchronized CompletableFuture<Void> kickUser(String userId, boolean ban, String by) {
        kicked.add(userId);
        CompletableFuture<Void> stored = CompletableFuture.completedFuture(null);
        if (ban && !room.banned().contains(userId)) {
            Set<String> banned = new HashSet<>(room.banned());
            banned.add(userId);
            update(withBanned(banned));
            stored = writer.submit(() -> ctx.rooms().update(room.id(),
                    com.mongodb.client.model.Updates.addToSet("banned", userId)));
        }
        Instant now = ctx.clock().instant();
        String message = ServerMessages.text(ServerMessages.object("kicked").put("by", by).put("ban", ban));
        for (Participant p : List.copyOf(participants.values())) {
            if (p.userId.equals(userId)) {
                deliver(p, message);
                Seat s = p.seat;
                remove(p, "kicked", now);
                if (s != null) {
                    s.unseated();
                }
            }
        }
        for (Participant p : List.copyOf(lobby.values())) {
            if (p.userId.equals(userId)) {
                deliver(p, message);
                removeFromLobby(p);
                p.seat.unseated();
            }
        }
        retireIfEmpty();
        return stored;
    }

    /**
     * Tells the moderator who changed the room when the store did not take the change at once: it holds in the live
     * room and is retried until it lands, but would not survive this server's end before that.
     */
    private static void reportIfNotStored(Membership actor, String re, String what, CompletableFuture<Void> stored) {
        stored.whenComplete((ok, failure) -> {
            if (failure != null) {
                actor.seat.send(ServerMessages.error(SignalingError.UNAVAILABLE, what + " holds in this room now, but the "
                        + "store is unreachable: it is stored once the store is back", java.util.Optional.of(re)));
            }
        });
    }

    synchronized void muteRequest(Membership actor, ClientMessage.MuteRequest request) {
        Participant by = moderator(actor);
        Participant target = target(request.to());
        deliver(target, ServerMessages.text(ServerMessages.object("mute-request").put("from", by.id)
                .put("kind", request.kind())));
    }

    synchronized void promote(Membership actor, ClientMessage.Promote promote) {
        Participant by = head(actor, "promote");
        Participant target = target(promote.to());
        if (target.userId.equals(by.userId)) {
            throw new ProtocolException(SignalingError.BAD_REQUEST, "you already lead this room");
        }
        if (promote.role().equals("head")) {
            Set<String> mods = new HashSet<>(room.moderators());
            mods.remove(target.userId);
            mods.add(by.userId);
            setRoles(target.userId, mods);
            reportIfNotStored(actor, "promote", "the new head", writer.submit(() -> ctx.rooms().update(room.id(),
                    com.mongodb.client.model.Updates.combine(
                            com.mongodb.client.model.Updates.set("headId", target.userId),
                            com.mongodb.client.model.Updates.set("moderators", new ArrayList<>(mods))))));
        } else {
            Set<String> mods = new HashSet<>(room.moderators());
            mods.add(target.userId);
            setRoles(room.headId(), mods);
            reportIfNotStored(actor, "promote", "the new moderator", writer.submit(() -> ctx.rooms().update(
                    room.id(), com.mongodb.client.model.Updates.addToSet("moderators", target.userId))));
        }
    }

    synchronized void demote(Membership actor, ClientMessage.Demote demote) {
        head(actor, "demote");
        Participant target = target(demote.to());
        if (room.roleOf(target.userId) != Role.MODERATOR) {
            throw new ProtocolException(SignalingError.BAD_REQUEST, demote.to() + " is not a moderator");
        }
        Set<String> mods = new HashSet<>(room.moderators());
        mods.remove(target.userId);
        setRoles(room.headId(), mods);
        reportIfNotStored(actor, "demote", "the demotion", writer.submit(() -> ctx.rooms().update(room.id(),
                com.mongodb.client.model.Updates.pull("moderators", target.userId))));
    }

    synchronized void lock(Membership actor, boolean locked) {
        moderator(actor);
        applySettings(new Room(room.id(), room.name(), room.headId(), room.moderators(), room.maxParticipants(),
                locked, room.passwordHash(), room.lobby(), room.banned(), room.closed(), room.createdAt(),
                ctx.clock().instant()));
        reportIfNotStored(actor, "lock", locked ? "the lock" : "the unlock", writer.submit(() -> ctx.rooms()
                .update(room.id(), com.mongodb.client.model.Updates.set("locked", locked))));
    }

    synchronized void admit(Membership actor, ClientMessage.Admit answer) {
        moderator(actor);
        Participant waiting = lobby.get(answer.to());
        if (waiting == null) {
            throw new ProtocolException(SignalingError.NOT_FOUND, "nobody " + answer.to() + " is waiting");
        }
        if (!answer.admitted()) {
            removeFromLobby(waiting);
            waiting.seat.send(ServerMessages.error(SignalingError.DENIED, "a moderator declined your request",
                    java.util.Optional.of("join")));
            waiting.seat.unseated();
            retireIfEmpty();
            return;
        }
        Admission.Decision d = Admission.decide(room, participants.values(), kicked, waiting.userId, true, true,
                ctx.duplicateJoin());
        if (d.outcome() == Admission.Outcome.REFUSE) {
            throw new ProtocolException(d.error(), d.message());
        }
        removeFromLobby(waiting);
        admit(waiting, d.evict());
    }

    /** Closes the room for good: everyone is told and removed; the conference ends as {@code closed}. */
    synchronized void close(Membership actor) {
        head(actor, "close");
        // The write first: the room must not leave the registry before "closed" is in the store.
        writer.submit(() -> ctx.rooms().update(room.id(), com.mongodb.client.model.Updates.set("closed", true)));
        closeRoom();
        // (The head is out of the room with everyone: nobody to tell. The write is retried until it lands, and the
        // room stays in memory, closed, until then.)
    }

    /** The room was closed (over the API or the socket): tell and remove everyone. */
    synchronized void closeRoom() {
        update(new Room(room.id(), room.name(), room.headId(), room.moderators(), room.maxParticipants(),
                room.locked(), room.passwordHash(), room.lobby(), room.banned(), true, room.createdAt(),
                ctx.clock().instant()));
        evictAll("room-closed", "closed");
    }

    /** The server is stopping: everyone is told, and the conference ends as {@code shutdown}. */
    synchronized void shutdown() {
        evictAll("server-shutdown", "shutdown");
    }

    private void evictAll(String type, String reason) {
        Instant now = ctx.clock().instant();
        String message = ServerMessages.text(ServerMessages.object(type).put("room", room.id()));
        for (Participant p : participants.values()) {
            deliver(p, message);
        }
        for (Participant p : List.copyOf(participants.values())) {
            Seat s = p.seat;
            remove(p, reason, now, false, false);
            if (s != null) {
                s.unseated();
            }
        }
        for (Participant p : List.copyOf(lobby.values())) {
            deliver(p, message);
            removeFromLobby(p);
            p.seat.unseated();
        }
        endConference(now, reason);
        retireIfEmpty();
    }

    /**
     * Settings changed through the API (name, limit, lock, password, lobby) or the socket: everyone sees them. Only
     * those fields are taken from {@code updated}; roles, bans and closing stay as this room knows them, since the
     * store may not have them yet.
     */
    public synchronized void applySettings(Room updated) {
        // Lobby waiters stay when the lobby is switched off: each still needs a moderator's admit and a free place.
        update(new Room(room.id(), updated.name(), room.headId(), room.moderators(), updated.maxParticipants(),
                updated.locked(), updated.passwordHash(), updated.lobby(), room.banned(), room.closed(),
                room.createdAt(), updated.updatedAt()));
        broadcast(ServerMessages.text(ServerMessages.object("room-updated").set("room", roomNode())), null);
    }

    // --- internals -------------------------------------------------------------------------------------------------

    private void update(Room next) {
        room = next;
    }

    private Room withBanned(Set<String> banned) {
        return new Room(room.id(), room.name(), room.headId(), room.moderators(), room.maxParticipants(),
                room.locked(), room.passwordHash(), room.lobby(), banned, room.closed(), room.createdAt(),
                ctx.clock().instant());
    }

    private void setRoles(String headId, Set<String> moderators) {
        Map<String, Role> before = new LinkedHashMap<>();
        for (Participant p : participants.values()) {
            before.put(p.id, room.roleOf(p.userId));
        }
        update(new Room(room.id(), room.name(), headId, moderators, room.maxParticipants(), room.locked(),
                room.passwordHash(), room.lobby(), room.banned(), room.closed(), room.createdAt(),
                ctx.clock().instant()));
        for (Participant p : participants.values()) {
            Role now = room.roleOf(p.userId);
            if (now != before.get(p.id)) {
                broadcast(ServerMessages.text(ServerMessages.object("role-changed").put("id", p.id)
                        .put("userId", p.userId).put("role", now.wire())), null);
                if (now.canModerate()) {
                    for (Participant waiting : lobby.values()) {
                        deliver(p, ServerMessages.text(ServerMessages.object("knock").put("id", waiting.id)
                                .put("userId", waiting.userId).put("name", waiting.name)));
                    }
                }
            }
        }
    }

    private void remove(Participant p, String reason, Instant at) {
        remove(p, reason, at, true, true);
    }

    private void remove(Participant p, String reason, Instant at, boolean mayEnd, boolean announce) {
        if (participants.remove(p.id) == null) {
            return;
        }
        if (p.grace != null) {
            p.grace.cancel(false);
        }
        registry.unregisterResume(p.resumeToken);
        ctx.metrics().participants.dec();
        ctx.conferences().left(conferenceId, p.userId, at, reason);
        if (announce) {
            broadcast(ServerMessages.peerLeft(p.id, reason), null);
        }
        if (mayEnd && participants.isEmpty()) {
            endConference(at, "empty");
        }
    }

    private void endConference(Instant at, String reason) {
        if (conferenceId != null) {
            ctx.conferences().ended(conferenceId, at, reason);
            conferenceId = null;
            kicked.clear();
            ctx.metrics().activeRooms.dec();
        }
    }

    private void removeFromLobby(Participant p) {
        if (lobby.remove(p.id) != null) {
            String withdrawn = ServerMessages.text(ServerMessages.object("knock-withdrawn").put("id", p.id));
            forModerators(m -> deliver(m, withdrawn));
        }
    }

    /**
     * An empty room leaves the registry, but only once its store writes have landed: until then a new join must find
     * this instance (closed, bans, roles as they are now), not reload what the store still says.
     */
    void retireIfEmpty() {
        if (participants.isEmpty() && lobby.isEmpty() && !retired) {
            writer.whenIdle(this::retireNowIfEmpty);
        }
    }

    private synchronized void retireNowIfEmpty() {
        if (participants.isEmpty() && lobby.isEmpty() && !retired) {
            retired = true;
            registry.retire(this);
        }
    }

    private void deliver(Participant p, String json) {
        long now = System.nanoTime();
        p.delivered++;
        p.recent.addLast(new Participant.Sent(json, now));
        p.recentChars += json.length();
        while (!p.recent.isEmpty() && (p.recent.size() > ctx.resumeQueue() || p.recentChars > MAX_REPLAY_CHARS
                || (p.seat != null && now - p.recent.peekFirst().at() > ctx.replayWindow().toNanos()))) {
            p.recentChars -= p.recent.removeFirst().json().length();
        }
        if (p.seat != null) {
            p.seat.send(json);
        } else if (p.delivered - p.deliveredAtDrop > ctx.resumeQueue() && participants.get(p.id) == p) {
            // More has happened than can be replayed: it is gone.
            remove(p, "disconnected", ctx.clock().instant());
        }
    }

    private void broadcast(String json, Participant except) {
        for (Participant p : List.copyOf(participants.values())) {
            if (p != except) {
                deliver(p, json);
            }
        }
    }

    private void forModerators(Consumer<Participant> action) {
        for (Participant p : participants.values()) {
            if (room.roleOf(p.userId).canModerate()) {
                action.accept(p);
            }
        }
    }

    /** Whether {@code m} is still its participant's place here (not left, kicked, or resumed on another socket). */
    private boolean current(Membership m) {
        Participant p = m.participant;
        return p.membership == m && (participants.get(p.id) == p || lobby.get(p.id) == p);
    }

    private Participant member(Membership m) {
        Participant p = m.participant;
        if (!current(m) || participants.get(p.id) != p) {
            if (current(m)) {
                throw new ProtocolException(SignalingError.FORBIDDEN, "you are waiting in the lobby");
            }
            throw new ProtocolException(SignalingError.NOT_JOINED, "join a room first");
        }
        return p;
    }

    private Participant moderator(Membership m) {
        Participant p = member(m);
        if (!room.roleOf(p.userId).canModerate()) {
            throw new ProtocolException(SignalingError.FORBIDDEN, "only the head and moderators may do this");
        }
        return p;
    }

    private Participant head(Membership m, String what) {
        Participant p = member(m);
        if (room.roleOf(p.userId) != Role.HEAD) {
            throw new ProtocolException(SignalingError.FORBIDDEN, "only the head may " + what);
        }
        return p;
    }

    private Participant target(String id) {
        Participant t = participants.get(id);
        if (t == null) {
            throw new ProtocolException(SignalingError.NOT_FOUND, "no participant " + id + " in this room");
        }
        return t;
    }

    private void requireOutranks(Participant by, Participant target, String what) {
        Role a = room.roleOf(by.userId);
        Role b = room.roleOf(target.userId);
        if (by.userId.equals(target.userId) || a.ordinal() >= b.ordinal()) {
            throw new ProtocolException(SignalingError.FORBIDDEN, "you may not " + what + " " + target.id);
        }
    }

    private ObjectNode snapshot(String type, Participant you) {
        ObjectNode out = ServerMessages.object(type).put("you", you.id).put("role", room.roleOf(you.userId).wire());
        out.set("room", roomNode());
        ArrayNode list = out.putArray("participants");
        ObjectNode roles = out.putObject("roles");
        for (Participant p : participants.values()) {
            list.add(view(p));
            roles.put(p.id, room.roleOf(p.userId).wire());
        }
        if (room.roleOf(you.userId).canModerate()) {
            ArrayNode waiting = out.putArray("lobby");
            for (Participant p : lobby.values()) {
                waiting.addObject().put("id", p.id).put("userId", p.userId).put("name", p.name);
            }
        }
        out.set("iceServers", ctx.ice().forParticipant(you.userId, room.id(), you.seat.requestHost()));
        out.put("resumeToken", you.resumeToken);
        return out;
    }

    private ObjectNode view(Participant p) {
        return io.kezdesu.signaling.json.JsonMapping.MAPPER.createObjectNode().put("id", p.id).put("userId", p.userId)
                .put("name", p.name).put("role", room.roleOf(p.userId).wire()).put("audio", p.audio)
                .put("video", p.video);
    }

    private ObjectNode roomNode() {
        ObjectNode n = io.kezdesu.signaling.json.JsonMapping.MAPPER.valueToTree(room.publicView());
        n.put("headId", room.headId());
        return n;
    }

    /** Roles changed through the admin API. */
    public synchronized void applyRoles(Room updated) {
        setRoles(updated.headId(), updated.moderators());
    }

    /** Live participants for the API's full view. */
    public synchronized List<Map<String, Object>> participantViews() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Participant p : participants.values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", p.id);
            m.put("userId", p.userId);
            m.put("name", p.name);
            m.put("role", room.roleOf(p.userId).wire());
            m.put("since", p.since.toString());
            m.put("connected", !p.suspended());
            out.add(m);
        }
        return out;
    }

    /** What an admin's kick did: whether the user was there, and the ban's first store attempt. */
    public record AdminKick(boolean present, CompletableFuture<Void> stored) {
    }

    /** For the admin API: kick by participant id or user id, without an acting participant. */
    public synchronized AdminKick kickByAdmin(String participantOrUser, boolean ban) {
        Participant p = participants.get(participantOrUser);
        String userId = p != null ? p.userId : participantOrUser;
        boolean present = participants.values().stream().anyMatch(x -> x.userId.equals(userId))
                || lobby.values().stream().anyMatch(x -> x.userId.equals(userId));
        return new AdminKick(present, kickUser(userId, ban, "admin"));
    }

    static String randomId(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
