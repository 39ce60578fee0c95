package dev.kiln.trust;

import dev.kiln.store.KilnException;

/**
 * A key, a signature, an attestation or a document to attach is not what it must be: an unreadable
 * or wrongly protected key file, a statement about another image, a signature that does not verify.
 */
public class TrustException extends KilnException {
    private static final long serialVersionUID = 1L;

    public TrustException(String message) {
        super(message);
    }

    public TrustException(String message, Throwable cause) {
        super(message, cause);
    }
}
