package dev.kiln.api.verify;

/**
 * An image does not hold the local sources its lock pins: a file copied into it has other bytes
 * than the lock's listing says, or is missing. The image cannot be what its inputs build, so a
 * {@code verify} fails (exit 1) without rebuilding.
 */
public final class SourceMismatchException extends CheckFailedException {
    private static final long serialVersionUID = 1L;

    public SourceMismatchException(String message) {
        super(message);
    }
}
