package dev.kiln.store;

import java.util.Optional;

/**
 * The root of kiln's errors. Each module has its own subclass; the message is written for the
 * user: what was expected, what was found, and what to do. The CLI prints it and exits non-zero.
 *
 * <p>For programs that handle errors (exception trackers, CI annotations) the parts are apart:
 * {@link #code()} names the kind of failure, stable across releases, for grouping; {@link
 * #description()} is the message without its fix; {@link #fix()} is what to do. By convention a
 * message states the problem, then {@code "\n  fix: "} and the fix.
 */
public class KilnException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private static final String FIX = "\n  fix: ";

    public KilnException(String message) {
        super(message);
    }

    public KilnException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The kind of failure, a short dotted name such as {@code store.damaged} or {@code fetch}:
     * stable across releases, so that an exception tracker can group by it. Subclasses name
     * theirs; this is {@code kiln} for an error no subclass names.
     */
    public String code() {
        return "kiln";
    }

    /** The message without its fix: what was expected and what was found. */
    public String description() {
        String m = String.valueOf(getMessage());
        int fix = m.indexOf(FIX);
        return fix < 0 ? m : m.substring(0, fix);
    }

    /** What to do about it, if the message says. */
    public Optional<String> fix() {
        String m = String.valueOf(getMessage());
        int fix = m.indexOf(FIX);
        return fix < 0 ? Optional.empty() : Optional.of(m.substring(fix + FIX.length()));
    }
}
