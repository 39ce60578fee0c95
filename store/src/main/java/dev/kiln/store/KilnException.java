package dev.kiln.store;

import java.util.Objects;
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
    /** The code of an error that names no kind of its own. */
    public static final ErrorCode KILN = () -> "kiln";

    private final String code;

    public KilnException(String message) {
        this(KILN, message, null);
    }

    public KilnException(String message, Throwable cause) {
        this(KILN, message, cause);
    }

    /** @param code the kind of failure, for {@link #code()} */
    public KilnException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code").code();
    }

    /**
     * The kind of failure, a short dotted name such as {@code store.damaged} or {@code fetch}:
     * stable across releases, so that an exception tracker can group by it. Each module's
     * exception names its kinds in an enum ({@link StoreException.Kind}); this is {@code kiln}
     * for an error that names none.
     */
    public final String code() {
        return code;
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
