package io.kezdesu.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    private Path yaml(String text) throws Exception {
        Path f = dir.resolve("kezdesu.yaml");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void flagsBeatEnvironmentBeatFileBeatDefaults() throws Exception {
        Path file = yaml("http-port: 1111\nlistening-port: 2222\nrealm: from-file\n");
        Config c = ConfigLoader.load(Optional.of(file),
                Map.of("KEZDESU_HTTP_PORT", "3333", "KEZDESU_LISTENING_PORT", "4444"),
                Map.of("http-port", List.of("5555")));
        assertEquals(5555, c.get(ConfigKeys.HTTP_PORT));
        assertEquals(Config.Origin.FLAG, c.origin(ConfigKeys.HTTP_PORT));
        assertEquals(4444, c.get(ConfigKeys.LISTENING_PORT));
        assertEquals(Config.Origin.ENVIRONMENT, c.origin(ConfigKeys.LISTENING_PORT));
        assertEquals("from-file", c.get(ConfigKeys.REALM));
        assertEquals(Config.Origin.FILE, c.origin(ConfigKeys.REALM));
        assertEquals(49152, c.get(ConfigKeys.MIN_PORT));
        assertEquals(Config.Origin.DEFAULT, c.origin(ConfigKeys.MIN_PORT));
    }

    @Test
    void nestedMapsListsAndTypedValuesAreRead() throws Exception {
        Path cert = Files.createFile(dir.resolve("c.pem"));
        Path file = yaml("""
                tls:
                  cert: %s
                  key: %s
                external-ip:
                  - 203.0.113.7/10.0.0.7
                  - 2001:db8::1
                denied-peer-ip: [10.0.0.0/8, 192.168.1.1-192.168.1.9]
                jwt-ttl: 90m
                max-body-size: 128KiB
                log-level: debug
                """.formatted(cert, cert));
        Config c = ConfigLoader.load(Optional.of(file), Map.of(), Map.of());
        assertEquals(cert, c.get(ConfigKeys.TLS_CERT));
        assertEquals(List.of(AddressMapping.parse("203.0.113.7/10.0.0.7"), AddressMapping.parse("2001:db8::1")),
                c.get(ConfigKeys.EXTERNAL_IP));
        List<AddressRange> denied = c.get(ConfigKeys.DENIED_PEER_IP);
        assertTrue(denied.get(0).contains(InetAddress.getByName("10.255.0.1")));
        assertFalse(denied.get(1).contains(InetAddress.getByName("192.168.1.10")));
        assertEquals(Duration.ofMinutes(90), c.get(ConfigKeys.JWT_TTL));
        assertEquals(128 * 1024L, c.get(ConfigKeys.MAX_BODY_SIZE));
        assertEquals(ConfigKeys.LogLevel.DEBUG, c.get(ConfigKeys.LOG_LEVEL));
    }

    @Test
    void repeatedFlagsAndCommaSeparatedEnvironmentMakeLists() {
        Config c = ConfigLoader.load(Optional.empty(),
                Map.of("KEZDESU_LISTENING_IP", "127.0.0.1, ::1"),
                Map.of("allowed-peer-ip", List.of("10.1.0.0/16", "10.2.0.0/16")));
        assertEquals(2, c.get(ConfigKeys.LISTENING_IP).size());
        assertEquals(2, c.get(ConfigKeys.ALLOWED_PEER_IP).size());
    }

    @Test
    void everyProblemNamesKeyValueAndExpectation() throws Exception {
        Path file = yaml("http-port: 70000\nmin-port: abc\nlog-level: loud\nnot-a-key: 1\njwt-secret: short\n");
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(Optional.of(file), Map.of("KEZDESU_JWT_TTL", "soon"), Map.of()));
        List<String> p = e.problems();
        assertTrue(p.contains("http-port: 70000 (expected: a port number in [0, 65535]; 0 picks a free port)"), p::toString);
        assertTrue(p.contains("min-port: abc (expected: an integer in [1, 65535])"), p::toString);
        assertTrue(p.stream().anyMatch(s -> s.startsWith("log-level: loud (expected: one of error, warn, info")), p::toString);
        assertTrue(p.stream().anyMatch(s -> s.startsWith("not-a-key: unknown key")), p::toString);
        assertTrue(p.contains("jwt-secret: <redacted> (expected: a string of at least 32 characters)"), p::toString);
        assertTrue(p.stream().anyMatch(s -> s.startsWith("jwt-ttl: soon (expected: a duration")
                && s.endsWith("[from KEZDESU_JWT_TTL]")), p::toString);
        assertFalse(e.getMessage().contains("short"), "secret values never appear in errors");
    }

    @Test
    void rulesBetweenKeys() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(Optional.empty(), Map.of(),
                Map.of("min-port", List.of("60000"), "max-port", List.of("50000"),
                        "tls-cert", List.of("/x.pem"), "default-allocate-lifetime", List.of("2h"))));
        assertTrue(e.problems().contains("min-port: 60000 (expected: <= max-port, which is 50000)"), e::getMessage);
        assertTrue(e.problems().contains("tls-key: <unset> (expected: tls-cert and tls-key are set together)"),
                e::getMessage);
        assertTrue(e.problems().stream().anyMatch(s -> s.startsWith("default-allocate-lifetime: 2h")), e::getMessage);
    }

    @Test
    void missingAndMalformedFilesAreReportedAsConfigProblems() throws Exception {
        ConfigException missing = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(Optional.of(dir.resolve("nope.yaml")), Map.of(), Map.of()));
        assertTrue(missing.getMessage().startsWith("config: " + dir.resolve("nope.yaml")), missing::getMessage);
        Path bad = yaml("http-port: [1, 2\n");
        ConfigException malformed = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(Optional.of(bad), Map.of(), Map.of()));
        assertTrue(malformed.getMessage().contains("expected: a YAML mapping"), malformed::getMessage);
        Path scalar = yaml("just text\n");
        assertThrows(ConfigException.class, () -> ConfigLoader.load(Optional.of(scalar), Map.of(), Map.of()));
    }

    @Test
    void renderRedactsSecretsAndShowsOrigins() {
        Config c = ConfigLoader.load(Optional.empty(),
                Map.of("KEZDESU_JWT_SECRET", "0123456789abcdef0123456789abcdef-secret"),
                Map.of("user", List.of("alice:pa55word"), "static-auth-secret", List.of("turn-secret-value-1")));
        String out = c.render();
        assertTrue(out.contains("jwt-secret: <redacted>  # from environment"), out);
        assertTrue(out.contains("static-auth-secret: <redacted>  # from flag"), out);
        assertTrue(out.contains("user: <redacted>  # from flag"), out);
        assertTrue(out.contains("admin-token: <unset>"), out);
        assertFalse(out.contains("pa55word") || out.contains("turn-secret-value-1") || out.contains("-secret\n"), out);
        for (ConfigKey<?> key : ConfigKeys.all()) {
            assertTrue(out.contains("\n" + key.name() + ": ") || out.startsWith(key.name() + ": "), key.name());
        }
    }

    @Test
    void unknownEnvironmentVariablesAreIgnoredButUnknownFlagsAreNot() {
        ConfigLoader.load(Optional.empty(), Map.of("KEZDESU_SOMETHING_ELSE", "x"), Map.of());
        assertThrows(ConfigException.class,
                () -> ConfigLoader.load(Optional.empty(), Map.of(), Map.of("no-such-key", List.of("1"))));
    }

    @Test
    void rulesBetweenKeysAreReportedAlongsideBadValues() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(Optional.empty(), Map.of(),
                Map.of("http-port", List.of("70000"), "min-port", List.of("60000"), "max-port", List.of("50000"),
                        "mongo-uri", List.of("notmongo-but-long"))));
        assertEquals(List.of(
                "http-port: 70000 (expected: a port number in [0, 65535]; 0 picks a free port) [from --http-port]",
                "min-port: 60000 (expected: <= max-port, which is 50000)",
                "mongo-uri: <redacted> (expected: a connection string starting with mongodb:// or mongodb+srv://)"),
                e.problems());
    }

    @Test
    void aRuleWhoseKeyWasRefusedIsNotCheckedAgainstTheDefault() {
        // min-port's default, 49152, is above max-port: reporting that would blame a value nobody wrote.
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(Optional.empty(), Map.of(),
                Map.of("min-port", List.of("abc"), "max-port", List.of("40000"))));
        assertEquals(List.of("min-port: abc (expected: an integer in [1, 65535]) [from --min-port]"), e.problems());
    }

    @Test
    void relayIpTakesAtMostOneAddressPerFamily() {
        ConfigLoader.load(Optional.empty(), Map.of(), Map.of("relay-ip", List.of("192.0.2.7", "2001:db8::7")));
        ConfigLoader.load(Optional.empty(), Map.of(), Map.of("relay-ip", List.of("2001:db8::7")));
        ConfigException two4 = assertThrows(ConfigException.class, () -> ConfigLoader.load(Optional.empty(),
                Map.of(), Map.of("relay-ip", List.of("192.0.2.7", "192.0.2.8"))));
        assertEquals(List.of("relay-ip: 192.0.2.7,192.0.2.8 (expected: at most one IPv4 and one IPv6 address, "
                + "neither a wildcard)"), two4.problems());
        ConfigException two6 = assertThrows(ConfigException.class, () -> ConfigLoader.load(Optional.empty(),
                Map.of(), Map.of("relay-ip", List.of("2001:db8::7", "192.0.2.7", "2001:db8::8"))));
        assertEquals(1, two6.problems().size(), two6::getMessage);
        assertTrue(two6.problems().get(0).startsWith("relay-ip: 2001:db8:0:0:0:0:0:7,"), two6::getMessage);
        ConfigException wildcard = assertThrows(ConfigException.class, () -> ConfigLoader.load(Optional.empty(),
                Map.of(), Map.of("relay-ip", List.of("0.0.0.0"))));
        assertTrue(wildcard.problems().get(0).startsWith("relay-ip: 0.0.0.0 (expected: "), wildcard::getMessage);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/ws", "/api", "/api/x", "nopath", "/peer js"})
    void peerJsPathIsCheckedLikeServeChecksIt(String path) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(Optional.empty(), Map.of(),
                Map.of("peerjs-path", List.of(path))));
        assertEquals(List.of("peerjs-path: " + path
                + " (expected: a non-root path such as /peerjs, outside /api and /ws)"), e.problems());
        ConfigLoader.load(Optional.empty(), Map.of(),
                Map.of("peerjs-path", List.of(path), "peerjs-enabled", List.of("false")));
    }

    @Test
    void tlsFilesMustBeReadablePemFiles() throws Exception {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(Optional.empty(), Map.of(),
                Map.of("tls-cert", List.of(cert.toString()), "tls-key", List.of(dir.resolve("no.pem").toString()))));
        assertEquals(List.of("tls-key: " + dir.resolve("no.pem") + " (expected: a readable PEM file; no such file)"),
                e.problems());
        ConfigException d = assertThrows(ConfigException.class, () -> ConfigLoader.load(Optional.empty(), Map.of(),
                Map.of("tls-cert", List.of(dir.toString()), "tls-key", List.of(cert.toString()))));
        assertEquals(List.of("tls-cert: " + dir + " (expected: a readable PEM file; a directory)"), d.problems());
        ConfigLoader.load(Optional.empty(), Map.of(),
                Map.of("tls-cert", List.of(cert.toString()), "tls-key", List.of(cert.toString())));
    }

    @Test
    void defaultRoomLimitMayNotExceedTheServerCap() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(Optional.empty(), Map.of(),
                Map.of("default-max-participants", List.of("60"))));
        assertEquals(List.of("default-max-participants: 60 (expected: <= max-participants-limit, which is 50)"),
                e.problems());
    }

    @Test
    void dataDirMustNotBeAFile() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(Optional.empty(), Map.of(),
                Map.of("data-dir", List.of(file.toString()))));
        assertEquals(List.of("data-dir: " + file + " (expected: a directory; this is a file)"), e.problems());
    }

    @Test
    void anUnreadableFileIsReportedAsUnreadable() throws Exception {
        Path file = yaml("http-port: 1\n");
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("-w-------"));
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.isReadable(file), "running as root");
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(Optional.of(file), Map.of(), Map.of()));
        assertEquals(List.of("config: " + file + " (expected: a readable YAML file; permission denied)"),
                e.problems());
    }

    @Test
    void renderShowsAnEmptyListOfSecretsAsUnset() {
        String out = Config.defaults().render();
        assertTrue(out.contains("\nstatic-auth-secret: <unset>\n"), out);
        assertTrue(out.contains("\nuser: <unset>\n"), out);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.2.3", "10.1", "127.1", "2130706433", "1.2.3.4.5"})
    void ipv4IsTakenOnlyAsFourDottedDecimals(String ip) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(Optional.empty(), Map.of(),
                Map.of("http-ip", List.of(ip))));
        assertEquals(List.of("http-ip: " + ip + " (expected: an IPv4 or IPv6 address) [from --http-ip]"),
                e.problems());
    }

    /** Found by the long fuzz run: a duration of 184467440736 days parsed, then overflowed where it was used. */
    @ParameterizedTest
    @ValueSource(strings = {"184467440736d", "9223372036854775807ms", "9223372036854775807", "PT2562047788015215H",
            "99999999999999999999d", "9223372036854775807GiB"})
    void absurdValuesOfEveryKeyAreRefusedOrAcceptedNeverACrash(String absurd) {
        for (ConfigKey<?> key : ConfigKeys.all()) {
            try {
                assertTrue(ConfigLoader.loadYamlWithoutFiles("", Map.of(key.name(), List.of(absurd))) != null);
            } catch (ConfigException refused) {
                assertTrue(refused.getMessage().contains(key.name()), refused.getMessage());
            } catch (RuntimeException crash) {
                throw new AssertionError(key.name() + ": " + absurd + " crashed the loader", crash);
            }
        }
    }
}
