package io.kezdesu.cli.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kezdesu.cli.CliRun;
import io.kezdesu.cli.daemon.TestDaemon;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code kezdesu user …} against a running daemon, found through its data directory. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UserCommandTest {

    private TestDaemon daemon;
    private Path dataDir;

    @BeforeAll
    void start(@TempDir Path dir) {
        dataDir = dir;
        daemon = TestDaemon.start(dir, Map.of());
    }

    @AfterAll
    void stop() {
        daemon.close();
    }

    private CliRun user(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "user";
        System.arraycopy(args, 0, all, 1, args.length);
        return CliRun.inDataDir(dataDir, all);
    }

    @Test
    void addShowListDisableEnableAndResetPassword() throws Exception {
        CliRun add = user("add", "--email", "Grace@Example.org", "--name", "Grace Hopper", "--json");
        assertEquals(0, add.code(), add.err());
        JsonNode created = add.json();
        String id = created.path("id").asText();
        String password = created.path("password").asText();
        assertEquals("grace@example.org", created.path("email").asText());
        assertTrue(password.length() >= 16, "a generated password is returned once");
        String token = daemon.login("grace@example.org", password).json().path("token").asText();
        assertEquals(200, daemon.get("/api/me", token).status());

        CliRun show = user("show", "grace@example.org", "--json");
        assertEquals(id, show.json().path("id").asText());
        assertTrue(!show.json().has("password"), "passwords are never shown again");
        CliRun human = user("show", id);
        assertTrue(human.out().contains("email:     grace@example.org"), human.out());

        CliRun list = user("list");
        assertEquals(0, list.code());
        assertTrue(list.out().contains(id) && list.out().contains("active"), list.out());

        CliRun disable = user("disable", id, "--json");
        assertEquals(0, disable.code(), disable.err());
        assertTrue(disable.json().path("disabled").asBoolean());
        TestDaemon.Response me = daemon.get("/api/me", token);
        assertEquals(403, me.status(), "a disabled user's existing token stops working");
        assertEquals("account-disabled", me.error());
        assertEquals(403, daemon.login("grace@example.org", password).status(), "and they cannot log in");
        assertTrue(user("list").out().contains("disabled"));

        assertEquals(0, user("enable", "grace@example.org").code());
        assertEquals(200, daemon.get("/api/me", token).status());

        CliRun reset = user("reset-password", id, "--json");
        assertEquals(0, reset.code(), reset.err());
        String newPassword = reset.json().path("password").asText();
        assertEquals(401, daemon.get("/api/me", token).status(), "reset revokes existing tokens");
        assertEquals(401, daemon.login("grace@example.org", password).status());
        assertEquals(200, daemon.login("grace@example.org", newPassword).status());
    }

    @Test
    void errorsFromTheServerAreShownInOneLine() {
        CliRun missing = user("show", "nobody@example.org");
        assertEquals(1, missing.code());
        assertEquals("kezdesu: no user nobody@example.org (not-found)\n", missing.err());
        CliRun invalid = user("add", "--email", "not-an-email", "--name", "X");
        assertEquals(1, invalid.code());
        assertTrue(invalid.err().contains("email: expected an email address"), invalid.err());
        user("add", "--email", "dup@example.org", "--name", "D");
        CliRun dup = user("add", "--email", "dup@example.org", "--name", "D");
        assertTrue(dup.err().contains("(email-taken)"), dup.err());
    }

    @Test
    void theAdminApiRequiresTheAdminToken() {
        String userToken = daemon.registerAndLogin("nosy@example.org", "N", "nosy password");
        assertEquals(401, daemon.get("/admin/users", null).status());
        assertEquals(401, daemon.get("/admin/users", userToken).status());
        CliRun wrong = CliRun.run(Map.of(), "user", "list", "--server", daemon.base(), "--token", "wrong-token");
        assertEquals(1, wrong.code());
        assertTrue(wrong.err().contains("(unauthorized)"), wrong.err());
    }
}
