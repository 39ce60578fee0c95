package dev.kiln.builder.recipe;

import dev.kiln.builder.RecipeException;
import dev.kiln.builder.source.SourcePin;
import dev.kiln.builder.source.Sources;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.resolver.lock.LockJson;
import dev.kiln.resolver.lock.Resolver;
import dev.kiln.resolver.spec.ImageSpec;
import dev.kiln.store.AtomicFile;
import dev.kiln.store.IoErrors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Locking a recipe: its environment resolved as {@code kiln lock} resolves an image spec
 * (conservatively, keeping the previous lock's pins), every source fetched, checked and pinned,
 * and the {@link RecipeLock} written beside the recipe ({@code NAME.yaml} → {@code NAME.lock.json})
 * atomically. Also what a build needs of a lock: that it is the recipe's, and the sources laid
 * into a workspace from it.
 */
public final class RecipeLocking {
    private RecipeLocking() {
    }

    /** Resolves a build environment into an image lock, as {@code kiln lock} resolves a spec. */
    @FunctionalInterface
    public interface EnvironmentResolver {
        /**
         * @param environment the recipe's environment, for {@code arch}
         * @param specPath what the lock calls the spec: the recipe, relative to the lock's directory
         * @param arch the architecture to resolve for
         * @param previous the environment's lock being replaced, whose pins are kept where they still hold
         */
        Lock resolve(ImageSpec environment, String specPath, String arch, Optional<Lock> previous);
    }

    /** Where a recipe's lock goes: {@code NAME.lock.json} beside {@code NAME.yaml} (or {@code .yml}). */
    public static Path lockFile(Path recipeFile) {
        String name = recipeFile.getFileName().toString();
        String base = name.endsWith(".yaml") ? name.substring(0, name.length() - 5)
                : name.endsWith(".yml") ? name.substring(0, name.length() - 4) : name;
        return recipeFile.resolveSibling(base + ".lock.json");
    }

    /**
     * The recipe's lock, resolved and pinned now; nothing is written (but into the store).
     *
     * @param previous the lock being replaced: its environment's pins and its sources' pins are kept where they still hold
     */
    public static RecipeLock lock(Recipe recipe, Path lockFile, String arch, EnvironmentResolver environments, Sources sources,
                                  Optional<RecipeLock> previous) {
        Objects.requireNonNull(recipe, "recipe");
        StepScripts.gnuTriplet(arch); // an architecture kiln cannot build for is refused before anything is fetched
        Optional<RecipeLock> sameArch = previous.filter(p -> p.architecture().equals(arch));
        String recipePath = relativePath(lockFile, recipe.file());
        Lock env = environments.resolve(recipe.environmentFor(arch), recipePath, arch, sameArch.map(RecipeLock::environment));
        List<SourcePin> pins = sources.pin(recipe.file(), recipe.sources(), previous.map(RecipeLock::sources).orElse(List.of()));
        return new RecipeLock(RecipeLock.VERSION, recipePath, recipe.canonicalDigest(), arch, env, pins);
    }

    /**
     * The packages {@code recipe} makes for {@code arch} as the solver sees them before they are
     * built (its package and subpackages: name, Debian version, {@code Depends}, {@code Provides},
     * as its {@code .deb}s will say), for locking other recipes together with it.
     */
    public static List<Resolver.RecipePackage> made(Recipe recipe, String arch) {
        List<Resolver.RecipePackage> out = new ArrayList<>();
        out.add(new Resolver.RecipePackage(recipe.name(), recipe.canonicalDigest(), recipe.name(), recipe.debianVersion(), arch,
                recipe.dependencies().runtime(), recipe.dependencies().provides()));
        for (Subpackage s : recipe.subpackages()) {
            out.add(new Resolver.RecipePackage(recipe.name(), recipe.canonicalDigest(), s.name(), recipe.debianVersion(), arch,
                    s.dependencies().runtime(), s.dependencies().provides()));
        }
        return out;
    }

    /**
     * The environment's lock with each package from a recipe filled with the {@code .deb} that
     * recipe built ({@code built}, by package name): checked to be that name, version and
     * architecture, and its sha256 and size recorded, so that the build key holds the package's
     * digest, not its recipe.
     *
     * @throws RecipeException {@code recipe.lock} when a package from a recipe was not built, or
     *     was built as another version or architecture than the lock pins
     */
    public static RecipeLock withBuilt(RecipeLock lock, Path lockFile, Map<String, Built> built) {
        String arch = lock.architecture();
        List<Lock.FromRecipe> filled = new ArrayList<>();
        for (Lock.FromRecipe p : lock.environment().fromRecipes(arch)) {
            Built b = built.get(p.name());
            if (b == null || !b.version().equals(p.version()) || !b.architecture().equals(p.architecture())) {
                throw new RecipeException(RecipeException.Kind.LOCK, lockFile + " pins " + p.describe() + ", but recipe " + p.recipe()
                        + (b == null ? " made no " + p.name() : " made " + p.name() + " " + b.version() + " (" + b.architecture() + ")")
                        + "\n  fix: lock the recipes again, together (the directory), so that the pin follows the recipe");
            }
            filled.add(p.withBuilt(b.sha256(), b.size()));
        }
        TreeMap<String, List<Lock.FromRecipe>> recipes = new TreeMap<>(lock.environment().fromRecipes());
        recipes.put(arch, filled);
        return new RecipeLock(lock.version(), lock.recipePath(), lock.recipeDigest(), lock.architecture(),
                lock.environment().withFromRecipes(recipes), lock.sources());
    }

    /** A package a recipe built, as {@link #withBuilt} fills a pin with it. */
    public record Built(String version, String architecture, dev.kiln.store.Digest sha256, long size) {
    }

    /** The lock at {@code lockFile}, if there is one. */
    public static Optional<RecipeLock> previous(Path lockFile) {
        return Files.exists(lockFile) ? Optional.of(read(lockFile)) : Optional.empty();
    }

    public static RecipeLock read(Path lockFile) {
        try {
            return RecipeLockJson.read(Files.readAllBytes(lockFile), lockFile.toString());
        } catch (NoSuchFileException e) {
            throw new RecipeException(RecipeException.Kind.LOCK, lockFile + ": no such file\n  fix: lock the recipe first");
        } catch (IOException e) {
            throw new RecipeException(RecipeException.Kind.LOCK, "cannot read " + lockFile + ": " + IoErrors.why(e), e);
        }
    }

    /** Writes the lock atomically (write, fsync, rename, fsync the directory). */
    public static void write(Path lockFile, RecipeLock lock) {
        Path abs = lockFile.toAbsolutePath();
        try {
            AtomicFile.createDirectories(abs.getParent());
            AtomicFile.write(abs, RecipeLockJson.write(lock), AtomicFile.PUBLIC);
        } catch (IOException e) {
            throw new RecipeException(RecipeException.Kind.LOCK, "cannot write " + lockFile + ": " + IoErrors.why(e), e);
        }
    }

    /**
     * Holds {@code lock} to {@code recipe} and {@code arch}: a lock made from another version of the
     * recipe, or for another architecture, is a {@code recipe.lock} error.
     */
    public static void requireCurrent(Recipe recipe, RecipeLock lock, Path lockFile, String arch) {
        if (!lock.recipeDigest().equals(recipe.canonicalDigest())) {
            throw new RecipeException(RecipeException.Kind.LOCK, lockFile + " was made from another version of " + recipe.file()
                    + " (recipe digest " + lock.recipeDigest().shortHex() + ", now " + recipe.canonicalDigest().shortHex() + ")"
                    + "\n  fix: lock the recipe again");
        }
        if (!lock.architecture().equals(arch)) {
            throw new RecipeException(RecipeException.Kind.ARCHITECTURE, lockFile + " is for " + lock.architecture() + ", this host builds "
                    + arch + "\n  fix: lock the recipe on this host (recipes build for the host's architecture)");
        }
    }

    /** Lays the recipe's sources into {@code workspace} from the lock's pins (see {@link Sources#materialize}). */
    public static void materialize(Recipe recipe, RecipeLock lock, Sources sources, Path workspace) {
        sources.materialize(recipe.file(), recipe.sources(), lock.sources(), workspace);
    }

    /**
     * What differs between two locks of a recipe, one line each ({@code + name version},
     * {@code - name version}, {@code ~ name old -> new}, a source's pin, the recipe); empty when they
     * are the same bytes.
     */
    public static List<String> changes(RecipeLock old, RecipeLock now) {
        List<String> lines = new ArrayList<>();
        if (!old.recipeDigest().equals(now.recipeDigest())) {
            lines.add("~ recipe " + old.recipeDigest().shortHex() + " -> " + now.recipeDigest().shortHex());
        }
        if (!old.architecture().equals(now.architecture())) {
            lines.add("~ architecture " + old.architecture() + " -> " + now.architecture());
        }
        Map<String, SourcePin> before = new TreeMap<>();
        old.sources().forEach(p -> before.put(p.key(), p));
        for (SourcePin p : now.sources()) {
            SourcePin b = before.remove(p.key());
            if (b == null) {
                lines.add("+ source " + p.describe());
            } else if (!b.equals(p)) {
                lines.add("~ source " + p.describe() + ": " + pinText(b) + " -> " + pinText(p));
            }
        }
        before.values().forEach(p -> lines.add("- source " + p.describe()));
        Map<String, String> a = packages(old.environment());
        Map<String, String> b = packages(now.environment());
        for (Map.Entry<String, String> e : b.entrySet()) {
            String was = a.remove(e.getKey());
            if (was == null) {
                lines.add("+ " + e.getKey() + " " + e.getValue());
            } else if (!was.equals(e.getValue())) {
                lines.add("~ " + e.getKey() + " " + was + " -> " + e.getValue());
            }
        }
        a.forEach((k, v) -> lines.add("- " + k + " " + v));
        if (lines.isEmpty() && !java.util.Arrays.equals(RecipeLockJson.write(old), RecipeLockJson.write(now))) {
            lines.add("~ the lock's bytes differ from what locking writes (the environment's Release pins or the format)");
        }
        return lines;
    }

    private static Map<String, String> packages(Lock lock) {
        Map<String, String> out = new TreeMap<>();
        lock.archs().forEach((arch, list) -> list.forEach(p -> out.put(p.name() + ":" + arch,
                p.version() + " (" + p.sha256().shortHex() + ")")));
        lock.fromRecipes().forEach((arch, list) -> list.forEach(p -> out.put(p.name() + ":" + arch,
                p.version() + " (from recipe " + p.recipe() + " " + p.recipeDigest().shortHex() + ")")));
        return out;
    }

    private static String pinText(SourcePin p) {
        if (p instanceof SourcePin.Fetch f) {
            return f.sha256().shortHex();
        }
        if (p instanceof SourcePin.Git g) {
            return g.commit().substring(0, 12) + " " + g.tree().shortHex();
        }
        return ((SourcePin.Local) p).listing().shortHex();
    }

    private static String relativePath(Path lockFile, Path recipeFile) {
        Path dir = lockFile.toAbsolutePath().normalize().getParent();
        return dir.relativize(recipeFile.toAbsolutePath().normalize()).toString();
    }

    /** The environment's lock as its JSON bytes (for a build key: the same lock, the same bytes). */
    public static byte[] environmentBytes(RecipeLock lock) {
        return LockJson.write(lock.environment());
    }
}
