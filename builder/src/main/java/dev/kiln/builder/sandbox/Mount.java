package dev.kiln.builder.sandbox;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Something a {@link Step} sees beyond its workspace and outputs, at an absolute {@code target}
 * inside the sandbox: a host directory ({@link Directory}, writable for a cache, read-only for a
 * bind mount), a new tmpfs ({@link Tmpfs}) or a secret ({@link Secret}: bytes delivered through a
 * FIFO into bwrap's memory, mode 0400, never a file on disk, never on a command line).
 */
public sealed interface Mount {
    /** The form of a target: an absolute path of plain names ('.' and '..' are refused besides). */
    Pattern TARGET = Pattern.compile("(/[A-Za-z0-9._+@-]+)+");

    /** Where it is inside the sandbox. */
    String target();

    /** A host directory at {@code target}: read-write (a cache) or read-only (a bind mount). */
    record Directory(Path host, String target, boolean writable) implements Mount {
        public Directory {
            host = Objects.requireNonNull(host, "host").toAbsolutePath().normalize();
            checkTarget(target);
        }
    }

    /** A fresh tmpfs of at most {@code bytes} at {@code target}. */
    record Tmpfs(String target, long bytes) implements Mount {
        public Tmpfs {
            checkTarget(target);
            if (bytes < 4096) {
                throw new IllegalArgumentException("a tmpfs of " + bytes + " bytes is too small");
            }
        }
    }

    /**
     * A secret's value at {@code target}, mode 0400. {@link #toString} never shows the value.
     *
     * @param id the secret's name (what messages say)
     */
    record Secret(String id, String target, byte[] value) implements Mount {
        public Secret {
            Objects.requireNonNull(id, "id");
            checkTarget(target);
            value = Objects.requireNonNull(value, "value").clone();
        }

        @Override
        public byte[] value() {
            return value.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Secret s && s.id.equals(id) && s.target.equals(target) && Arrays.equals(s.value, value);
        }

        @Override
        public int hashCode() {
            return Objects.hash(id, target);
        }

        @Override
        public String toString() {
            return "Secret[id=" + id + ", target=" + target + "]";
        }
    }

    private static void checkTarget(String target) {
        Objects.requireNonNull(target, "target");
        if (!TARGET.matcher(target).matches() || List.of(target.split("/")).contains("..")
                || List.of(target.split("/")).contains(".")) {
            throw new IllegalArgumentException("mount target '" + target + "' is not an absolute path without '.' or '..'");
        }
    }
}
