package dev.kiln.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Files and directories that only exist while kiln writes them (a blob being staged in the store's
 * tmp/, a layout being staged beside its target): removed when the JVM shuts down with them still
 * there, as on SIGTERM or Ctrl-C. Only SIGKILL or a crash can leave one, and then it is never read
 * as a result ({@code kiln store gc} removes the store's, {@link StagingLock#sweep} what was staged
 * beside an output).
 */
public final class ExitCleanup {
    private static final Set<Path> PATHS = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ExitCleanup::run, "kiln-exit-cleanup"));
    }

    private ExitCleanup() {
    }

    /** {@link Files#createTempFile(Path, String, String, java.nio.file.attribute.FileAttribute[])}, removed at shutdown unless moved or discarded first. */
    public static Path createTempFile(Path dir, String prefix, String suffix) throws IOException {
        Path p = Files.createTempFile(dir, prefix, suffix);
        PATHS.add(p);
        return p;
    }

    /** Removes {@code path} (a file, or a directory and all it holds) at shutdown if it is still there. */
    public static void add(Path path) {
        PATHS.add(path);
    }

    /** {@code path} is done with (moved into place): shutdown leaves it alone. */
    public static void remove(Path path) {
        PATHS.remove(path);
    }

    /**
     * Removes {@code path} now (a file, or a directory and all it holds; absent is fine) and
     * forgets it. When that fails, shutdown tries again.
     */
    public static void discard(Path path) throws IOException {
        delete(path);
        PATHS.remove(path);
    }

    private static void run() {
        for (Path p : PATHS) {
            try {
                delete(p);
            } catch (IOException | RuntimeException ignored) {
                // the JVM is going down; a leftover is never read as a result
            }
        }
    }

    private static void delete(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            List<Path> all = walk.toList();
            for (Path q : all) {
                // a read-only directory (a build environment's root) can be emptied once it is writable again
                if (Files.isDirectory(q, LinkOption.NOFOLLOW_LINKS) && !Files.isWritable(q)) {
                    q.toFile().setWritable(true, true);
                }
            }
            for (Path q : all.stream().sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
