package io.kezdesu.signaling.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.kezdesu.signaling.account.AccountRules;
import io.kezdesu.signaling.account.AccountService;
import io.kezdesu.signaling.http.ApiError;
import io.kezdesu.signaling.http.ApiException;
import io.kezdesu.signaling.http.ApiRequest;
import io.kezdesu.signaling.http.ApiResponse;
import io.kezdesu.signaling.http.RoomRouting;
import io.kezdesu.signaling.http.Router;
import io.kezdesu.signaling.report.ConferenceRepository;
import io.kezdesu.signaling.report.ReportFormat;
import io.kezdesu.signaling.report.ReportsApi;
import io.kezdesu.signaling.room.LiveRoom;
import io.kezdesu.signaling.room.Room;
import io.kezdesu.signaling.room.RoomService;
import io.kezdesu.signaling.room.RoomsApi;
import io.netty.handler.codec.http.HttpMethod;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * {@code /admin/rooms} and {@code /admin/reports}: what {@code kezdesu room …} and {@code kezdesu report …} call.
 * Changes go through the same room service as the users' API, so live participants see them at once.
 */
public final class AdminRoomsApi {

    private final RoomService rooms;
    private final AccountService accounts;
    private final ConferenceRepository conferences;
    private final AdminAuth auth;

    public AdminRoomsApi(RoomService rooms, AccountService accounts, ConferenceRepository conferences,
                         AdminAuth auth) {
        this.rooms = rooms;
        this.accounts = accounts;
        this.conferences = conferences;
        this.auth = auth;
    }

    /** The routes; those about one room are answered by the node that serves it ({@code routing}). */
    public void routes(Router router, RoomRouting routing) {
        router.add(HttpMethod.GET, "/admin/rooms", guarded(this::list))
                .add(HttpMethod.POST, "/admin/rooms", guarded(this::create))
                .add(HttpMethod.GET, "/admin/rooms/{id}", guarded(routing.owned(this::show)))
                .add(HttpMethod.PATCH, "/admin/rooms/{id}", guarded(routing.owned(this::patch)))
                .add(HttpMethod.POST, "/admin/rooms/{id}/close", guarded(routing.owned(this::close)))
                .add(HttpMethod.POST, "/admin/rooms/{id}/kick", guarded(routing.owned(this::kick)))
                .add(HttpMethod.POST, "/admin/rooms/{id}/promote", guarded(routing.owned(this::promote)))
                .add(HttpMethod.GET, "/admin/reports", guarded(this::reports))
                .add(HttpMethod.GET, "/admin/reports/{id}", guarded(this::report));
    }

    private Router.Handler guarded(Function<ApiRequest, Mono<ApiResponse>> handler) {
        return req -> auth.require(req, () -> handler.apply(req));
    }

    private Mono<ApiResponse> list(ApiRequest req) {
        int limit = ReportsApi.limit(req);
        boolean all = req.queryParam("all").map(Boolean::parseBoolean).orElse(false);
        return rooms.all(limit, all).map(this::view).collectList()
                .map(list -> ApiResponse.ok(Map.of("rooms", list)));
    }

    private Mono<ApiResponse> create(ApiRequest req) {
        JsonNode body = req.jsonBody();
        AccountRules.onlyFields(body, "name", "head", "maxParticipants", "password", "lobby", "notBefore", "notAfter",
                "maxDurationMinutes");
        String name = RoomsApi.name(AccountRules.requiredString(body, "name"));
        String head = AccountRules.requiredString(body, "head");
        Optional<Integer> limit = intField(body, "maxParticipants", 1, rooms.maxLimit());
        Optional<String> password = RoomsApi.passwordChange(body).orElse(Optional.empty());
        boolean lobby = body.path("lobby").asBoolean(false);
        io.kezdesu.signaling.room.Regulation regulation = RoomsApi.valid(io.kezdesu.signaling.room.Regulation.NONE
                .with(RoomsApi.regulationChange(body)));
        return accounts.find(head)
                .switchIfEmpty(Mono.error(new ApiException(ApiError.NOT_FOUND, "no user " + head)))
                .flatMap(user -> rooms.create(user.id(), name, limit, password, lobby, regulation))
                .map(room -> ApiResponse.created(view(room)));
    }

    private Mono<ApiResponse> show(ApiRequest req) {
        return rooms.find(req.param("id")).map(room -> ApiResponse.ok(view(room)));
    }

    private Mono<ApiResponse> patch(ApiRequest req) {
        JsonNode body = req.jsonBody();
        AccountRules.onlyFields(body, "maxParticipants", "locked", "lobby", "name", "password", "notBefore",
                "notAfter", "maxDurationMinutes");
        io.kezdesu.signaling.room.Regulation.Change regulation = RoomsApi.regulationChange(body);
        RoomService.Settings change = new RoomService.Settings(
                AccountRules.optionalString(body, "name").map(RoomsApi::name),
                intField(body, "maxParticipants", 1, rooms.maxLimit()), boolField(body, "locked"),
                RoomsApi.passwordChange(body), boolField(body, "lobby"), regulation);
        return rooms.find(req.param("id"))
                .flatMap(room -> {
                    RoomsApi.valid(room.regulation().with(regulation));
                    return rooms.update(room.id(), change);
                })
                .map(room -> ApiResponse.ok(view(room)));
    }

    private Mono<ApiResponse> close(ApiRequest req) {
        return rooms.close(req.param("id")).map(room -> ApiResponse.ok(view(room)));
    }

    private Mono<ApiResponse> kick(ApiRequest req) {
        JsonNode body = req.jsonBody();
        AccountRules.onlyFields(body, "user", "ban");
        String who = AccountRules.requiredString(body, "user");
        boolean ban = boolField(body, "ban").orElse(false);
        Mono<String> userId = who.contains("@") ? accounts.find(who).map(u -> u.id())
                .switchIfEmpty(Mono.error(new ApiException(ApiError.NOT_FOUND, "no user " + who)))
                : Mono.just(who);
        return userId.flatMap(id -> rooms.kick(req.param("id"), id, ban))
                .map(present -> ApiResponse.ok(Map.of("kicked", present, "banned", ban)));
    }

    private Mono<ApiResponse> promote(ApiRequest req) {
        JsonNode body = req.jsonBody();
        AccountRules.onlyFields(body, "user", "role");
        String who = AccountRules.requiredString(body, "user");
        String role = AccountRules.optionalString(body, "role").orElse("moderator");
        if (!role.equals("moderator") && !role.equals("head")) {
            throw ApiException.invalidField("role", "expected moderator or head");
        }
        return accounts.find(who)
                .switchIfEmpty(Mono.error(new ApiException(ApiError.NOT_FOUND, "no user " + who)))
                .flatMap(user -> rooms.promote(req.param("id"), user.id(), role))
                .map(room -> ApiResponse.ok(view(room)));
    }

    private Mono<ApiResponse> reports(ApiRequest req) {
        int limit = ReportsApi.limit(req);
        return conferences.reports(req.queryParam("room").orElse(null), limit).map(ReportFormat::summary)
                .collectList().map(list -> ApiResponse.ok(Map.of("conferences", list)));
    }

    private Mono<ApiResponse> report(ApiRequest req) {
        String format = ReportsApi.format(req);
        return conferences.report(req.param("id"))
                .switchIfEmpty(Mono.error(new ApiException(ApiError.NOT_FOUND, "no conference " + req.param("id"))))
                .map(doc -> ReportsApi.render(doc, format));
    }

    private Map<String, Object> view(Room room) {
        Map<String, Object> m = new LinkedHashMap<>(room.fullView());
        Optional<LiveRoom> live = rooms.registry().find(room.id());
        m.put("participantCount", live.map(LiveRoom::size).orElse(0));
        m.put("participants", live.map(LiveRoom::participantViews).orElse(List.of()));
        return m;
    }

    private static Optional<Integer> intField(JsonNode body, String field, int min, int max) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isInt() || v.asInt() < min || v.asInt() > max) {
            throw ApiException.invalidField(field, "expected an integer in [" + min + ", " + max + "]");
        }
        return Optional.of(v.asInt());
    }

    private static Optional<Boolean> boolField(JsonNode body, String field) {
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
