package dev.kiln.assembler.tree;

import dev.kiln.store.StoreException;
import java.nio.file.Path;

/**
 * File bytes read from the store are not the bytes their sha256 names: the store file they lie in
 * was changed or damaged after an earlier run wrote it. The file is named so that the caller can
 * remove it and make it again.
 */
public final class DamagedContentException extends StoreException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public DamagedContentException(String message, Path file) {
        super(Kind.DAMAGED, message);
        this.file = file;
    }

    /** The store file that holds the damaged bytes. */
    public Path file() {
        return file;
    }
}
