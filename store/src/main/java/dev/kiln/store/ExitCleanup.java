package dev.kiln.store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Files and directories that only exist while kiln writes them (a blob being staged in the store's
 * tmp/, a layout being staged beside its target): removed when the JVM shuts down with them still
 * there, as on SIGTERM or Ctrl-C. Only SIGKILL or a crash can leave one, and then it is never read
 * as a result ({@code kiln store gc} removes the store's).
 */
public final class ExitCleanup {
    private static final Set<Path> PATHS = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ExitCleanup::run, "kiln-exit-cleanup"));
    }

    private ExitCleanup() {
    }

    /** Removes {@code path} (a file, or a directory and all it holds) at shutdown if it is still there. */
    public static void add(Path path) {
        PATHS.add(path);
    }

    /** {@code path} is done with (published, or removed): shutdown leaves it alone. */
    public static void remove(Path path) {
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

    static void delete(Path p) throws IOException {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            try (DirectoryStream<Path> s = Files.newDirectoryStream(p)) {
                for (Path child : s) {
                    delete(child);
                }
            }
        }
        Files.deleteIfExists(p);
    }
}
