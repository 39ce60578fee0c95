package dev.kiln.oci.registry;

import dev.kiln.oci.OciException;

/**
 * A registry could not be reached, refused us, or sent what we cannot trust. The message names the
 * registry and repository and says what to do; credentials never appear in it.
 */
public class RegistryException extends OciException {
    private static final long serialVersionUID = 1L;

    public RegistryException(String message) {
        super(message);
    }

    public RegistryException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A failure that trying again may cure: no connection, a timeout, HTTP 5xx, 429 or 408. */
    static final class Transient extends RegistryException {
        private static final long serialVersionUID = 1L;
        private final String reason;

        /** {@code reason} is the short cause ("HTTP 503", "no answer for 30 s") a waiting line gives. */
        Transient(String message, String reason, Throwable cause) {
            super(message, cause);
            this.reason = reason;
        }

        String reason() {
            return reason;
        }
    }
}
