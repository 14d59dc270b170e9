package io.kezdesu.signaling.room;

import io.kezdesu.common.auth.PasswordPool;
import io.kezdesu.common.ratelimit.FailureCounter;
import io.kezdesu.signaling.account.User;
import io.kezdesu.signaling.http.ApiError;
import io.kezdesu.signaling.http.ApiException;
import io.kezdesu.signaling.protocol.ProtocolException;
import io.kezdesu.signaling.protocol.SignalingError;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Rooms for the HTTP API, the admin API and the sockets: creation, settings, joining, closing. */
public final class RoomService {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RoomService.class);

    private static final int JOIN_ATTEMPTS = 3;
    /** Wrong room passwords one user may try on one room before waits of 1 s, 2 s, 4 s … (at most 15 min). */
    static final int PASSWORD_TRIES = 5;
    private static final java.time.Duration PASSWORD_BACKOFF_MAX = java.time.Duration.ofMinutes(15);
    private static final int PASSWORD_KEYS = 100_000;

    private final RoomRegistry registry;
    private final PasswordPool passwords;
    private final FailureCounter wrongPasswords;
    private final int defaultLimit;
    private final int maxLimit;

    /**
     * The rules rooms follow. {@code replayWindow}: how long a delivered message is kept for replay while its
     * socket is up (the heartbeat timeout and a margin: a dead socket is noticed within it).
     */
    public record Rules(java.time.Duration resumeGrace, int resumeQueue,
                           io.kezdesu.common.config.ConfigKeys.DuplicateJoin duplicateJoin,
                           java.time.Duration replayWindow, int defaultMaxParticipants, int maxParticipantsLimit,
                           java.time.Duration maxExtension) {
    }

    /** Wires a room service. */
    public static RoomService create(java.time.Clock clock, java.util.concurrent.ScheduledExecutorService timers,
                                     RoomRepository rooms, ConferenceEvents conferences,
                                     io.kezdesu.signaling.ice.IceServers ice,
                                     io.kezdesu.signaling.metrics.SignalingMetrics metrics,
                                     Rules settings, PasswordPool passwords, RoomLeases leases) {
        RoomContext ctx = new RoomContext(clock, timers, rooms, conferences, ice, metrics, settings.resumeGrace(),
                settings.resumeQueue(), settings.duplicateJoin(), settings.replayWindow(), leases,
                settings.maxExtension());
        RoomService service = new RoomService(ctx, passwords, settings.defaultMaxParticipants(),
                settings.maxParticipantsLimit());
        // Conferences with a time limit are checked every second: warnings, then the end.
        timers.scheduleWithFixedDelay(() -> {
            java.time.Instant now = clock.instant();
            for (LiveRoom room : service.registry.all()) {
                try {
                    room.tick(now);
                } catch (RuntimeException e) {
                    LOG.warn("room {}: time-limit check failed: {}", room.room().id(), e.toString());
                }
            }
        }, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
        return service;
    }

    RoomService(RoomContext ctx, PasswordPool passwords, int defaultLimit, int maxLimit) {
        this.registry = new RoomRegistry(ctx);
        this.passwords = passwords;
        this.wrongPasswords = FailureCounter.progressive(PASSWORD_TRIES, PASSWORD_BACKOFF_MAX, PASSWORD_KEYS,
                ctx.clock());
        this.defaultLimit = defaultLimit;
        this.maxLimit = maxLimit;
    }

    public RoomRegistry registry() {
        return registry;
    }

    public int defaultLimit() {
        return defaultLimit;
    }

    public int maxLimit() {
        return maxLimit;
    }

    private RoomContext ctx() {
        return registry.context();
    }

    /**
     * A user's new room, unless they already head {@code rooms-per-user} open ones (409 too-many-rooms). Counted, then
     * inserted: a burst of concurrent creations can pass the count together, so the bound is approximate by that
     * burst, which the HTTP API's one-request-at-a-time per connection and connections-per-ip keep small.
     */
    public Mono<Room> createFor(String headId, String name, Optional<Integer> maxParticipants,
                                Optional<String> password, boolean lobby, int roomsPerUser, Regulation regulation) {
        return ctx().rooms().countOpenHeadedBy(headId).flatMap(open -> open >= roomsPerUser
                ? Mono.error(new ApiException(ApiError.TOO_MANY_ROOMS, "you head " + open + " open rooms, the most "
                        + "this server allows; close one first"))
                : create(headId, name, maxParticipants, password, lobby, regulation));
    }

    public Mono<Room> create(String headId, String name, Optional<Integer> maxParticipants, Optional<String> password,
                             boolean lobby) {
        return create(headId, name, maxParticipants, password, lobby, Regulation.NONE);
    }

    public Mono<Room> create(String headId, String name, Optional<Integer> maxParticipants, Optional<String> password,
                             boolean lobby, Regulation regulation) {
        int limit = maxParticipants.orElse(Math.min(defaultLimit, maxLimit));
        Instant now = ctx().clock().instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        return hashOptional(password).map(hash -> new Room(LiveRoom.randomId(12), name, headId, Set.of(), limit,
                        false, hash.orElse(null), lobby, Set.of(), false, now, now, 0, regulation))
                .flatMap(room -> ctx().rooms().insert(room));
    }

    /**
     * The room as it is now: the live snapshot when people are in it (it may be ahead of the store by writes still in
     * flight), else the stored document.
     */
    public Mono<Room> find(String id) {
        Optional<LiveRoom> live = registry.find(id);
        if (live.isPresent()) {
            return Mono.just(live.get().room());
        }
        return ctx().rooms().findById(id)
                .switchIfEmpty(Mono.error(new ApiException(ApiError.NOT_FOUND, "no room " + id)));
    }

    public Flux<Room> managedBy(String userId, boolean includeClosed) {
        return ctx().rooms().managedBy(userId, includeClosed);
    }

    public Flux<Room> all(int limit, boolean includeClosed) {
        return ctx().rooms().all(limit, includeClosed);
    }

    /**
     * Changes settings in the store, then in the live room (whose participants see {@code room-updated}). A closed room
     * is closed for good: 409 {@code room-closed}, as for joining it.
     */
    public Mono<Room> update(String id, Settings change) {
        Mono<Optional<Optional<String>>> password = change.password().isEmpty() ? Mono.just(Optional.empty())
                : hashOptional(change.password().get()).map(Optional::of);
        return password.flatMap(hash -> ctx().rooms().updateSettings(id, change.name(), change.maxParticipants(),
                        change.locked(), change.lobby(), hash, change.regulation()))
                .switchIfEmpty(Mono.defer(() -> closedOrMissing(id)))
                .doOnNext(room -> registry.find(id).ifPresent(live -> live.stored(room, true)));
    }

    /** Why an update of open rooms changed nothing: 404 when there is no such room, else 409. */
    private Mono<Room> closedOrMissing(String id) {
        return ctx().rooms().findById(id)
                .flatMap(room -> Mono.<Room>error(room.closed() ? closed(id) : new ApiException(ApiError.CONFLICT,
                        "room " + id + " changed meanwhile (another head took over); nothing changed, try again")))
                .switchIfEmpty(Mono.error(new ApiException(ApiError.NOT_FOUND, "no room " + id)));
    }

    private static ApiException closed(String id) {
        return new ApiException(ApiError.ROOM_CLOSED, "room " + id + " is closed; a closed room cannot be changed");
    }

    /** Closes a room: stored as closed, everyone in it told and removed, the conference ended. */
    public Mono<Room> close(String id) {
        return ctx().rooms().close(id)
                .switchIfEmpty(Mono.error(new ApiException(ApiError.NOT_FOUND, "no room " + id)))
                .doOnNext(room -> registry.find(id).ifPresent(live -> live.stored(room, false)));
    }

    /** Kicks (and with {@code ban} bans for good) a user, live or not. */
    public Mono<Boolean> kick(String roomId, String participantOrUser, boolean ban) {
        return find(roomId).flatMap(room -> {
            if (room.closed()) {
                return Mono.error(closed(roomId));
            }
            Optional<LiveRoom> live = registry.find(roomId);
            if (live.isPresent()) {
                // Answered once the ban is stored and the kick done; the store unreachable: 503, nothing done.
                return Mono.fromFuture(live.get().kickByAdmin(participantOrUser, ban));
            }
            if (!ban) {
                return Mono.just(false);
            }
            return ctx().rooms().ban(roomId, participantOrUser)
                    .switchIfEmpty(Mono.defer(() -> closedOrMissing(roomId)))
                    .doOnNext(stored -> registry.find(roomId).ifPresent(l -> l.stored(stored, false)))
                    .thenReturn(false);
        });
    }

    /** Sets roles from the admin API: {@code head} or {@code moderator}. */
    public Mono<Room> promote(String roomId, String userId, String role) {
        return find(roomId).flatMap(room -> (role.equals("head")
                        ? ctx().rooms().setHead(roomId, room.headId(), userId)
                        : ctx().rooms().addModerator(roomId, userId))
                .switchIfEmpty(Mono.defer(() -> closedOrMissing(roomId))))
                .doOnNext(room -> registry.find(roomId).ifPresent(live -> live.stored(room, false)));
    }

    /** Joins a socket to a room: load, check the password off the event loop, then admit atomically. */
    public Mono<Void> join(Seat seat, String roomId, Optional<String> password) {
        return attempt(seat, roomId, password, JOIN_ATTEMPTS);
    }

    private Mono<Void> attempt(Seat seat, String roomId, Optional<String> password, int left) {
        return registry.acquire(roomId).flatMap(live -> {
            Room room = live.room();
            boolean check = room.hasPassword() && !room.roleOf(seat.user().id()).canModerate()
                    && password.isPresent();
            // Guessing a room's password: a few tries, then waits that double, per user and room.
            String guesser = roomId + " " + seat.user().id();
            java.time.Duration wait = check ? wrongPasswords.retryAfter(guesser) : java.time.Duration.ZERO;
            if (!wait.isZero()) {
                live.retireIfEmpty();
                return Mono.error(new ProtocolException(SignalingError.TOO_MANY_ATTEMPTS, "too many wrong passwords "
                        + "for this room; try again in " + Math.max(1, wait.toSeconds()) + " s"));
            }
            Mono<Boolean> passwordOk = !check ? Mono.just(false)
                    : passwords.verify(password.get(), room.passwordHash(), PasswordPool.Lane.OTHER)
                            .doOnNext(ok -> {
                                if (ok) {
                                    wrongPasswords.reset(guesser);
                                } else {
                                    wrongPasswords.recordFailure(guesser);
                                }
                            })
                            .doOnError(busy -> live.retireIfEmpty());
            return passwordOk.flatMap(ok -> {
                if (live.join(seat, ok)) {
                    return Mono.<Void>empty();
                }
                if (left <= 1) {
                    return Mono.error(new ProtocolException(SignalingError.UNAVAILABLE, "room is busy; try again"));
                }
                return attempt(seat, roomId, password, left - 1);
            });
        });
    }

    /**
     * Resumes a participant on a new socket. A token this node does not know may belong to a room another node
     * serves (the token names its room): that ends in {@link RoomElsewhereException}, for the socket to forward.
     */
    public Mono<Void> resume(Seat seat, String token, Optional<Long> received) {
        Optional<LiveRoom> here = registry.byResumeToken(token);
        if (here.isPresent()) {
            return Mono.fromRunnable(() -> here.get().resume(seat, token, received));
        }
        ProtocolException unknown = new ProtocolException(SignalingError.RESUME_FAILED,
                "nothing to resume with this token");
        Optional<String> roomId = LiveRoom.roomOfResumeToken(token);
        if (roomId.isEmpty()) {
            return Mono.error(unknown);
        }
        // Nobody serves the room now (its node died): taking it over here brings back whoever was in it, so the
        // resume can succeed.
        return ctx().leases().owner(roomId.get()).flatMap(owner -> owner.isPresent()
                ? Mono.<Void>error(new RoomElsewhereException(roomId.get(), owner.get()))
                : registry.acquire(roomId.get()).flatMap(live -> {
                    if (registry.byResumeToken(token).orElse(null) != live) {
                        live.retireIfEmpty();
                        return Mono.<Void>error(unknown);
                    }
                    return Mono.<Void>fromRunnable(() -> live.resume(seat, token, received));
                }))
                .onErrorMap(e -> e instanceof ProtocolException pe && pe.error() == SignalingError.NOT_FOUND,
                        e -> unknown);
    }

    private Mono<Optional<String>> hashOptional(Optional<String> password) {
        if (password.isEmpty()) {
            return Mono.just(Optional.empty());
        }
        return passwords.hash(password.get(), PasswordPool.Lane.OTHER).map(Optional::of);
    }

    /** A settings change; empty fields stay as they are; {@code password} of empty clears it. */
    public record Settings(Optional<String> name, Optional<Integer> maxParticipants, Optional<Boolean> locked,
                           Optional<Optional<String>> password, Optional<Boolean> lobby,
                           Regulation.Change regulation) {
        public Settings(Optional<String> name, Optional<Integer> maxParticipants, Optional<Boolean> locked,
                        Optional<Optional<String>> password, Optional<Boolean> lobby) {
            this(name, maxParticipants, locked, password, lobby, Regulation.Change.NONE);
        }
    }

    /** Whether the user heads or moderates the room. */
    public static boolean manages(Room room, User user) {
        return room.roleOf(user.id()).canModerate();
    }
}
