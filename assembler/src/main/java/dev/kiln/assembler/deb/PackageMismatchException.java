package dev.kiln.assembler.deb;

import dev.kiln.assembler.AssembleException;
import dev.kiln.store.Digest;

/**
 * A .deb is another package than the lock entry that pins it says (its control data names another
 * package, version or architecture): the lock was edited, or names another package's file.
 */
public final class PackageMismatchException extends AssembleException {
    private static final long serialVersionUID = 1L;

    public PackageMismatchException(String message) {
        super(Kind.PACKAGE_MISMATCH, message);
    }

    /**
     * The lock pins {@code name version (architecture)} as {@code sha256}, but that .deb's control
     * data says {@code found} ({@code NAME VERSION (ARCH)}).
     */
    public static PackageMismatchException againstLock(String name, String version, String architecture, Digest sha256,
            String found) {
        return new PackageMismatchException("the lock pins " + name + " " + version + " (" + architecture + ") as " + sha256
                + ", but that .deb is " + found + ": the lock's entry was edited, or names another package's file"
                + "\n  fix: resolve the spec again ('kiln lock') to pin its packages from the signed repositories");
    }
}
