package dev.kiln.resolver.debian;

import dev.kiln.resolver.ResolveException;

/** Repository metadata (Release, Packages, a relation field) is not in the form Debian defines. */
public class DebianFormatException extends ResolveException {
    private static final long serialVersionUID = 1L;

    public DebianFormatException(String message) {
        super(Kind.DEBIAN_FORMAT, message);
    }
}
