package io.kezdesu.signaling.session;

import io.kezdesu.signaling.account.User;
import io.kezdesu.signaling.room.RoomLeases;

/**
 * Carries a socket's room to the node that serves the room: a link to that node, opened for one membership, over
 * which the client's messages go as they are and the owner's come back. {@link #NONE} on a node on its own.
 */
public interface Forwarder {

    /** Not forwarding (on a link another node opened: a forwarded join is never forwarded again). */
    Forwarder NONE = new Forwarder() {
        @Override
        public boolean forwards() {
            return false;
        }

        @Override
        public Link open(RoomLeases.Owner owner, User user, String first, Client client) {
            throw new IllegalStateException("not forwarding");
        }
    };

    /** Whether this forwarder forwards at all. */
    default boolean forwards() {
        return true;
    }

    /**
     * Opens a link to {@code owner} for {@code user}, sends {@code first} (the join or resume) once it is up, and
     * reports to {@code client} from then on.
     */
    Link open(RoomLeases.Owner owner, User user, String first, Client client);

    /** The forwarding node's side of a link. */
    interface Link {

        /** Passes one client message on (queued until the link is up). */
        void send(String text);

        /** Closes the link: the client left this node (its place at the owner waits for a resume, as for any drop). */
        void close();
    }

    /** What a link reports, on any thread. */
    interface Client {

        /** A message from the owner, for the client as it is. */
        void deliver(String text);

        /**
         * The link ended without this node closing it: the owner unreachable or gone, or it closed the user's socket
         * ({@code closeCode} its WebSocket close code, 0 when there was none); {@code why} says how.
         */
        void ended(int closeCode, String why);

        /**
         * The owner answered the link's handshake with a refusal (the nodes disagree on {@code jwt-secret} or
         * {@code cluster-secret}, or the user may no longer log in): trying again will not help.
         */
        void refused(String why);
    }
}
