package io.kezdesu.signaling.room;

import io.kezdesu.common.config.ConfigKeys.DuplicateJoin;
import io.kezdesu.signaling.ice.IceServers;
import io.kezdesu.signaling.metrics.SignalingMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What every live room shares: services and the signaling settings. {@code replayWindow}: how long a delivered message
 * is kept for replay while its socket is up (a dead socket is noticed within the heartbeat timeout); {@code leases}:
 * which node serves which room.
 */
record RoomContext(Clock clock, ScheduledExecutorService timers, RoomRepository rooms, ConferenceEvents conferences,
                   IceServers ice, SignalingMetrics metrics, Duration resumeGrace, int resumeQueue,
                   DuplicateJoin duplicateJoin, Duration replayWindow, RoomLeases leases, Duration maxExtension) {
}
