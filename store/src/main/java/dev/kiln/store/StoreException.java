package dev.kiln.store;

/** The store could not keep or give back bytes: disk full, permissions, corruption, a lock. */
public class StoreException extends KilnException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
