package dev.kiln.assembler;

import dev.kiln.store.KilnException;

/** A package or tree could not be turned into an image: malformed or hostile archives, conflicting trees. */
public class AssembleException extends KilnException {
    private static final long serialVersionUID = 1L;

    public AssembleException(String message) {
        super(message);
    }

    public AssembleException(String message, Throwable cause) {
        super(message, cause);
    }
}
