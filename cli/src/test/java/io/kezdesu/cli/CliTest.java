package io.kezdesu.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CliTest {

    @TempDir
    Path tmp;

    static CliRun run(Map<String, String> env, String... args) {
        return CliRun.run(env, args);
    }

    @Test
    void versionIsPrinted() {
        CliRun r = run(Map.of(), "--version");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("kezdesu "), r.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "serve", "signaling", "relay", "config", "config check", "user", "user add",
            "user list", "user show", "user disable", "user enable", "user reset-password", "room", "room list",
            "room create", "room show", "room close", "room kick", "room limit", "room lock", "room unlock",
            "room promote", "report", "report list", "report show", "report export", "probe", "store"})
    void everyCommandHasHelp(String command) {
        String[] args = (command + " --help").strip().split(" ");
        CliRun r = run(Map.of(), args);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Usage: kezdesu" + (command.isEmpty() ? "" : " " + command)), r.out());
    }

    @Test
    void storeRefusesABadPortOrLogLevelWithExitStatus2AndCannotOpenAStoreInUse() throws Exception {
        CliRun port = run(Map.of(), "store", "--data-dir", tmp.toString(), "--port", "70000");
        assertEquals(2, port.code(), port.err());
        assertTrue(port.err().contains("--port 70000 (expected: a port number in [0, 65535])"), port.err());
        CliRun level = run(Map.of(), "store", "--data-dir", tmp.toString(), "--log-level", "loud");
        assertEquals(2, level.code(), level.err());
        assertTrue(level.err().contains("--log-level loud (expected: error, warn, info, debug or trace)"),
                level.err());
        // The file is locked by a store already running on it: exit 1, saying so.
        try (io.kezdesu.common.store.EmbeddedStore running = io.kezdesu.common.store.EmbeddedStore.start(
                io.kezdesu.common.data.DataDirectory.open(tmp).resolve(io.kezdesu.common.store.Store.EMBEDDED_FILE))) {
            CliRun busy = run(Map.of(), "store", "--data-dir", tmp.toString(), "--port", "0");
            assertEquals(1, busy.code(), busy.err());
            assertTrue(busy.err().contains("in use by another process"), busy.err());
        }
    }

    @Test
    void daemonCommandsOfferEveryConfigKeyAsAFlag() {
        String help = run(Map.of(), "serve", "--help").out();
        for (var key : io.kezdesu.common.config.ConfigKeys.all()) {
            // Booleans may be bare: "--allow-loopback-peers[=<allow-loopback-peers>]".
            String form = "--" + key.name() + (key.type().isBoolean() ? "[=" : "=");
            assertTrue(help.contains(form), key.name());
        }
    }

    @Test
    void booleanFlagsMayBeWrittenBareAsCoturnsAre() {
        CliRun r = run(Map.of(), "config", "check", "--allow-loopback-peers", "--tls-self-signed=false",
                "--allow-registration", "no", "--deny-private-peers");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("allow-loopback-peers: true  # from flag"), r.out());
        assertTrue(r.out().contains("tls-self-signed: false  # from flag"), r.out());
        assertTrue(r.out().contains("allow-registration: false  # from flag"), r.out());
        assertTrue(r.out().contains("deny-private-peers: true  # from flag"), r.out());
        CliRun bad = run(Map.of(), "config", "check", "--allow-loopback-peers=maybe");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("allow-loopback-peers: maybe (expected: true or false)"), bad.err());
    }

    @Test
    void configCheckPrintsTheEffectiveConfigurationRedacted() throws Exception {
        Path file = tmp.resolve("k.yaml");
        Files.writeString(file, "http-port: 9090\njwt-secret: this-is-a-very-secret-jwt-key-0123456789\n");
        CliRun r = run(Map.of("KEZDESU_REALM", "example.org"), "config", "check", "--config", file.toString(),
                "--listening-port", "3479");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("http-port: 9090  # from file"), r.out());
        assertTrue(r.out().contains("realm: example.org  # from environment"), r.out());
        assertTrue(r.out().contains("listening-port: 3479  # from flag"), r.out());
        assertTrue(r.out().contains("jwt-secret: <redacted>  # from file"), r.out());
        assertFalse(r.out().contains("this-is-a-very-secret"), r.out());
        assertTrue(r.out().endsWith("# configuration is valid\n"), r.out());
    }

    @Test
    void configCheckReportsEveryProblemWithExitStatus2() throws Exception {
        Path file = tmp.resolve("bad.yaml");
        Files.writeString(file, "http-port: eighty\nmin-port: 0\nlistning-port: 1\n");
        CliRun r = run(Map.of(), "config", "check", "--config", file.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("http-port: eighty (expected: a port number in [0, 65535]"), r.err());
        assertTrue(r.err().contains("min-port: 0 (expected: an integer in [1, 65535])"), r.err());
        assertTrue(r.err().contains("listning-port: unknown key"), r.err());
        CliRun missing = run(Map.of(), "config", "check", "--config", tmp.resolve("none.yaml").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("expected: an existing, readable YAML file"), missing.err());
    }

    @Test
    void theConfigFileCanComeFromTheEnvironment() throws Exception {
        Path file = tmp.resolve("env.yaml");
        Files.writeString(file, "realm: from-env-file\n");
        CliRun r = run(Map.of("KEZDESU_CONFIG", file.toString()), "config", "check");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("realm: from-env-file  # from file"), r.out());
    }

    @Test
    void unknownCommandsAndOptionsAreUsageErrors() {
        assertEquals(2, run(Map.of(), "frobnicate").code());
        CliRun r = run(Map.of(), "serve", "--no-such-option");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("Unknown option: '--no-such-option'"), r.err());
        assertEquals(2, run(Map.of(), "user", "add", "--email", "a@b.org").code(), "--name is required");
    }

    @Test
    void adminCommandsWithoutADaemonSayWhatToDo() {
        CliRun r = run(Map.of(), "user", "list", "--data-dir", tmp.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("no running daemon recorded in " + tmp), r.err());
        CliRun refused = run(Map.of(), "user", "list", "--server", "http://127.0.0.1:9", "--token", "x");
        assertEquals(1, refused.code());
        assertTrue(refused.err().contains("cannot connect to http://127.0.0.1:9"), refused.err());
    }

    @Test
    void aUsageErrorPrintsTheErrorAndWhereHelpIsNotTheWholeHelp() {
        CliRun r = run(Map.of(), "serve", "--http-port");
        assertEquals(2, r.code());
        assertEquals("kezdesu: Missing required parameter for option '--http-port' (<http-port>)\n"
                + "Try 'kezdesu serve --help' for more information.\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void configCheckRefusesWhatServeRefusesWithTheSameExitStatus() throws Exception {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        for (String command : new String[] {"config check", "serve", "relay"}) {
            String[] args = (command + " --peerjs-path /ws --tls-cert /nonexistent.pem --tls-key /nonexistent.pem"
                    + " --default-max-participants 60 --data-dir " + file).split(" ");
            CliRun r = run(Map.of(), args);
            assertEquals(2, r.code(), command + ": " + r.err());
            assertEquals("invalid configuration:\n"
                    + "  default-max-participants: 60 (expected: <= max-participants-limit, which is 50)\n"
                    + "  tls-cert: /nonexistent.pem (expected: a readable PEM file; no such file)\n"
                    + "  tls-key: /nonexistent.pem (expected: a readable PEM file; no such file)\n"
                    + "  peerjs-path: /ws (expected: a non-root path such as /peerjs, outside /api and /ws)\n"
                    + "  data-dir: " + file + " (expected: a directory; this is a file)\n", r.err(), command);
        }
    }

    @Test
    void anEmptyPasswordOnStandardInputIsAUsageErrorForUsersAndRooms() {
        java.io.InputStream stdin = System.in;
        try {
            for (String command : new String[] {"user add --email a@b.org --name A", "room create --name R --head h",
                    "user reset-password a@b.org"}) {
                System.setIn(new java.io.ByteArrayInputStream(new byte[0]));
                String[] args = (command + " --password-stdin --server http://127.0.0.1:9 --token x").split(" ");
                CliRun r = run(Map.of(), args);
                assertEquals(2, r.code(), command + ": " + r.err());
                assertEquals("kezdesu: --password-stdin: no password on standard input\n", r.err(), command);
            }
        } finally {
            System.setIn(stdin);
        }
    }

    @Test
    void anUnreadableDataDirectoryIsNotMistakenForNoDaemon() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("data"));
        Files.writeString(dir.resolve("daemon.json"), "{\"url\":\"http://127.0.0.1:9\"}");
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Files.setPosixFilePermissions(dir.resolve("daemon.json"),
                java.nio.file.attribute.PosixFilePermissions.fromString("-w-------"));
        // Root reads anything: the test can only show the message when run as another user.
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.isReadable(dir.resolve("daemon.json")), "running as root");
        CliRun r = run(Map.of(), "user", "list", "--data-dir", dir.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("kezdesu: cannot read " + dir.resolve("daemon.json") + ": permission denied"),
                r.err());
    }

    @Test
    void everyOptionOfEveryCommandSaysWhatItIs() {
        java.util.List<String> bare = new java.util.ArrayList<>();
        java.util.Deque<picocli.CommandLine> todo = new java.util.ArrayDeque<>();
        todo.add(KezdesuCommand.commandLine(new KezdesuCommand(Map.of())));
        while (!todo.isEmpty()) {
            picocli.CommandLine c = todo.pop();
            todo.addAll(c.getSubcommands().values());
            for (picocli.CommandLine.Model.OptionSpec o : c.getCommandSpec().options()) {
                if (!o.hidden() && String.join("", o.description()).isBlank()) {
                    bare.add(c.getCommandSpec().qualifiedName() + " " + o.longestName());
                }
            }
        }
        assertEquals(java.util.List.of(), bare);
    }

    @Test
    void aValueOnlyAStartCanRefuseIsStillAConfigurationError() throws Exception {
        Path notPem = Files.writeString(tmp.resolve("not.pem"), "not a certificate\n");
        CliRun r = run(Map.of(), "serve", "--data-dir", tmp.resolve("data").toString(), "--http-ip", "127.0.0.1",
                "--http-port", "0", "--listening-ip", "127.0.0.1", "--listening-port", "0", "--tls-listening-port",
                "0", "--tls-cert", notPem.toString(), "--tls-key", notPem.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("invalid configuration:\n  tls-cert"), r.err());
    }

    @Test
    void adminCommandsDoNotNeedToReadTheDaemonsKey() throws Exception {
        // An operator reads the daemon's configuration to find it, often as a user who may not read its TLS key.
        Path file = Files.writeString(tmp.resolve("k.yaml"),
                "tls-cert: /nonexistent/c.pem\ntls-key: /nonexistent/k.pem\n");
        CliRun r = run(Map.of(), "user", "list", "--config", file.toString(), "--server", "http://127.0.0.1:9",
                "--token", "x");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("cannot connect to http://127.0.0.1:9"), r.err());
    }
}
