package io.kezdesu.relay.probe;

/** A probe step that failed, with a message meant for the person running the probe. */
public final class ProbeException extends Exception {

    public ProbeException(String message) {
        super(message, null, false, false);
    }
}
