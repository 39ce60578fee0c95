package dev.kiln.cache;

import dev.kiln.store.ErrorCode;
import dev.kiln.store.KilnException;

/**
 * A shared cache is set up wrongly (its reference is not a registry repository), or a push that
 * was the whole command failed. During a build, a cache that is down, slow or lying is never an
 * exception: it is a miss.
 */
public class CacheException extends KilnException {
    private static final long serialVersionUID = 1L;

    /** The failures a program (or an exception tracker) may want apart. */
    public enum Kind implements ErrorCode {
        /** Any other. */
        OTHER("cache"),
        /** The cache's reference is not {@code HOST[:PORT]/REPO}. */
        REFERENCE("cache.reference"),
        /** Publishing a store's contents was asked for, and the cache refused or could not be reached. */
        PUSH_FAILED("cache.push-failed");

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
