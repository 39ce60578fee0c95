package dev.kiln.api;

/**
 * An image does not hold the copies its lock pins (local files the spec copies in): a file copied
 * into it has other bytes than the lock's listing says, or is missing. The image cannot be what its
 * inputs build, so {@link Kiln#verify} fails without rebuilding. Its {@link #code()} is {@code verify.copies}.
 */
public final class CopyMismatchException extends CheckFailedException {
    private static final long serialVersionUID = 1L;

    public CopyMismatchException(String message) {
        super(Kind.COPIES, message, null);
    }
}
