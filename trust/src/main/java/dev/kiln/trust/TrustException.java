package dev.kiln.trust;

import dev.kiln.store.ErrorCode;
import dev.kiln.store.KilnException;

/**
 * A key, a signature, an attestation or a document to attach is not what it must be: an unreadable
 * or wrongly protected key file, a statement about another image, a signature that does not verify.
 */
public class TrustException extends KilnException {
    private static final long serialVersionUID = 1L;

    /** The failures with keys and signed documents that a program (or an exception tracker) may want apart. */
    public enum Kind implements ErrorCode {
        /** Any other. */
        OTHER("trust"),
        /** A key file cannot be used: unreadable, not PEM, another algorithm, a private key where a public one belongs. */
        KEY("trust.key"),
        /** A private key is encrypted and no password (or the wrong one) was given. */
        KEY_PASSWORD("trust.key-password"),
        /** A statement or SBOM to attach describes another image than the one signed. */
        OTHER_IMAGE("trust.other-image");

        private final String code;

        Kind(String code) {
            this.code = code;
        }

        @Override
        public String code() {
            return code;
        }
    }

    public TrustException(String message) {
        super(Kind.OTHER, message, null);
    }

    public TrustException(String message, Throwable cause) {
        super(Kind.OTHER, message, cause);
    }

    public TrustException(ErrorCode code, String message) {
        super(code, message, null);
    }

    public TrustException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
