package dev.kiln.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/** Keeping a secret key kiln writes out of git: the work tree a directory is in, and a rule in its {@code .gitignore}. */
public final class GitIgnore {
    private GitIgnore() {
    }

    /** The nearest directory at or above {@code dir} that holds {@code .git} (a directory, or a worktree's file). */
    public static Optional<Path> workTree(Path dir) {
        for (Path p = dir.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve(".git"), LinkOption.NOFOLLOW_LINKS)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * Adds the rule {@code /NAME} for {@code file} to {@code dir/.gitignore}, after a comment line,
     * unless that rule is there already.
     *
     * @return the {@code .gitignore} if a rule was added
     */
    public static Optional<Path> addRule(Path dir, Path file, String comment) throws IOException {
        Path gitignore = dir.resolve(".gitignore");
        String rule = "/" + file.getFileName();
        String existing = Files.exists(gitignore) ? Files.readString(gitignore, StandardCharsets.UTF_8) : "";
        if (existing.lines().anyMatch(rule::equals)) {
            return Optional.empty();
        }
        String prefix = existing.isEmpty() || existing.endsWith("\n") ? "" : "\n";
        Files.writeString(gitignore, prefix + "# " + comment + "\n" + rule + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return Optional.of(gitignore);
    }
}
