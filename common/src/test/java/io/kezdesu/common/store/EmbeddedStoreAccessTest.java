package io.kezdesu.common.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kezdesu.common.config.Config;
import io.kezdesu.common.config.ConfigKeys;
import io.kezdesu.common.data.DataDirectory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/**
 * The embedded store serves this process's user only: another local user's process that connects to its port gets
 * no answer. The other user is a real one (nobody, through setpriv), so the test needs root; without it, it is
 * skipped and says why.
 */
class EmbeddedStoreAccessTest {

    /** A MongoDB OP_MSG {hello: 1, $db: "admin"}, then what came back: "answered", "closed" or "timeout". */
    private static final String CLIENT = """
            import socket, struct, sys
            def cstr(s): return s.encode() + b"\\0"
            body = b"\\x10" + cstr("hello") + struct.pack("<i", 1) + b"\\x02" + cstr("$db") \\
                + struct.pack("<i", 6) + cstr("admin") + b"\\0"
            doc = struct.pack("<i", 4 + len(body)) + body
            msg = struct.pack("<i", 0) + b"\\0" + doc
            packet = struct.pack("<iiii", 16 + len(msg), 1, 0, 2013) + msg
            s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
            s.sendall(packet)
            try:
                data = s.recv(4)
                print("answered" if data else "closed")
            except socket.timeout:
                print("timeout")
            except ConnectionResetError:
                print("closed")
            """;

    @TempDir
    Path tmp;

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "client did not finish");
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    }

    @Test
    void anotherLocalUsersProcessGetsNoAnswerItsOwnDoes() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")),
                "needs root to run a client as another user (setpriv); run as root to include this test");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")) && Files.isExecutable(Path.of("/usr/bin/python3")),
                "needs setpriv (util-linux) and python3 to run a client as another user");
        Path script = tmp.resolve("client.py");
        Files.writeString(script, CLIENT);
        script.toFile().setReadable(true, false);
        tmp.toFile().setExecutable(true, false);
        try (Store store = Store.open(Config.defaults().with(ConfigKeys.DATA_DIR, tmp.resolve("data")),
                DataDirectory.open(tmp.resolve("data")))) {
            // The daemon's own driver works as ever.
            Mono.from(store.database().getCollection("c").insertOne(new Document("_id", 1)))
                    .block(Duration.ofSeconds(10));
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("127\\.0\\.0\\.1:(\\d+)")
                    .matcher(store.description());
            assertTrue(m.find(), store.description());
            String port = m.group(1);
            assertEquals("answered", run("/usr/bin/python3", script.toString(), port), "this user's client");
            assertEquals("closed", run("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3",
                    script.toString(), port), "another user's client");
        }
    }
}
