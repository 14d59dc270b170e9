package io.kezdesu.signaling.room;

import io.kezdesu.common.config.ConfigKeys.DuplicateJoin;
import io.kezdesu.signaling.ice.IceServers;
import io.kezdesu.signaling.metrics.SignalingMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;

/** What every live room shares: services and the signaling settings. */
record RoomContext(Clock clock, ScheduledExecutorService timers, RoomRepository rooms, ConferenceEvents conferences,
                   IceServers ice, SignalingMetrics metrics, Duration resumeGrace, int resumeQueue,
                   DuplicateJoin duplicateJoin) {
}
