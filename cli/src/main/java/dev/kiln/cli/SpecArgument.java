package dev.kiln.cli;

import dev.kiln.api.LockRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The spec a command means when none is named: the only {@code *.yaml} in a directory with its
 * lock ({@code NAME.lock.json}) beside it. With none, or several, the command line must say which:
 * a guess among several would answer for another image than the one meant.
 */
final class SpecArgument {
    private SpecArgument() {
    }

    /**
     * The one locked spec in {@code dir}, as a path under {@code dir}.
     *
     * @throws IllegalArgumentException saying what was found (each candidate by name), for a usage error
     */
    static Path onlyLockedSpec(Path dir) {
        List<Path> specs;
        try (Stream<Path> files = Files.list(dir.toAbsolutePath())) {
            specs = files.filter(f -> f.getFileName().toString().endsWith(".yaml") && Files.isRegularFile(f))
                    .filter(f -> Files.isRegularFile(LockRequest.besideSpec(f)))
                    .map(f -> dir.resolve(f.getFileName().toString())).sorted().toList();
        } catch (IOException e) {
            throw new IllegalArgumentException("no SPEC given, and " + where(dir) + " cannot be listed (" + e.getMessage()
                    + "): name the spec or its lock");
        }
        if (specs.size() == 1) {
            return specs.get(0);
        }
        if (specs.isEmpty()) {
            throw new IllegalArgumentException("no SPEC given, and " + where(dir)
                    + " holds no *.yaml spec with its lock (NAME.lock.json) beside it: name the spec or its lock");
        }
        throw new IllegalArgumentException("no SPEC given, and " + where(dir) + " holds " + specs.size()
                + " specs with a lock beside them: " + String.join(", ", specs.stream().map(p -> p.getFileName().toString()).toList())
                + "; name one");
    }

    private static String where(Path dir) {
        return dir.toString().isEmpty() ? "the current directory (" + dir.toAbsolutePath() + ")" : dir.toString();
    }
}
