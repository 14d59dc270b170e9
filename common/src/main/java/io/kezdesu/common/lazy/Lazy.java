package io.kezdesu.common.lazy;

import java.util.function.Supplier;

/**
 * A value made on first use, once, by {@code make}: for what is dear to build at start (a TLS context reads the JVM's
 * trust store) and that a given deployment may never use. Thread-safe; a {@code make} that throws makes nothing, and
 * the next use tries again.
 */
public final class Lazy<T> implements Supplier<T> {

    private final Supplier<T> make;
    private volatile T value;

    public Lazy(Supplier<T> make) {
        this.make = make;
    }

    @Override
    public T get() {
        T v = value;
        if (v == null) {
            synchronized (this) {
                v = value;
                if (v == null) {
                    v = make.get();
                    value = v;
                }
            }
        }
        return v;
    }
}
