package io.kezdesu.signaling.room;

import java.util.Locale;

/** A participant's role in a room: the head (creator, or whom they handed over to), moderators, everyone else. */
public enum Role {
    HEAD, MODERATOR, PARTICIPANT;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean canModerate() {
        return this != PARTICIPANT;
    }
}
