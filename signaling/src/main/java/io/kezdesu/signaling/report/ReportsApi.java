package io.kezdesu.signaling.report;

import io.kezdesu.signaling.account.AccountService;
import io.kezdesu.signaling.http.ApiError;
import io.kezdesu.signaling.http.ApiException;
import io.kezdesu.signaling.http.ApiRequest;
import io.kezdesu.signaling.http.ApiResponse;
import io.kezdesu.signaling.http.Router;
import io.kezdesu.signaling.room.RoomService;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.bson.Document;
import reactor.core.publisher.Mono;

/** Conference reports for a room's head and moderators: {@code /api/rooms/{id}/conferences}, {@code /api/conferences/{id}}. */
public final class ReportsApi {

    static final int MAX_LIST = 1000;

    private final ConferenceRepository conferences;
    private final RoomService rooms;
    private final AccountService accounts;

    public ReportsApi(ConferenceRepository conferences, RoomService rooms, AccountService accounts) {
        this.conferences = conferences;
        this.rooms = rooms;
        this.accounts = accounts;
    }

    public void routes(Router router) {
        router.add(HttpMethod.GET, "/api/rooms/{id}/conferences", this::list)
                .add(HttpMethod.GET, "/api/conferences/{id}", this::show);
    }

    private Mono<ApiResponse> list(ApiRequest req) {
        int limit = limit(req);
        return accounts.authenticate(req.bearerToken())
                .flatMap(user -> rooms.find(req.param("id")).flatMap(room -> RoomService.manages(room, user)
                        ? Mono.just(room) : Mono.error(forbidden())))
                .flatMap(room -> conferences.reports(room.id(), limit).map(ReportFormat::summary).collectList())
                .map(list -> ApiResponse.ok(Map.of("conferences", list)));
    }

    private Mono<ApiResponse> show(ApiRequest req) {
        String format = format(req);
        return accounts.authenticate(req.bearerToken())
                .flatMap(user -> find(req.param("id"))
                        .flatMap(doc -> rooms.find(doc.getString("roomId"))
                                .flatMap(room -> RoomService.manages(room, user) ? Mono.just(doc)
                                        : Mono.error(forbidden()))))
                .map(doc -> render(doc, format));
    }

    Mono<Document> find(String id) {
        return conferences.report(id)
                .switchIfEmpty(Mono.error(new ApiException(ApiError.NOT_FOUND, "no conference " + id)));
    }

    /** The report in the requested format, for users and the admin API alike. */
    public static ApiResponse render(Document doc, String format) {
        if (format.equals("csv")) {
            return ApiResponse.bytes(HttpResponseStatus.OK, ReportFormat.csv(doc).getBytes(StandardCharsets.UTF_8),
                    "text/csv; charset=utf-8").withHeader("Content-Disposition",
                    "attachment; filename=\"conference-" + doc.getString("_id") + ".csv\"");
        }
        return ApiResponse.ok(ReportFormat.full(doc));
    }

    public static String format(ApiRequest req) {
        String f = req.queryParam("format").orElse("json");
        if (!f.equals("json") && !f.equals("csv")) {
            throw ApiException.invalidField("format", "expected json or csv");
        }
        return f;
    }

    public static int limit(ApiRequest req) {
        String raw = req.queryParam("limit").orElse("100");
        try {
            int v = Integer.parseInt(raw);
            if (v >= 1 && v <= MAX_LIST) {
                return v;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw ApiException.invalidField("limit", "expected an integer in [1, " + MAX_LIST + "]");
    }

    private static ApiException forbidden() {
        return new ApiException(ApiError.FORBIDDEN, "only the room's head and moderators may see its reports");
    }
}
