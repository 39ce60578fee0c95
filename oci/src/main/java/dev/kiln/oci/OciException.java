package dev.kiln.oci;

import dev.kiln.store.KilnException;

/**
 * An image layout, an archive or a registry's answer is not what OCI says it must be, or cannot be
 * written or read: a missing or malformed blob, a digest that does not match, a target that cannot
 * take a layout.
 */
public class OciException extends KilnException {
    private static final long serialVersionUID = 1L;

    public OciException(String message) {
        super(message);
    }

    public OciException(String message, Throwable cause) {
        super(message, cause);
    }
}
