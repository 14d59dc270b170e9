package io.kezdesu.signaling.room;

/** A join or resume for a room that another node serves: the socket's node forwards it there. */
public final class RoomElsewhereException extends RuntimeException {

    private final String roomId;
    private final RoomLeases.Owner owner;

    public RoomElsewhereException(String roomId, RoomLeases.Owner owner) {
        super("room " + roomId + " is served by node " + owner.node(), null, false, false);
        this.roomId = roomId;
        this.owner = owner;
    }

    public String roomId() {
        return roomId;
    }

    public RoomLeases.Owner owner() {
        return owner;
    }
}
