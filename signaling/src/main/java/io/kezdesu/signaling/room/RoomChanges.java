package io.kezdesu.signaling.room;

/**
 * Told of each change the store has taken for a room: {@code room.created}, {@code room.updated} (settings, lock,
 * head, moderators) and {@code room.closed}, with the room as stored afterwards. Must not block.
 */
@FunctionalInterface
public interface RoomChanges {

    void changed(String event, Room room);

    RoomChanges NONE = (event, room) -> { };
}
