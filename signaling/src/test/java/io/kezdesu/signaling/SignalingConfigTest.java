package io.kezdesu.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kezdesu.common.config.Config;
import io.kezdesu.common.config.ConfigKeys;
import io.kezdesu.common.config.ConfigLoader;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Keys an older configuration file may still set: accepted, and the operator told they are ignored. */
class SignalingConfigTest {

    @Test
    void aRetiredKeyStillLoadsAndIsReportedAsIgnoredOnlyWhenSet() {
        assertEquals(List.of(), SignalingConfig.retired(Config.defaults()));
        Config old = ConfigLoader.load(Optional.empty(), Map.of(), Map.of("conference-heartbeat", List.of("1s")));
        assertEquals(Duration.ofSeconds(1), old.get(ConfigKeys.CONFERENCE_HEARTBEAT));
        List<String> warnings = SignalingConfig.retired(old);
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).startsWith("conference-heartbeat is no longer used and is ignored"),
                warnings.get(0));
    }
}
