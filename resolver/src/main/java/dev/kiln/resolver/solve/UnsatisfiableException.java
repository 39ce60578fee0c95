package dev.kiln.resolver.solve;

import dev.kiln.resolver.ResolveException;

/** No set of packages meets the spec; the message carries the chain of dependencies that failed. */
public class UnsatisfiableException extends ResolveException {
    private static final long serialVersionUID = 1L;

    public UnsatisfiableException(String message) {
        super(Kind.UNSATISFIABLE, message);
    }

    /** {@code kind}: {@link Kind#NO_SUCH_PACKAGE} when what is missing is a package the spec names. */
    UnsatisfiableException(Kind kind, String message) {
        super(kind, message);
    }
}
