package io.kezdesu.signaling.room;

import io.kezdesu.common.data.RandomIds;
import io.kezdesu.signaling.protocol.ClientMessage;
import io.kezdesu.signaling.protocol.ProtocolException;
import io.kezdesu.signaling.protocol.ServerMessages;
import io.kezdesu.signaling.protocol.SignalingError;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A room with people in it: participants, the lobby, who was kicked during this conference, and the conference's
 * record. Every method runs under the room's lock, so admission, moderation and relaying see one consistent state;
 * nothing here blocks (sends are queued writes, store writes go through the room's {@link SerialWriter}).
 *
 * <p>This class holds the state and admits, seats and removes people; {@link Moderation} changes the room (only once
 * the store has taken the change), {@link ReplayBuffer} keeps what a resuming client missed, {@link RoomViews} draws
 * the room for the wire.
 *
 * <p>Lifecycle: created by the {@link RoomRegistry} on the first join, retired when nobody is left in it or in its
 * lobby; a retired instance refuses work and the caller fetches a fresh one.
 */
public final class LiveRoom {

    /** At most this much text (UTF-8 bytes) is kept per participant for replay on resume. */
    private static final long MAX_REPLAY_BYTES = 256 * 1024;

    final RoomContext ctx;
    private final RoomRegistry registry;
    final SerialWriter writer;
    private final Moderation moderation = new Moderation(this);
    /** The room as the store last answered it (the live room never runs ahead of the store). */
    Room room;
    final Map<String, Participant> participants = new LinkedHashMap<>();
    final Map<String, Participant> lobby = new LinkedHashMap<>();
    /** Users kicked during this conference: kept out until it ends. */
    final Set<String> kicked = new HashSet<>();
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
        Admission.Decision d = Admission.decide(room, participants.values(), kicked, seat.user().id(), passwordOk,
                false, ctx.duplicateJoin(), ctx.clock().instant());
        switch (d.outcome()) {
            case REFUSE -> {
                ctx.metrics().joins.labelValues(d.error().code()).inc();
                // A room loaded only to refuse someone (closed, locked, banned, full of nobody) leaves memory again.
                retireIfEmpty();
                throw new ProtocolException(d.error(), d.message());
            }
            case LOBBY -> knock(seat);
            case ADMIT -> seat(newParticipant(seat), d.evict());
        }
        return true;
    }

    private void knock(Seat seat) {
        for (Participant waiting : List.copyOf(lobby.values())) {
            if (waiting.userId.equals(seat.user().id())) {
                removeFromLobby(waiting);
                waiting.seat.send(ServerMessages.error(SignalingError.REPLACED,
                        "you knocked again from another session", Optional.empty()));
                waiting.seat.unseated();
            }
        }
        Participant p = newParticipant(seat);
        lobby.put(p.id, p);
        p.membership = new Membership(this, p, seat);
        seat.seated(p.membership);
        ctx.metrics().joins.labelValues("lobby").inc();
        seat.send(ServerMessages.text(ServerMessages.object("lobby").put("you", p.id).put("room", room.id())));
        String knock = RoomViews.knock(p);
        forModerators(m -> deliver(m, knock));
    }

    /**
     * A moderator let a knock in (or turned it away): admitted only if the room's rules allow it now, atomically with
     * everything else here.
     */
    void answerKnock(Participant waiting, boolean admitted) {
        if (!admitted) {
            removeFromLobby(waiting);
            waiting.seat.send(ServerMessages.error(SignalingError.DENIED, "a moderator declined your request",
                    Optional.of("join")));
            waiting.seat.unseated();
            retireIfEmpty();
            return;
        }
        Admission.Decision d = Admission.decide(room, participants.values(), kicked, waiting.userId, true, true,
                ctx.duplicateJoin(), ctx.clock().instant());
        if (d.outcome() == Admission.Outcome.REFUSE) {
            throw new ProtocolException(d.error(), d.message());
        }
        removeFromLobby(waiting);
        seat(waiting, d.evict());
    }

    /**
     * Seats {@code p} among the participants: a new one, or a knock from the lobby, which keeps its id and its
     * membership (so that nothing the client sent while it was being admitted acts on a membership that ended).
     */
    private void seat(Participant p, Participant evict) {
        Instant now = ctx.clock().instant();
        if (evict != null) {
            if (evict.seat != null) {
                evict.seat.send(ServerMessages.error(SignalingError.REPLACED,
                        "you joined this room from another session", Optional.empty()));
            }
            remove(evict, "replaced", now);
        }
        if (conferenceId == null) {
            conferenceId = ctx.conferences().started(room, now);
            // To the millisecond, as the store keeps it: a node that takes the conference over computes the same
            // endsAt from the record.
            conferenceStart = now.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
            extension = Duration.ZERO;
            warned = Integer.MAX_VALUE;
            kicked.clear();
            ctx.metrics().activeRooms.inc();
        }
        participants.put(p.id, p);
        if (p.membership == null) {
            p.membership = new Membership(this, p, p.seat);
            p.seat.seated(p.membership);
        }
        registry.registerResume(p.tokenHash, this);
        ctx.conferences().joined(conferenceId, p.id, p.userId, p.name, p.tokenHash, now);
        ctx.metrics().joins.labelValues("admitted").inc();
        ctx.metrics().participants.inc();
        p.seat.send(ServerMessages.text(snapshot("joined", p)));
        String joined = ServerMessages.text(ServerMessages.object("peer-joined")
                .set("participant", RoomViews.view(p, room)));
        for (Participant other : participants.values()) {
            if (other != p) {
                deliver(other, joined);
            }
        }
    }

    private Participant newParticipant(Seat seat) {
        return new Participant(randomId(9), seat.user().id(), seat.user().name(), room.id() + "." + randomId(24),
                ctx.clock().instant(), seat);
    }

    /**
     * A participant whose socket dropped comes back on a new one: no leave, no join for the others; it gets
     * {@code resumed}, then every room message after the {@code received}-th, in order.
     */
    public synchronized void resume(Seat seat, String token, Optional<Long> received) {
        Participant p = null;
        String hash = tokenHash(token);
        for (Participant candidate : participants.values()) {
            if (candidate.tokenHash.equals(hash)) {
                p = candidate;
            }
        }
        if (p == null || retired || !p.userId.equals(seat.user().id())) {
            throw new ProtocolException(SignalingError.RESUME_FAILED, "nothing to resume with this token");
        }
        Participant resumed = p;
        List<byte[]> missed = p.adopted ? p.replay.takeOver(received)
                : p.replay.missedAfter(received, p.suspended()).orElseThrow(() ->
                new ProtocolException(SignalingError.RESUME_FAILED, "cannot replay from message "
                        + received.map(String::valueOf).orElse("at the drop") + " (" + resumed.replay.describe()
                        + "); join again"));
        p.adopted = false;
        p.resumeToken = token;
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
        missed.forEach(seat::send);
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
    synchronized void connectionLost(Membership m, Optional<String> dropped) {
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
        p.replay.dropped();
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

    // --- moderating: see Moderation ---------------------------------------------------------------------------------

    synchronized void kick(Membership actor, ClientMessage.Kick kick) {
        moderation.kick(actor, kick);
    }

    synchronized void muteRequest(Membership actor, ClientMessage.MuteRequest request) {
        moderation.muteRequest(actor, request);
    }

    synchronized void promote(Membership actor, ClientMessage.Promote promote) {
        moderation.promote(actor, promote);
    }

    synchronized void demote(Membership actor, ClientMessage.Demote demote) {
        moderation.demote(actor, demote);
    }

    synchronized void lock(Membership actor, boolean locked) {
        moderation.lock(actor, locked);
    }

    synchronized void admit(Membership actor, ClientMessage.Admit answer) {
        moderation.admit(actor, answer);
    }

    synchronized void close(Membership actor) {
        moderation.close(actor);
    }

    synchronized void extend(Membership actor, int minutes) {
        moderation.extend(actor, minutes);
    }

    /**
     * For the admin API: kicks by participant id or user id, without an acting participant, banning first when asked.
     * Completes with whether the user was here, once done; exceptionally, with nothing done, when the ban could not
     * be stored.
     */
    public synchronized CompletableFuture<Boolean> kickByAdmin(String participantOrUser, boolean ban) {
        return moderation.kickByAdmin(participantOrUser, ban);
    }

    /**
     * A change the store took outside this room (the API changed settings, roles, or closed it): everyone sees it.
     * {@code settingsChanged}: announce {@code room-updated} even when nothing they see differs.
     */
    public synchronized void stored(Room stored, boolean settingsChanged) {
        moderation.applyStored(stored, settingsChanged);
    }

    // --- ending ----------------------------------------------------------------------------------------------------

    /** The room was closed: tell and remove everyone; the conference ends as {@code closed}. */
    void closeRoom() {
        evictAll("room-closed", "closed");
    }

    /** The server is stopping: everyone is told, and the conference ends as {@code shutdown}. */
    synchronized void shutdown() {
        evictAll("server-shutdown", "shutdown");
    }

    /**
     * Another node holds this room's lease now (this one lost the store for longer than node-timeout): every socket
     * here is closed with 1012, so its client reconnects and resumes (or joins again) where the room is now.
     */
    synchronized void moved() {
        Instant now = ctx.clock().instant();
        for (Participant p : List.copyOf(participants.values())) {
            Seat s = p.seat;
            remove(p, "moved", now, false, false);
            if (s != null) {
                s.unseated();
                s.close(1012, "this room moved to another node; reconnect");
            }
        }
        for (Participant p : List.copyOf(lobby.values())) {
            removeFromLobby(p);
            p.seat.unseated();
            p.seat.close(1012, "this room moved to another node; reconnect");
        }
        endConference(now, "moved");
        retireIfEmpty();
    }

    private void evictAll(String type, String reason) {
        Instant now = ctx.clock().instant();
        com.fasterxml.jackson.databind.node.ObjectNode news = ServerMessages.object(type).put("room", room.id());
        if (type.equals("conference-ended")) {
            news.put("reason", reason);
        }
        String message = ServerMessages.text(news);
        // Each seat is out before it hears why, so a client that answers the news (joins again) is not refused as
        // still being in this room.
        for (Participant p : List.copyOf(participants.values())) {
            if (p.seat != null) {
                p.seat.unseated();
            }
            deliver(p, message);
        }
        for (Participant p : List.copyOf(participants.values())) {
            remove(p, reason, now, false, false);
        }
        for (Participant p : List.copyOf(lobby.values())) {
            p.seat.unseated();
            deliver(p, message);
            removeFromLobby(p);
        }
        endConference(now, reason);
        retireIfEmpty();
    }

    // --- internals, under the lock -----------------------------------------------------------------------------------

    /** Keeps {@code userId} out of this conference (a kick), here and, through its record, at a node taking over. */
    void kickedOut(String userId) {
        if (kicked.add(userId) && conferenceId != null) {
            ctx.conferences().kicked(conferenceId, userId);
        }
    }

    void remove(Participant p, String reason, Instant at) {
        remove(p, reason, at, true, true);
    }

    private void remove(Participant p, String reason, Instant at, boolean mayEnd, boolean announce) {
        if (participants.remove(p.id) == null) {
            return;
        }
        if (p.grace != null) {
            p.grace.cancel(false);
        }
        registry.unregisterResume(p.tokenHash);
        ctx.metrics().participants.dec();
        ctx.conferences().left(conferenceId, p.id, p.userId, at, reason);
        if (announce) {
            broadcast(ServerMessages.peerLeft(p.id, reason), null);
        }
        if (mayEnd && participants.isEmpty()) {
            endConference(at, "empty");
        }
    }

    private void endConference(Instant at, String reason) {
        conferenceStart = null;
        if (conferenceId != null) {
            ctx.conferences().ended(conferenceId, at, reason);
            conferenceId = null;
            kicked.clear();
            ctx.metrics().activeRooms.dec();
        }
    }

    void removeFromLobby(Participant p) {
        if (lobby.remove(p.id) != null) {
            String withdrawn = ServerMessages.text(ServerMessages.object("knock-withdrawn").put("id", p.id));
            forModerators(m -> deliver(m, withdrawn));
        }
    }

    /**
     * An empty room leaves the registry, but only once its store writes have been answered: until then a new join
     * must find this instance, which acts on the answer, not load a copy that would miss it.
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

    /** Sends a room message to a participant, numbered and kept for its replay on resume. */
    void deliver(Participant p, String json) {
        deliver(p, json.getBytes(StandardCharsets.UTF_8));
    }

    /** As above, a message already in UTF-8 (relayed as received; a broadcast encoded once for everyone). */
    void deliver(Participant p, byte[] json) {
        p.replay.record(json, System.nanoTime(), ctx.resumeQueue(), MAX_REPLAY_BYTES, ctx.replayWindow().toNanos(),
                p.seat != null);
        if (p.seat != null) {
            p.seat.send(json);
        } else if (p.replay.sinceDrop() > ctx.resumeQueue() && participants.get(p.id) == p) {
            // More has happened than can be replayed: it is gone.
            remove(p, "disconnected", ctx.clock().instant());
        }
    }

    void broadcast(String text, Participant except) {
        byte[] json = text.getBytes(StandardCharsets.UTF_8);
        for (Participant p : List.copyOf(participants.values())) {
            if (p != except) {
                deliver(p, json);
            }
        }
    }

    void forModerators(Consumer<Participant> action) {
        for (Participant p : List.copyOf(participants.values())) {
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

    /** The participant {@code m} acts for, seated in the room (not in the lobby). */
    Participant member(Membership m) {
        Participant p = m.participant;
        if (!current(m)) {
            throw new ProtocolException(SignalingError.NOT_JOINED, "join a room first");
        }
        if (participants.get(p.id) != p) {
            throw new ProtocolException(SignalingError.FORBIDDEN, "you are waiting in the lobby");
        }
        return p;
    }

    private com.fasterxml.jackson.databind.node.ObjectNode snapshot(String type, Participant you) {
        com.fasterxml.jackson.databind.node.ObjectNode out = RoomViews.snapshot(type, you, room, participants.values(),
                lobby.values(), ctx.ice().forParticipant(you.userId, room.id(), you.seat.requestHost()));
        deadline().ifPresent(d -> out.put("endsAt", d.toString()));
        return out;
    }

    // --- the regulation: a conference's time limit -------------------------------------------------------------

    /** When the running conference must end, if it must. */
    Optional<Instant> conferenceDeadline() {
        return deadline();
    }

    private Optional<Instant> deadline() {
        return conferenceStart == null ? Optional.empty() : room.regulation().deadline(conferenceStart, extension);
    }

    /**
     * Checked every second: five minutes and one minute before the running conference's end, everyone is warned
     * ({@code conference-ending}); at its end, everyone is out ({@code conference-ended}, reason {@code time-limit},
     * or {@code expired} when the room's {@code notAfter} came first) and the report says why.
     */
    public synchronized void tick(Instant now) {
        Optional<Instant> end = deadline();
        if (retired || conferenceId == null || end.isEmpty()) {
            return;
        }
        Duration left = Duration.between(now, end.get());
        if (left.isNegative() || left.isZero()) {
            evictAll("conference-ended", room.regulation().endsByExpiry(conferenceStart, extension) ? "expired"
                    : "time-limit");
            return;
        }
        if (left.compareTo(Duration.ofMinutes(WARNINGS[WARNINGS.length - 1])) > 0) {
            warned = Integer.MAX_VALUE; // further away again (extended, or the limit raised): warn again later
            return;
        }
        for (int minutes : WARNINGS) {
            if (left.compareTo(Duration.ofMinutes(minutes)) <= 0 && warned > minutes) {
                warned = minutes;
                broadcast(ServerMessages.text(ServerMessages.object("conference-ending")
                        .put("endsAt", end.get().toString()).put("minutesLeft", minutes)), null);
                return;
            }
        }
    }

    /** The head adds minutes to the running conference, up to max-conference-extension in all. */
    void extendConference(Participant by, int minutes) {
        Optional<Instant> end = deadline();
        if (conferenceId == null || room.regulation().maxDurationMinutes() == null || end.isEmpty()) {
            throw new ProtocolException(SignalingError.BAD_REQUEST, "this conference has no time limit to extend");
        }
        Duration more = extension.plus(Duration.ofMinutes(minutes));
        if (more.compareTo(ctx.maxExtension()) > 0) {
            throw new ProtocolException(SignalingError.FORBIDDEN, "a conference may be extended by "
                    + ctx.maxExtension().toMinutes() + " minutes in all (" + extension.toMinutes() + " so far)");
        }
        Instant later = room.regulation().deadline(conferenceStart, more).orElseThrow();
        if (!later.isAfter(end.get())) {
            throw new ProtocolException(SignalingError.FORBIDDEN, "the room's time ends at "
                    + room.regulation().notAfter() + "; the conference cannot go past it");
        }
        extension = more;
        ctx.conferences().extended(conferenceId, more);
        warned = Integer.MAX_VALUE;
        broadcast(ServerMessages.text(ServerMessages.object("conference-extended").put("endsAt", later.toString())
                .put("by", by.id).put("minutes", minutes)), null);
    }

    /** Minutes before the end at which everyone is warned, the nearest first. */
    private static final int[] WARNINGS = {1, 5};
    /** The running conference: when it started, what its head added, the last warning given (minutes left). */
    private Instant conferenceStart;
    private Duration extension = Duration.ZERO;
    private int warned = Integer.MAX_VALUE;

    /** Live participants for the API's full view. */
    public synchronized List<Map<String, Object>> participantViews() {
        return RoomViews.participantViews(participants.values(), room);
    }

    /**
     * Goes on with a conference another node ran until it died: everyone who was in it is here again as if their
     * socket had just dropped, with the resume grace to come back (their clients resume with the tokens they hold).
     */
    synchronized void takeOver(ConferenceEvents.TakenOver conference) {
        if (conferenceId != null || !participants.isEmpty()) {
            return;
        }
        conferenceId = conference.conferenceId();
        conferenceStart = conference.startedAt();
        extension = conference.extension(); // what the head added on the dead node
        kicked.addAll(conference.kicked()); // and who was kicked out there
        warned = Integer.MAX_VALUE;
        ctx.metrics().activeRooms.inc();
        Instant now = ctx.clock().instant();
        for (ConferenceEvents.Seated s : conference.seated()) {
            Participant p = new Participant(s.participantId(), s.userId(), s.name(), null, s.tokenHash(), now, null);
            p.adopted = true;
            p.replay.dropped();
            participants.put(p.id, p);
            registry.registerResume(p.tokenHash, this);
            ctx.metrics().participants.inc();
            p.grace = ctx.timers().schedule(() -> graceExpired(p), ctx.resumeGrace().toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    /** What the store keeps of a resume token: its SHA-256, so a copy of the store resumes nobody. */
    static String tokenHash(String token) {
        if (token == null) {
            return null;
        }
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The room a resume token belongs to (tokens are {@code <room id>.<random>}), read by any node. */
    static Optional<String> roomOfResumeToken(String token) {
        int dot = token.indexOf('.');
        return dot <= 0 || dot == token.length() - 1 ? Optional.empty() : Optional.of(token.substring(0, dot));
    }

    static String randomId(int bytes) {
        return RandomIds.next(bytes);
    }
}
