package io.kezdesu.cli;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT start an orderly shutdown instead of the JVM's default (shutdown hooks, exit status 143), so
 * that the daemon can drain and exit 0 as service managers expect.
 */
final class Signals {

    private Signals() {
    }

    /** SIGHUP (systemd's {@code ExecReload}, {@code kill -HUP}): read the TLS certificate again. */
    static void onReload(Runnable action) {
        Signal.handle(new Signal("HUP"), s -> action.run());
    }

    static void onTermination(Runnable action) {
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), s -> action.run());
        }
    }
}
