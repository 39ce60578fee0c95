package dev.kiln.resolver;

import java.nio.file.Path;

/** Where kiln's own data folders (keys/, examples/) are: the launcher passes it as {@code kiln.home}. */
public final class KilnHome {
    private KilnHome() {
    }

    public static Path dir() {
        String p = System.getProperty("kiln.home");
        if (p == null || p.isBlank()) {
            p = System.getenv("KILN_HOME");
        }
        return p == null || p.isBlank() ? Path.of("").toAbsolutePath() : Path.of(p);
    }

    public static Path keys() {
        return dir().resolve("keys");
    }
}
