package dev.kiln.resolver.spec;

import dev.kiln.resolver.ResolveException;
import dev.kiln.store.ErrorCode;
import java.util.Objects;
import java.util.Optional;

/**
 * An image spec, or a source line in one, says something kiln cannot use. The message reads
 * {@code FILE:LINE: KEY: problem; hint}, e.g.
 * {@code examples/base.yaml:7: contents.packages[2]: expected a package name like 'libc6', ...}.
 * Parts that are not known are left out: a source line parsed on its own has no file or line.
 */
public final class SpecException extends ResolveException {
    private static final long serialVersionUID = 1L;

    /** The spec's problems that a program (or an exception tracker) may want apart. */
    public enum Kind implements ErrorCode {
        /** Any other: a key, a value or the YAML is not what an image spec allows. */
        INVALID("spec.invalid"),
        /** There is no spec file where one is named. */
        NOT_FOUND("spec.not-found"),
        /** The build context given is not a directory, or does not contain the spec. */
        CONTEXT("spec.context"),
        /** A local source is an absolute path, or leads outside the build context (by '..' or a symlink). */
        COPY_OUTSIDE_CONTEXT("spec.copy-outside-context"),
        /** A local source names nothing on disk. */
        COPY_NOT_FOUND("spec.copy-not-found"),
        /**
         * A local source is refused for what it is or holds: the kernel's files ({@code /proc}), a
         * device or other special file, a symlink leading out of it or nowhere, or too much.
         */
        COPY_REFUSED("spec.copy-refused");

        private final String code;

        Kind(String code) {
            this.code = code;
        }

        @Override
        public String code() {
            return code;
        }
    }

    private final Kind kind;

    private final String file;
    private final int line;
    private final String key;
    private final String problem;
    private final String hint;

    /**
     * @param file the spec's name as the user wrote it, or null
     * @param line 1-based, or 0 if not known
     * @param key the key path like {@code contents.packages[2]}, or "" for the whole document
     * @param problem what was expected and what was found
     * @param hint what to do about it, or null
     */
    public SpecException(String file, int line, String key, String problem, String hint) {
        this(Kind.INVALID, file, line, key, problem, hint);
    }

    /** As {@link #SpecException(String, int, String, String, String)}, of the kind {@code kind}. */
    public SpecException(Kind kind, String file, int line, String key, String problem, String hint) {
        super(kind, format(file, line, key, problem, hint));
        this.kind = kind;
        this.file = file;
        this.line = line;
        this.key = Objects.requireNonNull(key, "key");
        this.problem = Objects.requireNonNull(problem, "problem");
        this.hint = hint;
    }

    /** A problem found without a file around it, e.g. by {@link SourceLine#parse}. */
    public SpecException(String problem, String hint) {
        this(Kind.INVALID, null, 0, "", problem, hint);
    }

    /** As {@link #SpecException(String, String)}, of the kind {@code kind}. */
    public SpecException(Kind kind, String problem, String hint) {
        this(kind, null, 0, "", problem, hint);
    }

    /** The same problem, placed in a file at a line and key. */
    public SpecException at(String file, int line, String key) {
        return new SpecException(kind, file, line, key, problem, hint);
    }

    public Optional<String> file() {
        return Optional.ofNullable(file);
    }

    /** 1-based, or 0 if not known. */
    public int line() {
        return line;
    }

    public String key() {
        return key;
    }

    public String problem() {
        return problem;
    }

    public Optional<String> hint() {
        return Optional.ofNullable(hint);
    }

    /** Where (file, line, key) and what was expected and found, without the hint. */
    @Override
    public String description() {
        return format(file, line, key, problem, null);
    }

    @Override
    public Optional<String> fix() {
        return hint();
    }

    private static String format(String file, int line, String key, String problem, String hint) {
        StringBuilder sb = new StringBuilder();
        if (file != null) {
            sb.append(file);
            if (line > 0) {
                sb.append(':').append(line);
            }
            sb.append(": ");
        }
        if (key != null && !key.isEmpty()) {
            sb.append(key).append(": ");
        }
        sb.append(problem);
        if (hint != null && !hint.isEmpty()) {
            sb.append("; ").append(hint);
        }
        return sb.toString();
    }
}
