package io.kezdesu.relay;

import io.kezdesu.relay.config.RelayConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kezdesu.common.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Pins the relay defaults as the CLI will see them. */
class RelayConfigTest {

    @Test
    void defaults() {
        RelayConfig c = RelayConfig.from(Config.defaults(), TestRelays.SECRETS, Optional.empty(), Optional.empty());
        assertEquals(3478, c.listeningPort());
        assertEquals(5349, c.tlsListeningPort());
        assertEquals(List.of(), c.listeningIps());
        assertEquals(49152, c.minPort());
        assertEquals(65535, c.maxPort());
        assertEquals("kezdesu", c.realm());
        assertEquals(Duration.ofSeconds(600), c.defaultAllocationLifetime());
        assertEquals(Duration.ofSeconds(3600), c.maxAllocationLifetime());
        assertEquals(Duration.ofSeconds(300), c.permissionLifetime());
        assertEquals(Duration.ofSeconds(600), c.channelLifetime());
        assertEquals(Duration.ofSeconds(600), c.nonceLifetime());
        assertEquals(10, c.userQuota());
        assertEquals(100, c.roomQuota());
        assertEquals(5000, c.totalQuota());
        assertEquals(64, c.permissionQuota());
        assertEquals(0, c.maxBps());
        assertEquals(0, c.relayThreads());
        assertEquals(Runtime.getRuntime().availableProcessors(), c.eventLoops());
        assertFalse(c.allowLoopbackPeers());
        assertFalse(c.denyPrivatePeers());
        assertFalse(c.tlsEnabled());
        assertEquals(TestRelays.SECRETS.turnSecrets(), c.authSecrets());
    }

    @Test
    void validation() {
        RelayConfig ok = RelayConfig.from(Config.defaults(), TestRelays.SECRETS, Optional.empty(), Optional.empty());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RelayConfig(
                ok.listeningIps(), ok.listeningPort(), ok.tlsListeningPort(), Optional.of(Path.of("c.pem")),
                Optional.empty(), ok.relayIps(), ok.externalIps(), ok.minPort(), ok.maxPort(), ok.realm(),
                ok.authSecrets(), ok.nonceSecret(), ok.users(), ok.deniedPeers(), ok.allowedPeers(),
                ok.allowLoopbackPeers(), ok.denyPrivatePeers(), ok.defaultAllocationLifetime(),
                ok.maxAllocationLifetime(), ok.permissionLifetime(), ok.channelLifetime(), ok.nonceLifetime(),
                ok.userQuota(), ok.roomQuota(), ok.totalQuota(), ok.addressQuota(), ok.connectionsPerIp(), ok.maxConnections(), ok.maxAllocateTimeout(), ok.unauthorizedPerSecond(),
                ok.unauthorizedBurst(), ok.bindingPerSecond(), ok.bindingBurst(), ok.permissionQuota(), ok.maxBps(), ok.maxChannelNumber(),
                ok.relayThreads(), ok.altListeningPort()));
        assertTrue(e.getMessage().startsWith("tlsCert: "), e.getMessage());
        assertTrue(e.getMessage().contains("(expected: "), e.getMessage());
        assertFalse(ok.toString().contains(ok.nonceSecret()));
    }

    @Test
    void relayIpsAreOnePerFamily() throws Exception {
        java.net.InetAddress a = java.net.InetAddress.getByName("192.0.2.1");
        java.net.InetAddress b = java.net.InetAddress.getByName("192.0.2.2");
        java.net.InetAddress v6 = java.net.InetAddress.getByName("2001:db8::1");
        assertEquals(List.of(a, v6), TestRelays.relayConfig(
                c -> c.with(io.kezdesu.common.config.ConfigKeys.RELAY_IP, List.of(a, v6))).relayIps());
        // The configuration refuses it (so does config check), and so does the record for callers that build it.
        RuntimeException fromConfig = assertThrows(io.kezdesu.common.config.ConfigException.class, () ->
                TestRelays.relayConfig(c -> c.with(io.kezdesu.common.config.ConfigKeys.RELAY_IP, List.of(a, v6, b))));
        assertTrue(fromConfig.getMessage().contains("relay-ip: "), fromConfig.getMessage());
        RelayConfig ok = TestRelays.relayConfig(c -> c);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RelayConfig(
                ok.listeningIps(), ok.listeningPort(), ok.tlsListeningPort(), ok.tlsCert(), ok.tlsKey(),
                List.of(a, v6, b), ok.externalIps(), ok.minPort(), ok.maxPort(), ok.realm(),
                ok.authSecrets(), ok.nonceSecret(), ok.users(), ok.deniedPeers(), ok.allowedPeers(),
                ok.allowLoopbackPeers(), ok.denyPrivatePeers(), ok.defaultAllocationLifetime(),
                ok.maxAllocationLifetime(), ok.permissionLifetime(), ok.channelLifetime(), ok.nonceLifetime(),
                ok.userQuota(), ok.roomQuota(), ok.totalQuota(), ok.addressQuota(), ok.connectionsPerIp(),
                ok.maxConnections(), ok.maxAllocateTimeout(), ok.unauthorizedPerSecond(), ok.unauthorizedBurst(),
                ok.bindingPerSecond(), ok.bindingBurst(), ok.permissionQuota(), ok.maxBps(), ok.maxChannelNumber(),
                ok.relayThreads(), ok.altListeningPort()));
        assertTrue(e.getMessage().startsWith("relay-ip: 192.0.2.1,2001:db8:0:0:0:0:0:1,192.0.2.2 (expected: "),
                e.getMessage());
        // IPv4 first, whatever the order they were listed in: IPv4 is the default family (RFC 8656 §7.2).
        assertEquals(List.of(a, v6), RelayServer.relayIps(TestRelays.relayConfig(
                c -> c.with(io.kezdesu.common.config.ConfigKeys.RELAY_IP, List.of(v6, a)))));
    }

    @Test
    void legacyChannelNumbersKeyWidensTheRange() {
        org.junit.jupiter.api.Assertions.assertEquals(0x4FFF, TestRelays.relayConfig(c -> c).maxChannelNumber());
        org.junit.jupiter.api.Assertions.assertEquals(0x7FFF, TestRelays.relayConfig(
                c -> c.with(io.kezdesu.common.config.ConfigKeys.LEGACY_CHANNEL_NUMBERS, true)).maxChannelNumber());
    }
}
