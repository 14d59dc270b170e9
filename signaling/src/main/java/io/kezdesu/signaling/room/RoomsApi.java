package io.kezdesu.signaling.room;

import com.fasterxml.jackson.databind.JsonNode;
import io.kezdesu.signaling.account.AccountRules;
import io.kezdesu.signaling.account.AccountService;
import io.kezdesu.signaling.account.User;
import io.kezdesu.signaling.http.ApiError;
import io.kezdesu.signaling.http.ApiException;
import io.kezdesu.signaling.http.ApiRequest;
import io.kezdesu.signaling.http.ApiResponse;
import io.kezdesu.signaling.http.RoomRouting;
import io.kezdesu.signaling.http.Router;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import reactor.core.publisher.Mono;

/** {@code /api/rooms}: create, list, view, change and close rooms. */
public final class RoomsApi {

    static final int MAX_NAME = 100;
    static final int MAX_PASSWORD = 128;
    /** Shorter room passwords fall to guessing too soon, even slowed down. */
    static final int MIN_PASSWORD = 6;

    private final RoomService rooms;
    private final AccountService accounts;
    private final Optional<String> publicUrl;
    private final boolean tls;

    private final int roomsPerUser;

    private final java.util.Set<String> creators;

    public RoomsApi(RoomService rooms, AccountService accounts, Optional<String> publicUrl, boolean tls,
                    int roomsPerUser) {
        this(rooms, accounts, publicUrl, tls, roomsPerUser, java.util.Set.of());
    }

    /** {@code creators}: the provider groups whose members may create rooms (oidc-room-creators); empty: anyone. */
    public RoomsApi(RoomService rooms, AccountService accounts, Optional<String> publicUrl, boolean tls,
                    int roomsPerUser, java.util.Set<String> creators) {
        this.creators = java.util.Set.copyOf(creators);
        this.roomsPerUser = roomsPerUser;
        this.rooms = rooms;
        this.accounts = accounts;
        this.publicUrl = publicUrl;
        this.tls = tls;
    }

    /** The routes; those about one room are answered by the node that serves it ({@code routing}). */
    public void routes(Router router, RoomRouting routing) {
        router.add(HttpMethod.POST, "/api/rooms", this::create)
                .add(HttpMethod.GET, "/api/rooms", this::list)
                .add(HttpMethod.GET, "/api/rooms/{id}", routing.owned(this::show))
                .add(HttpMethod.PATCH, "/api/rooms/{id}", routing.owned(this::patch))
                .add(HttpMethod.DELETE, "/api/rooms/{id}", routing.owned(this::delete));
    }

    private Mono<ApiResponse> create(ApiRequest req) {
        JsonNode body = req.jsonBody();
        AccountRules.onlyFields(body, "name", "maxParticipants", "password", "lobby", "notBefore", "notAfter",
                "maxDurationMinutes");
        String name = name(AccountRules.requiredString(body, "name"));
        Optional<Integer> limit = limit(body);
        Optional<String> password = passwordChange(body).orElse(Optional.empty());
        boolean lobby = bool(body, "lobby").orElse(false);
        Regulation regulation = valid(Regulation.NONE.with(regulationChange(body)));
        return accounts.authenticate(req.bearerToken())
                .flatMap(user -> creators.isEmpty() || user.groups().stream().anyMatch(creators::contains)
                        ? rooms.createFor(user.id(), name, limit, password, lobby, roomsPerUser, regulation)
                        : Mono.error(new ApiException(ApiError.FORBIDDEN, "only members of " + String.join(", ",
                                creators.stream().sorted().toList()) + " may create rooms here")))
                .map(room -> ApiResponse.created(view(room, req, true)));
    }

    private Mono<ApiResponse> list(ApiRequest req) {
        return accounts.authenticate(req.bearerToken())
                .flatMapMany(user -> rooms.managedBy(user.id(), includeClosed(req)))
                .map(room -> view(room, req, true))
                .collectList()
                .map(list -> ApiResponse.ok(Map.of("rooms", list)));
    }

    private Mono<ApiResponse> show(ApiRequest req) {
        return accounts.authenticate(req.bearerToken())
                .flatMap(user -> rooms.find(req.param("id"))
                        .map(room -> ApiResponse.ok(view(room, req, RoomService.manages(room, user)))));
    }

    private Mono<ApiResponse> patch(ApiRequest req) {
        JsonNode body = req.jsonBody();
        AccountRules.onlyFields(body, "name", "maxParticipants", "locked", "password", "lobby", "notBefore",
                "notAfter", "maxDurationMinutes");
        Regulation.Change regulation = regulationChange(body);
        RoomService.Settings change = new RoomService.Settings(
                AccountRules.optionalString(body, "name").map(RoomsApi::name), limit(body), bool(body, "locked"),
                passwordChange(body), bool(body, "lobby"), regulation);
        return managed(req).flatMap(room -> {
            valid(room.regulation().with(regulation));
            return rooms.update(room.id(), change);
        })
                .map(room -> ApiResponse.ok(view(room, req, true)));
    }

    private Mono<ApiResponse> delete(ApiRequest req) {
        return accounts.authenticate(req.bearerToken())
                .flatMap(user -> rooms.find(req.param("id")).flatMap(room -> {
                    if (room.roleOf(user.id()) != Role.HEAD) {
                        return Mono.error(new ApiException(ApiError.FORBIDDEN, "only the head may close this room"));
                    }
                    return rooms.close(room.id());
                }))
                .map(room -> ApiResponse.ok(view(room, req, true)));
    }

    /** {@code ?closed=true} also lists closed rooms, whose conference reports stay readable. */
    private static boolean includeClosed(ApiRequest req) {
        return req.queryParam("closed").map(v -> switch (v) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ApiException.invalidField("closed", "expected true or false");
        }).orElse(false);
    }

    /** The room, if the caller heads or moderates it; 403 otherwise. */
    Mono<Room> managed(ApiRequest req) {
        return accounts.authenticate(req.bearerToken())
                .flatMap(user -> rooms.find(req.param("id")).flatMap(room -> managedBy(room, user)));
    }

    static Mono<Room> managedBy(Room room, User user) {
        return RoomService.manages(room, user) ? Mono.just(room)
                : Mono.error(new ApiException(ApiError.FORBIDDEN, "only the head and moderators may do this"));
    }

    private Map<String, Object> view(Room room, ApiRequest req, boolean full) {
        Map<String, Object> m = new LinkedHashMap<>(full ? room.fullView() : room.publicView());
        m.put("joinUrl", baseUrl(req) + "/r/" + room.id());
        Optional<LiveRoom> live = rooms.registry().find(room.id());
        m.put("participantCount", live.map(LiveRoom::size).orElse(0));
        if (full) {
            m.put("participants", live.map(LiveRoom::participantViews).orElse(java.util.List.of()));
        }
        return m;
    }

    private String baseUrl(ApiRequest req) {
        if (publicUrl.isPresent()) {
            return publicUrl.get();
        }
        String host = req.headers().get(HttpHeaderNames.HOST);
        if (host == null || host.isBlank() || !host.matches("[A-Za-z0-9.:\\[\\]-]{1,260}")) {
            host = "localhost";
        }
        return (tls ? "https://" : "http://") + host;
    }

    /** A room name as both APIs accept it: stripped, 1 to MAX_NAME characters, no control characters. */
    public static String name(String raw) {
        String name = raw.strip();
        if (name.isEmpty() || name.length() > MAX_NAME || name.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.invalidField("name", "expected 1 to " + MAX_NAME + " printable characters");
        }
        return name;
    }

    private Optional<Integer> limit(JsonNode body) {
        JsonNode v = body.get("maxParticipants");
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isInt() || v.asInt() < 1 || v.asInt() > rooms.maxLimit()) {
            throw ApiException.invalidField("maxParticipants", "expected an integer in [1, " + rooms.maxLimit() + "]");
        }
        return Optional.of(v.asInt());
    }

    /**
     * A room password in a request (users' and admin API alike). Absent: no change; null: remove it; a string of
     * {@value #MIN_PASSWORD} to {@value #MAX_PASSWORD} characters: set it. An empty string is refused rather than read as "remove": a blank
     * field that silently opened a room would surprise whoever sent it.
     */
    public static Optional<Optional<String>> passwordChange(JsonNode body) {
        if (!body.has("password")) {
            return Optional.empty();
        }
        JsonNode v = body.get("password");
        if (v.isNull()) {
            return Optional.of(Optional.empty());
        }
        if (!v.isTextual() || v.asText().length() < MIN_PASSWORD || v.asText().length() > MAX_PASSWORD) {
            throw ApiException.invalidField("password", "expected a string of " + MIN_PASSWORD + " to " + MAX_PASSWORD
                    + " characters, or null to remove it");
        }
        return Optional.of(Optional.of(v.asText()));
    }

    /**
     * {@code notBefore}, {@code notAfter} (ISO-8601 instants such as 2026-12-24T09:00:00Z) and
     * {@code maxDurationMinutes}: each absent (unchanged), null (removed) or set.
     */
    public static Regulation.Change regulationChange(JsonNode body) {
        return new Regulation.Change(instant(body, "notBefore"), instant(body, "notAfter"),
                minutes(body, "maxDurationMinutes"));
    }

    /** The regulation, or 400 saying what is wrong with it. */
    public static Regulation valid(Regulation r) {
        r.problem().ifPresent(p -> {
            throw new ApiException(ApiError.INVALID_FIELD, p);
        });
        return r;
    }

    private static Optional<Optional<java.time.Instant>> instant(JsonNode body, String field) {
        if (!body.has(field)) {
            return Optional.empty();
        }
        JsonNode v = body.get(field);
        if (v.isNull()) {
            return Optional.of(Optional.empty());
        }
        try {
            if (!v.isTextual() || v.asText().length() > 40) {
                throw new java.time.format.DateTimeParseException("not text", v.toString(), 0);
            }
            return Optional.of(Optional.of(java.time.OffsetDateTime.parse(v.asText()).toInstant()));
        } catch (java.time.format.DateTimeParseException e) {
            throw ApiException.invalidField(field, "expected a time such as 2026-12-24T09:00:00Z (with its offset), "
                    + "or null to remove it");
        }
    }

    private static Optional<Optional<Integer>> minutes(JsonNode body, String field) {
        if (!body.has(field)) {
            return Optional.empty();
        }
        JsonNode v = body.get(field);
        if (v.isNull()) {
            return Optional.of(Optional.empty());
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 1
                || v.asInt() > Regulation.MAX_DURATION_MINUTES) {
            throw ApiException.invalidField(field, "expected 1 to " + Regulation.MAX_DURATION_MINUTES
                    + ", or null to remove it");
        }
        return Optional.of(Optional.of(v.asInt()));
    }

    private static Optional<Boolean> bool(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isBoolean()) {
            throw ApiException.invalidField(field, "expected true or false");
        }
        return Optional.of(v.asBoolean());
    }
}
