package dev.kiln.store;

/**
 * The root of kiln's errors. Each module has its own subclass; the message is written for the
 * user: what was expected, what was found, and what to do. The CLI prints it and exits non-zero.
 */
public class KilnException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public KilnException(String message) {
        super(message);
    }

    public KilnException(String message, Throwable cause) {
        super(message, cause);
    }
}
