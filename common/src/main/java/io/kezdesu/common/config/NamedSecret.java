package io.kezdesu.common.config;

/** A {@code name:secret} pair, e.g. a static TURN user. {@link #toString()} never shows the secret. */
public record NamedSecret(String name, String secret) {

    @Override
    public String toString() {
        return name + ":<redacted>";
    }
}
