package dev.kiln.oci.registry;

import dev.kiln.oci.OciException;
import dev.kiln.store.ErrorCode;

/**
 * A registry could not be reached, refused us, or sent what we cannot trust. The message names the
 * registry and repository and says what to do; credentials never appear in it.
 */
public class RegistryException extends OciException {
    private static final long serialVersionUID = 1L;

    /** The failures with registries that a program (or an exception tracker) may want apart. */
    public enum Kind implements ErrorCode {
        /** Any other: an answer kiln cannot use. */
        OTHER("registry"),
        /** The registry could not be had, even tried again: no connection, a timeout, HTTP 5xx, 429 or 408. */
        UNAVAILABLE("registry.unavailable"),
        /** The registry (or its token service) wants credentials, or refused the ones given (HTTP 401). */
        UNAUTHORIZED("registry.unauthorized"),
        /** The registry denied the access asked for with the credentials given (HTTP 403). */
        DENIED("registry.denied"),
        /** The registry has no such manifest or blob (HTTP 404): a wrong name, tag or digest. */
        NOT_FOUND("registry.not-found"),
        /** The registry sent (or stored) other bytes than the digest or size asked for. */
        WRONG_BYTES("registry.wrong-bytes"),
        /** The registry (or its token service) speaks plain HTTP, which kiln refuses unless allowed. */
        PLAIN_HTTP("registry.plain-http"),
        /** An image reference is not one: no registry, a malformed name, tag or digest. */
        INVALID_REFERENCE("registry.invalid-reference"),
        /** The registry auth file (docker's config.json) cannot be read or holds a malformed entry. */
        CREDENTIALS("registry.credentials");

        private final String code;

        Kind(String code) {
            this.code = code;
        }

        @Override
        public String code() {
            return code;
        }
    }

    public RegistryException(String message) {
        super(Kind.OTHER, message, null);
    }

    public RegistryException(String message, Throwable cause) {
        super(Kind.OTHER, message, cause);
    }

    public RegistryException(ErrorCode code, String message) {
        super(code, message, null);
    }

    public RegistryException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }

    /** A failure that trying again may cure: no connection, a timeout, HTTP 5xx, 429 or 408. */
    static final class Transient extends RegistryException {
        private static final long serialVersionUID = 1L;
        private final String reason;

        /** {@code reason} is the short cause ("HTTP 503", "no answer for 30 s") a waiting line gives. */
        Transient(String message, String reason, Throwable cause) {
            super(Kind.UNAVAILABLE, message, cause);
            this.reason = reason;
        }

        String reason() {
            return reason;
        }
    }
}
