package dev.kiln.store;

/** The store could not keep or give back bytes: disk full, permissions, corruption, a lock. */
public class StoreException extends KilnException {
    private static final long serialVersionUID = 1L;

    /** The store's failures that a program (or an exception tracker) may want apart. */
    public enum Kind implements ErrorCode {
        /** Any other: a file of the store that cannot be read, written, listed or removed. */
        OTHER("store"),
        /** The store's directory (or its lock file) cannot be made or opened where it is asked for. */
        CANNOT_CREATE("store.cannot-create"),
        /** The filesystem holding the store has no space left (or the user's quota is used up). */
        DISK_FULL("store.disk-full"),
        /** Bytes in the store are not the bytes their name says: changed or damaged since written. */
        DAMAGED("store.damaged"),
        /** The store has no blob of that digest. */
        MISSING("store.missing"),
        /** Bytes given to the store are not the size or digest the caller said they would be. */
        MISMATCH("store.mismatch"),
        /** Another process holds the store's lock (gc or repair, or users while gc waits) past the time allowed. */
        LOCKED("store.locked");

        private final String code;

        Kind(String code) {
            this.code = code;
        }

        @Override
        public String code() {
            return code;
        }
    }

    public StoreException(String message) {
        super(Kind.OTHER, message, null);
    }

    public StoreException(String message, Throwable cause) {
        super(Kind.OTHER, message, cause);
    }

    public StoreException(ErrorCode code, String message) {
        super(code, message, null);
    }

    public StoreException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
