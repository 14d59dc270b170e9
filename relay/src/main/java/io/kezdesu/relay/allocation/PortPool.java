package io.kezdesu.relay.allocation;

import java.util.BitSet;
import java.util.OptionalInt;

/**
 * Relay ports {@code min-port..max-port}. Hands out a free port starting from a random point (RFC 8656 §7.2
 * recommends unpredictable ports); {@code even} restricts to even ports for EVEN-PORT. Thread-safe.
 */
final class PortPool {

    private final int min;
    private final int max;
    private final BitSet used;

    PortPool(int min, int max) {
        this.min = min;
        this.max = max;
        this.used = new BitSet(max - min + 1);
    }

    synchronized OptionalInt take(boolean even) {
        int size = max - min + 1;
        int start = Unpredictable.nextInt(size);
        for (int i = 0; i < size; i++) {
            int index = (start + i) % size;
            if (!used.get(index) && (!even || ((min + index) & 1) == 0)) {
                used.set(index);
                return OptionalInt.of(min + index);
            }
        }
        return OptionalInt.empty();
    }

    /** An even port whose odd successor is free too; both are taken (EVEN-PORT with R, RFC 8656 §14.6). */
    synchronized OptionalInt takePair() {
        int size = max - min + 1;
        int start = Unpredictable.nextInt(size);
        for (int i = 0; i < size; i++) {
            int index = (start + i) % size;
            int port = min + index;
            if ((port & 1) == 0 && port + 1 <= max && !used.get(index) && !used.get(index + 1)) {
                used.set(index);
                used.set(index + 1);
                return OptionalInt.of(port);
            }
        }
        return OptionalInt.empty();
    }

    synchronized void release(int port) {
        used.clear(port - min);
    }
}
