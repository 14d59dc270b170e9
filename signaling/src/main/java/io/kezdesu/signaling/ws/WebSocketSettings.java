package io.kezdesu.signaling.ws;

import java.time.Duration;

/** Limits of the signaling socket. */
public record WebSocketSettings(int maxMessageSize, int messagesPerSecond, Duration heartbeatTimeout) {

    public WebSocketSettings {
        if (maxMessageSize < 1024 || messagesPerSecond < 1 || heartbeatTimeout.toMillis() < 300) {
            throw new IllegalArgumentException("websocket limits: " + maxMessageSize + " B, " + messagesPerSecond
                    + " msg/s, " + heartbeatTimeout + " (expected: >= 1024 B, >= 1 msg/s, >= 300 ms)");
        }
    }
}
