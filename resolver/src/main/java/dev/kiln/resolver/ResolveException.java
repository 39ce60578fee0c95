package dev.kiln.resolver;

import dev.kiln.store.KilnException;

/** A spec, a repository's metadata or a dependency problem stopped resolution. */
public class ResolveException extends KilnException {
    private static final long serialVersionUID = 1L;

    public ResolveException(String message) {
        super(message);
    }

    public ResolveException(String message, Throwable cause) {
        super(message, cause);
    }
}
