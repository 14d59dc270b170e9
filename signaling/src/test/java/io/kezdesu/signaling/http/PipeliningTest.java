package io.kezdesu.signaling.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kezdesu.common.testing.StallingWriter;
import io.kezdesu.signaling.SignalingFixture;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pipelined requests on one connection, through the real server on loopback: answers keep the requests' order, and a
 * client that sends and never reads is held back by its own socket buffers rather than queued in the server's heap.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PipeliningTest {

    private SignalingFixture f;

    @BeforeAll
    void start(@TempDir Path dir) {
        f = SignalingFixture.start(dir, Map.of());
    }

    @AfterAll
    void stop() {
        f.close();
    }

    @Test
    void answersKeepTheOrderOfPipelinedRequests() throws IOException {
        // A login (answered after a password hash on another thread) then a 404 known at once, in one TCP segment:
        // the 404 must not overtake the login's answer.
        String login = "{\"email\":\"nobody@example.org\",\"password\":\"correct horse\"}";
        String requests = "POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                + login.length() + "\r\n\r\n" + login
                + "DELETE /api/nothing-here HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        try (Socket s = new Socket("127.0.0.1", f.server.address().getPort())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(requests.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String answers = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            List<String> statuses = new ArrayList<>();
            Matcher m = Pattern.compile("HTTP/1\\.1 (\\d{3})").matcher(answers);
            while (m.find()) {
                statuses.add(m.group(1));
            }
            assertEquals(List.of("401", "404", "200"), statuses, answers);
        }
    }

    @Test
    void aClientThatNeverReadsItsNotFoundAnswersStopsBeingRead() {
        // A 404 for a method other than GET (a GET goes to the web client's files) is answered at once; it must
        // pause reading like every other answer. Each request is 1 KiB, so that fewer than the codec's 128
        // unanswered requests fit in one read (a bigger batch makes Netty close the connection, which would hide the
        // bug), and its 404 names the 1 KiB path, so the answers fill the kernel's buffers as fast as the requests
        // arrive. Then reading must stop. Without the pause the server reads all 64 MiB, queuing as much in answers.
        String path = "/api/" + "x".repeat(1000);
        byte[] request = ("DELETE " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        StallingWriter.Result r = StallingWriter.writeUntilStalled("127.0.0.1", f.server.address().getPort(),
                request, 64L << 20);
        assertTrue(r.stopped(), "the server kept reading: " + r);
        assertTrue(r.accepted() < 48L << 20, "accepted " + r);
    }
}
