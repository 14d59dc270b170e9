package io.kezdesu.signaling.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kezdesu.signaling.SignalingFixture;
import io.kezdesu.signaling.SignalingFixture.Response;
import io.kezdesu.signaling.SignalingFixture.TestUser;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Changing a room's settings over the users' API and the admin API: passwords, and closed rooms staying closed. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RoomSettingsApiTest {

    private SignalingFixture f;
    private String admin;

    @BeforeAll
    void start(@TempDir Path dir) {
        f = SignalingFixture.start(dir, Map.of());
        admin = f.secrets.adminToken();
    }

    @AfterAll
    void stop() {
        f.close();
    }

    private static Map<String, Object> password(Object value) {
        Map<String, Object> body = new HashMap<>();
        body.put("password", value);
        return body;
    }

    @Test
    void theAdminApiSetsAndRemovesARoomPassword() {
        TestUser head = f.user("Head");
        String room = f.room(head, Map.of());
        Response set = f.call("PATCH", "/admin/rooms/" + room, password("open sesame"), admin);
        assertEquals(200, set.status(), set.text());
        assertTrue(set.json().path("hasPassword").asBoolean(), set.text());
        Response removed = f.call("PATCH", "/admin/rooms/" + room, password(null), admin);
        assertEquals(200, removed.status(), removed.text());
        assertFalse(removed.json().path("hasPassword").asBoolean(), removed.text());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/rooms/", "/admin/rooms/"})
    void anEmptyPasswordIsRefusedNotReadAsRemove(String prefix) {
        TestUser head = f.user("Head");
        String room = f.room(head, Map.of("password", "open sesame"));
        String token = prefix.startsWith("/admin") ? admin : head.token();
        Response r = f.call("PATCH", prefix + room, password(""), token);
        assertEquals(400, r.status(), r.text());
        assertEquals("invalid-field", r.json().path("error").asText());
        assertEquals("password: expected a string of 6 to 128 characters, or null to remove it",
                r.json().path("message").asText());
        assertTrue(f.call("GET", "/api/rooms/" + room, null, head.token()).json().path("hasPassword").asBoolean());
    }

    @Test
    void anEmptyPasswordIsRefusedWhenCreating() {
        TestUser head = f.user("Head");
        assertEquals(400, f.call("POST", "/api/rooms", Map.of("name", "x", "password", ""), head.token()).status());
        assertEquals(400, f.call("POST", "/admin/rooms", Map.of("name", "x", "head", head.id() + "@example.org",
                "password", ""), admin).status());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/rooms/", "/admin/rooms/"})
    void aClosedRoomCannotBeChanged(String prefix) {
        TestUser head = f.user("Head");
        String room = f.room(head, Map.of("name", "Before"));
        assertEquals(200, f.call("DELETE", "/api/rooms/" + room, null, head.token()).status());
        String token = prefix.startsWith("/admin") ? admin : head.token();
        Response r = f.call("PATCH", prefix + room, Map.of("locked", true, "name", "After"), token);
        assertEquals(409, r.status(), r.text());
        assertEquals("room-closed", r.json().path("error").asText());
        assertEquals("room " + room + " is closed; a closed room cannot be changed", r.json().path("message").asText());
        Response after = f.call("GET", "/admin/rooms/" + room, null, admin);
        assertEquals("Before", after.json().path("name").asText());
        assertFalse(after.json().path("locked").asBoolean());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/rooms/", "/admin/rooms/"})
    void bothApisCheckARoomNameAlike(String prefix) {
        TestUser head = f.user("Head");
        String room = f.room(head, Map.of("name", "Before"));
        String token = prefix.startsWith("/admin") ? admin : head.token();
        for (String bad : new String[] {"   ", "x".repeat(101), "bell\u0007"}) {
            Response r = f.call("PATCH", prefix + room, Map.of("name", bad), token);
            assertEquals(400, r.status(), r.text());
            assertEquals("name: expected 1 to 100 printable characters", r.json().path("message").asText());
        }
        Response renamed = f.call("PATCH", prefix + room, Map.of("name", "  After  "), token);
        assertEquals(200, renamed.status(), renamed.text());
        assertEquals("After", f.call("GET", "/admin/rooms/" + room, null, admin).json().path("name").asText());
        Response created = f.call("POST", "/admin/rooms", Map.of("name", "tab\there", "head",
                head.id() + "@example.org"), admin);
        assertEquals(400, created.status(), created.text());
    }

    @Test
    void aClosedRoomsRolesAndBansCannotBeChangedEither() {
        TestUser head = f.user("Head");
        TestUser other = f.user("Other");
        String room = f.room(head, Map.of());
        assertEquals(200, f.call("DELETE", "/api/rooms/" + room, null, head.token()).status());
        Response promote = f.call("POST", "/admin/rooms/" + room + "/promote",
                Map.of("user", other.id() + "@example.org"), admin);
        assertEquals(409, promote.status(), promote.text());
        assertEquals("room-closed", promote.json().path("error").asText());
        Response ban = f.call("POST", "/admin/rooms/" + room + "/kick", Map.of("user", other.id(), "ban", true), admin);
        assertEquals(409, ban.status(), ban.text());
        Response after = f.call("GET", "/admin/rooms/" + room, null, admin);
        assertFalse(after.text().contains(other.id()), after.text());
        assertEquals(404, f.call("POST", "/admin/rooms/nosuchroom/promote",
                Map.of("user", other.id() + "@example.org"), admin).status());
    }

    @Test
    void anUnknownRoomIsStillNotFound() {
        Response r = f.call("PATCH", "/admin/rooms/nosuchroom", Map.of("locked", true), admin);
        assertEquals(404, r.status(), r.text());
    }

    @Test
    void oneUserHeadsAtMostTheirRoomsPerUserOpenRooms() {
        // At the default of 100: a user creating rooms without end is stopped; closing one makes room.
        TestUser head = f.user("Hoarder");
        String first = null;
        for (int i = 0; i < 100; i++) {
            Response r = f.call("POST", "/api/rooms", Map.of("name", "r" + i), head.token());
            assertEquals(201, r.status(), r.text());
            if (first == null) {
                first = r.json().path("id").asText();
            }
        }
        Response refused = f.call("POST", "/api/rooms", Map.of("name", "one more"), head.token());
        assertEquals(409, refused.status(), refused.text());
        assertEquals("too-many-rooms", refused.json().path("error").asText());
        assertEquals(201, f.call("POST", "/api/rooms", Map.of("name", "someone else's"), f.user("Other").token())
                .status(), "others are not limited by it");
        assertEquals(200, f.call("DELETE", "/api/rooms/" + first, null, head.token()).status());
        assertEquals(201, f.call("POST", "/api/rooms", Map.of("name", "after closing one"), head.token()).status());
    }
}
