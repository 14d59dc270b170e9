package io.kezdesu.common.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kezdesu.common.config.Config;
import io.kezdesu.common.config.ConfigKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirectoryTest {

    @TempDir
    Path tmp;

    @Test
    void createsOwnerOnlyDirectoryAndSecretsThatPersist() throws Exception {
        Path root = tmp.resolve("data");
        DataDirectory dir = DataDirectory.open(root);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root)));
        Secrets first = Secrets.resolve(Config.defaults(), dir);
        for (String f : List.of(Secrets.JWT_FILE, Secrets.TURN_FILE, Secrets.NONCE_FILE, Secrets.ADMIN_TOKEN_FILE)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve(f))), f);
        }
        assertTrue(first.jwtSecret().length() >= 43);
        assertNotEquals(first.jwtSecret(), first.adminToken());
        Secrets again = Secrets.resolve(Config.defaults(), DataDirectory.open(root));
        assertEquals(first.jwtSecret(), again.jwtSecret());
        assertEquals(first.turnSecrets(), again.turnSecrets());
        assertEquals(first.adminToken(), again.adminToken());
        assertEquals("Secrets[<redacted>]", again.toString());
    }

    @Test
    void anEmptySecretFileLeftByAPowerCutIsReplacedNotFatal(@TempDir Path dir) throws Exception {
        DataDirectory d = DataDirectory.open(dir.resolve("data"));
        Path file = d.resolve("jwt-secret");
        Files.createFile(file);
        String secret = d.secret("jwt-secret", "the JWT secret");
        assertTrue(secret.length() >= 32, secret);
        assertEquals(secret, Files.readString(file).strip());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(secret, d.secret("jwt-secret", "the JWT secret"), "and kept from then on");
    }

    @Test
    void configuredSecretsOverrideGeneratedOnes() {
        DataDirectory dir = DataDirectory.open(tmp.resolve("d2"));
        Config c = Config.defaults()
                .with(ConfigKeys.ADMIN_TOKEN, "configured-admin-token")
                .with(ConfigKeys.STATIC_AUTH_SECRET, List.of("turn-one-0123456", "turn-two-0123456"));
        Secrets s = Secrets.resolve(c, dir);
        assertEquals("configured-admin-token", s.adminToken());
        assertEquals(List.of("turn-one-0123456", "turn-two-0123456"), s.turnSecrets());
        assertTrue(Files.notExists(dir.resolve(Secrets.ADMIN_TOKEN_FILE)), "nothing generated for configured values");
    }

    /** An existing directory open to others is warned of (what chmod would close); a private one, or a new one, not. */
    @Test
    void anExistingDirectoryOpenToOthersIsWarnedOf(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path open = Files.createDirectory(tmp.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
        String warning = DataDirectory.openToOthers(open).orElseThrow();
        assertTrue(warning.contains("rwxr-xr-x") && warning.endsWith("chmod 700 " + open), warning);
        Path closed = Files.createDirectory(tmp.resolve("closed"));
        Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwx------"));
        assertEquals(java.util.Optional.empty(), DataDirectory.openToOthers(closed));
        Path created = DataDirectory.open(tmp.resolve("created")).root();
        assertEquals(java.util.Optional.empty(), DataDirectory.openToOthers(created), "made the owner's only");
    }
}
