package dev.kiln.assembler.deb;

import dev.kiln.assembler.AssembleException;

/**
 * A .deb is another package than the lock entry that pins it says (its control data names another
 * package, version or architecture): the lock was edited, or names another package's file.
 */
public final class PackageMismatchException extends AssembleException {
    private static final long serialVersionUID = 1L;

    public PackageMismatchException(String message) {
        super(Kind.PACKAGE_MISMATCH, message);
    }
}
