package io.kezdesu.signaling.peerjs;

/**
 * Where PeerJS ids are connected across the nodes of a cluster, and the way to a node that holds one. {@link #NONE}
 * on a node on its own: every id is here or nowhere.
 */
public interface PeerDirectory {

    /** A node on its own. */
    PeerDirectory NONE = new PeerDirectory() {
        @Override
        public String online(String id) {
            return "";
        }

        @Override
        public void offline(String id, String registration) {
        }

        @Override
        public void route(String dst, byte[] message, Runnable notElsewhere) {
            notElsewhere.run();
        }
    };

    /** {@code id} connected here; returns this registration's handle, for {@link #offline}. */
    String online(String id);

    /** That registration of {@code id} ended (a later one of the same id, here or elsewhere, stays). */
    void offline(String id, String registration);

    /**
     * Passes {@code message} (ready for the client) to the node where {@code dst} is connected, in order with the
     * earlier messages to it; runs {@code notElsewhere} (on any thread) when no other node holds {@code dst}.
     */
    void route(String dst, byte[] message, Runnable notElsewhere);
}
