package io.kezdesu.signaling.peerjs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kezdesu.signaling.SignalingFixture;
import io.kezdesu.signaling.WsClient;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With {@code peerjs-require-auth}, a PeerJS socket ends when the login it was opened with stops holding. */
class PeerJsRevocationTest {

    private static final int NO_STATUS = 1005;

    @Test
    void disablingTheAccountEndsItsPeerJsSocketAndNoOneElses(@TempDir Path dir) {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of("peerjs-require-auth", "true"));
             PeerJsPeers p = new PeerJsPeers(f)) {
            SignalingFixture.TestUser ann = f.user("Ann");
            SignalingFixture.TestUser ben = f.user("Ben");
            WsClient a = p.open("ann", ann.token());
            WsClient b = p.open("ben", ben.token());

            assertEquals(200, f.call("POST", "/admin/users/" + ann.id() + "/disable", null,
                    f.secrets.adminToken()).status());

            assertEquals("Account disabled", a.expect("ERROR").path("payload").path("msg").asText());
            assertEquals(NO_STATUS, a.closeCode());
            PeerJsPeers.barrier(b, "ben");
        }
    }

    @Test
    void aPasswordResetEndsTheSocketsOfOlderTokens(@TempDir Path dir) {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of("peerjs-require-auth", "true"));
             PeerJsPeers p = new PeerJsPeers(f)) {
            SignalingFixture.TestUser ann = f.user("Ann");
            WsClient a = p.open("ann", ann.token());

            assertEquals(200, f.call("POST", "/admin/users/" + ann.id() + "/reset-password", null,
                    f.secrets.adminToken()).status());

            assertEquals("Token revoked by a password change",
                    a.expect("ERROR").path("payload").path("msg").asText());
            assertEquals(NO_STATUS, a.closeCode());
        }
    }
}
