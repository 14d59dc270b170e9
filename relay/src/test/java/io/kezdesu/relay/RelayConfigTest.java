package io.kezdesu.relay;

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
                ok.relayThreads()));
        assertTrue(e.getMessage().startsWith("tlsCert: "), e.getMessage());
        assertTrue(e.getMessage().contains("(expected: "), e.getMessage());
        assertFalse(ok.toString().contains(ok.nonceSecret()));
    }

    @Test
    void legacyChannelNumbersKeyWidensTheRange() {
        org.junit.jupiter.api.Assertions.assertEquals(0x4FFF, TestRelays.relayConfig(c -> c).maxChannelNumber());
        org.junit.jupiter.api.Assertions.assertEquals(0x7FFF, TestRelays.relayConfig(
                c -> c.with(io.kezdesu.common.config.ConfigKeys.LEGACY_CHANNEL_NUMBERS, true)).maxChannelNumber());
    }
}
