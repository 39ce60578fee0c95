package dev.kiln.builder.recipe;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A {@code mounts:} entry of a pipeline step, as the recipe declares it (BuildKit's words). The
 * declarations are part of the recipe and so of its build key; a cache's content and a secret's
 * value never are.
 */
public sealed interface StepMount {
    /** A cache's or a secret's id: letters, digits, {@code .}, {@code _}, {@code -}. */
    Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    /** Where bind mounts' pinned copies are laid in the workspace, then moved out before any step runs. */
    String STAGED = ".kiln-bind";
    /** Where a secret is unless its target is given: {@code /run/secrets/ID}. */
    String SECRETS = "/run/secrets";

    /** The absolute path inside the sandbox. */
    String target();

    /** How concurrent builds share a cache. */
    enum Sharing {
        /** Every build uses the one directory at once. */
        SHARED,
        /** A build that finds the cache in use gets a fresh, empty directory of its own, dropped after. */
        PRIVATE,
        /** Builds on the same id wait for each other (within one kiln process and across processes). */
        LOCKED;

        /** The word in a recipe. */
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** {@code {type: cache, id, target, sharing}}: a directory kept in the store between builds. */
    record Cache(String id, String target, Sharing sharing) implements StepMount {
        public Cache {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(sharing, "sharing");
        }
    }

    /** {@code {type: secret, id, target, required}}: a value given at build time, mode 0400. */
    record Secret(String id, String target, boolean required) implements StepMount {
        public Secret {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(target, "target");
        }
    }

    /** {@code {type: tmpfs, target, size}}: a fresh tmpfs of at most {@code size} bytes. */
    record Tmpfs(String target, long size) implements StepMount {
        public Tmpfs {
            Objects.requireNonNull(target, "target");
        }
    }

    /**
     * {@code {type: bind, source, target}}: a directory under the recipe's directory, read-only; its
     * content is a local source of the recipe, pinned in the lock.
     *
     * @param staged where the pinned copy is laid, relative to the workspace, before it is moved out
     */
    record Bind(String source, String target, String staged) implements StepMount {
        public Bind {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(staged, "staged");
        }
    }
}
