package dev.kiln.builder.build;

import dev.kiln.builder.RecipeException;
import dev.kiln.store.AtomicFile;
import dev.kiln.store.ContentStore;
import dev.kiln.store.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * The whole output of one build, kept in the store: {@code logs/RECIPE/KEY.log} (the build key's
 * hex) and a copy as {@code logs/RECIPE/last.log}, the last build of that recipe name, finished or
 * failed. Each step starts with a line {@code ==> step NAME}; the lines are the sandbox's, already
 * scrubbed of secret values. A build that is a lookup writes no log.
 */
public final class BuildLog {
    /** The name of a recipe's last log. */
    public static final String LAST = "last.log";

    private final Path dir;
    private final Path file;
    private final StringBuilder text = new StringBuilder();
    private boolean written;

    BuildLog(ContentStore store, String recipe, Digest key) {
        this.dir = store.logsDir().resolve(recipe);
        this.file = dir.resolve(key.hex() + ".log");
    }

    /** The last build's log of the recipe named {@code recipe} in {@code store}, if one was kept. */
    public static Optional<Path> last(ContentStore store, String recipe) {
        Path p = store.logsDir().resolve(recipe).resolve(LAST);
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }

    synchronized void step(String name) {
        text.append("==> step ").append(name).append('\n');
    }

    synchronized void line(String line) {
        text.append(line).append('\n');
    }

    /** Writes the log (once); a log that cannot be written does not fail the build. */
    synchronized void finish() {
        if (written) {
            return;
        }
        written = true;
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        try {
            AtomicFile.createDirectories(dir);
            AtomicFile.write(file, bytes, AtomicFile.PUBLIC);
            AtomicFile.write(dir.resolve(LAST), bytes, AtomicFile.PUBLIC);
        } catch (IOException e) {
            written = false;
        }
    }

    /** {@code e} saying where the whole log is, when it was written. */
    RecipeException naming(RecipeException e) {
        if (!written || e.getMessage().contains(file.toString())) {
            return e;
        }
        String m = e.getMessage();
        int fix = m.lastIndexOf("\n  fix: ");
        String where = "\n  the whole log: " + file;
        String message = fix < 0 ? m + where : m.substring(0, fix) + where + m.substring(fix);
        RecipeException.Kind kind = Arrays.stream(RecipeException.Kind.values()).filter(k -> k.code().equals(e.code())).findFirst()
                .orElse(RecipeException.Kind.OTHER);
        return new RecipeException(kind, message, e);
    }
}
