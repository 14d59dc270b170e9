package io.kezdesu.common.store;

/** The store could not be opened or reached. */
public final class StoreException extends RuntimeException {

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
