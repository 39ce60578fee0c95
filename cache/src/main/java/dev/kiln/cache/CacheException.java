package dev.kiln.cache;

import dev.kiln.store.ErrorCode;
import dev.kiln.store.KilnException;

/**
 * A shared cache is set up wrongly: its reference names a tag or digest, or it is told to push
 * without a key. A cache that is down, slow or lying is never an exception: it is a miss.
 */
public class CacheException extends KilnException {
    private static final long serialVersionUID = 1L;

    /** The failures a program (or an exception tracker) may want apart. */
    public enum Kind implements ErrorCode {
        /** Any other. */
        OTHER("cache"),
        /** The cache's reference is not {@code HOST[:PORT]/REPO}. */
        REFERENCE("cache.reference"),
        /** Pushing was asked for without a key to sign the entries with. */
        NO_PUSH_KEY("cache.no-push-key");

        private final String code;

        Kind(String code) {
            this.code = code;
        }

        @Override
        public String code() {
            return code;
        }
    }

    public CacheException(ErrorCode code, String message) {
        super(code, message, null);
    }
}
