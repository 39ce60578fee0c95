package dev.kiln.api.verify;

import dev.kiln.assembler.AssembleException;

/**
 * An image failed a check of {@code verify}: it is not what its pinned inputs build (its blobs are
 * not the bytes their digests name, it holds other local sources or packages than its lock pins).
 * Unlike an error, which says kiln could not check, this is the check's answer: {@code kiln verify}
 * exits 1.
 */
public class CheckFailedException extends AssembleException {
    private static final long serialVersionUID = 1L;

    public CheckFailedException(String message) {
        super(message);
    }

    public CheckFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
