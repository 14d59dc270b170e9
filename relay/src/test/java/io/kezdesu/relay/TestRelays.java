package io.kezdesu.relay;

import io.kezdesu.relay.config.RelayConfig;
import io.kezdesu.common.config.Config;
import io.kezdesu.common.config.ConfigKeys;
import io.kezdesu.common.data.Secrets;
import io.kezdesu.common.turn.TurnCredential;
import io.kezdesu.common.turn.TurnRestCredentials;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** Starts relays on 127.0.0.1 with ephemeral ports and mints REST credentials for them. */
final class TestRelays {

    static final String REALM = "kezdesu.test"; // 12 characters: the 401 size bound is stated for this length
    static final String TURN_SECRET = "turn-secret-for-tests-0123456789";
    static final Secrets SECRETS = new Secrets("j".repeat(32), List.of(TURN_SECRET), "nonce-secret-for-tests-012345",
            "admin-token-0123456789");

    private TestRelays() {
    }

    static Config config(UnaryOperator<Config> tweak) {
        Config c = Config.defaults()
                .with(ConfigKeys.LISTENING_IP, List.of(InetAddress.getLoopbackAddress()))
                .with(ConfigKeys.LISTENING_PORT, 0)
                .with(ConfigKeys.TLS_LISTENING_PORT, 0)
                .with(ConfigKeys.REALM, REALM)
                .with(ConfigKeys.ALLOW_LOOPBACK_PEERS, true);
        return tweak.apply(c);
    }

    static RelayServer start(UnaryOperator<Config> tweak) {
        return RelayServer.start(relayConfig(tweak));
    }

    static RelayConfig relayConfig(UnaryOperator<Config> tweak) {
        return RelayConfig.from(config(tweak), SECRETS, Optional.empty(), Optional.empty());
    }

    static RelayServer start() {
        return start(c -> c);
    }

    static TurnCredential credential(String user, String room) {
        return new TurnRestCredentials(List.of(TURN_SECRET), Duration.ofHours(1), Clock.systemUTC())
                .mint(user, Optional.ofNullable(room));
    }
}
