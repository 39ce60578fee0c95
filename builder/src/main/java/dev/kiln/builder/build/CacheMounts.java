package dev.kiln.builder.build;

import dev.kiln.builder.RecipeException;
import dev.kiln.builder.recipe.StepMount;
import dev.kiln.store.ContentStore;
import dev.kiln.store.ExitCleanup;
import dev.kiln.store.IoErrors;
import dev.kiln.store.ProcessFileLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The cache mounts of one build, taken for its whole length: {@code caches/ID/} in the store
 * ({@link ContentStore#cachesDir}), with {@code caches/ID.lock} beside it. {@code locked} waits for the lock (held by
 * another build of this process or of another: {@link ProcessFileLock}); {@code private} takes
 * it if free and otherwise gets a fresh empty directory, dropped after the build; {@code shared}
 * takes no lock. Closing releases the locks and drops the private directories.
 */
final class CacheMounts implements AutoCloseable {
    private final ContentStore store;
    private final Map<String, Path> directories = new LinkedHashMap<>();
    private final List<AutoCloseable> held = new ArrayList<>();
    private final List<Path> fresh = new ArrayList<>();

    CacheMounts(ContentStore store) {
        this.store = store;
    }

    /** The host directory for {@code cache} in this build: the same for every step that names its id. */
    Path directory(StepMount.Cache cache) {
        Path existing = directories.get(cache.id());
        if (existing != null) {
            return existing;
        }
        Path area = store.cachesDir();
        try {
            Files.createDirectories(area);
            Path dir = area.resolve(cache.id());
            Path chosen = dir;
            if (cache.sharing() != StepMount.Sharing.SHARED) {
                Path lockFile = area.resolve(cache.id() + ".lock");
                Optional<ProcessFileLock> lock = cache.sharing() == StepMount.Sharing.LOCKED
                        ? Optional.of(waitFor(lockFile, cache.id())) : ProcessFileLock.tryLock(lockFile);
                if (lock.isEmpty()) {
                    chosen = store.stageDirectory();
                    fresh.add(chosen);
                } else {
                    held.add(lock.get());
                }
            }
            Files.createDirectories(chosen);
            directories.put(cache.id(), chosen);
            return chosen;
        } catch (IOException e) {
            throw new RecipeException(RecipeException.Kind.OTHER, "cannot prepare the cache '" + cache.id() + "' in " + area + ": "
                    + IoErrors.why(e) + "\n  fix: check the store's permissions and free space, then build again", e);
        }
    }

    /** Every cache directory this build has, by id: what the leak scan reads. */
    Map<String, Path> directories() {
        return Map.copyOf(directories);
    }

    private static ProcessFileLock waitFor(Path lockFile, String id) throws IOException {
        try {
            return ProcessFileLock.lock(lockFile, () -> { });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RecipeException(RecipeException.Kind.OTHER, "interrupted waiting for the locked cache '" + id + "'"
                    + "\n  fix: build again", e);
        }
    }

    /** Drops the cache {@code id}'s content (it held a secret). */
    void drop(String id) throws IOException {
        Path dir = directories.get(id);
        if (dir != null && Files.exists(dir)) {
            ExitCleanup.discard(dir);
        }
    }

    @Override
    public void close() {
        for (AutoCloseable c : held) {
            try {
                c.close();
            } catch (Exception e) {
                // closing releases the lock in any case
            }
        }
        for (Path p : fresh) {
            try {
                ExitCleanup.discard(p);
            } catch (IOException e) {
                // left for gc, which removes what a finished process staged
            }
        }
    }
}
