package io.kezdesu.relay;

import io.kezdesu.relay.config.RelayConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kezdesu.common.config.ConfigKeys;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RelayServerStartTest {

    @Test
    void busyPortFailsStartWithTheAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> TestRelays.start(c -> c
                    .with(ConfigKeys.LISTENING_PORT, taken.getLocalPort())));
            assertTrue(e.getMessage().contains(String.valueOf(taken.getLocalPort())), e.getMessage());
        }
    }

    @Test
    void unreadablePemFailsBeforeBinding(@TempDir Path dir) throws Exception {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "not a certificate");
        Path key = Files.writeString(dir.resolve("key.pem"), "not a key");
        RelayConfig config = RelayConfig.from(TestRelays.config(c -> c), TestRelays.SECRETS, Optional.of(cert),
                Optional.of(key));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RelayServer.start(config));
        assertTrue(e.getMessage().startsWith("tls-cert/tls-key: "), e.getMessage());
    }

    @Test
    void portZeroGivesUdpAndTcpTheSamePort() {
        try (RelayServer server = TestRelays.start()) {
            InetSocketAddress udp = server.udpAddresses().get(0);
            assertEquals(udp, server.tcpAddresses().get(0));
            assertEquals(InetAddress.getLoopbackAddress(), udp.getAddress());
            assertEquals(0, server.tlsAddresses().size(), "no TLS without a certificate");
        }
    }
}
