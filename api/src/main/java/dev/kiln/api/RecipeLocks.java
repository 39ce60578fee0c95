package dev.kiln.api;

import dev.kiln.builder.recipe.Recipe;
import dev.kiln.builder.recipe.RecipeLock;
import dev.kiln.builder.recipe.RecipeLocking;
import dev.kiln.builder.recipe.RecipeParser;
import dev.kiln.builder.source.GitTool;
import dev.kiln.builder.source.SourcePin;
import dev.kiln.builder.source.Sources;
import dev.kiln.builder.RecipeException;
import dev.kiln.resolver.ResolveException;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.resolver.lock.Resolver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** {@code kiln recipe lock}: each recipe's environment resolved as {@code kiln lock} resolves a spec, its sources pinned. */
final class RecipeLocks {
    private RecipeLocks() {
    }

    static RecipeLockResult lock(Session s, RecipeLockRequest request) {
        boolean offline = request.mode() == LockMode.OFFLINE;
        Sources sources = sources(s).withOffline(offline);
        List<RecipeLockResult.Locked> out = new ArrayList<>();
        List<RecipeLock> locks = new ArrayList<>();
        List<Recipe> recipes = new ArrayList<>();
        for (Path file : RecipeGraph.files(request.recipes())) {
            recipes.add(RecipeParser.parse(file, s.mirrors));
        }
        for (Recipe recipe : recipes) {
            Path file = recipe.file();
            // what the other recipes make are candidates of its environment, pinned as coming from them: a graph locks in one go
            List<Resolver.RecipePackage> made = new ArrayList<>();
            for (Recipe other : recipes) {
                if (other != recipe) {
                    made.addAll(RecipeLocking.made(other, request.architecture()));
                }
            }
            Path lockFile = RecipeLocking.lockFile(file);
            Locking.checkLockTarget(lockFile);
            Optional<RecipeLock> previous = RecipeLocking.previous(lockFile);
            RecipeLock lock;
            try {
                lock = RecipeLocking.lock(recipe, lockFile, request.architecture(),
                        (environment, specPath, arch, prev) -> environment(s, recipe, environment, lockFile, request.mode(), prev, made),
                        sources, previous);
            } catch (ResolveException e) {
                throw withoutItsRecipes(e, recipe, previous, recipes, request.architecture());
            }
            List<String> changes = previous.map(p -> RecipeLocking.changes(p, lock)).orElse(List.of("+ " + lockFile + " (new)"));
            locks.add(lock);
            s.events.phase("recipe locked");
            out.add(new RecipeLockResult.Locked(file, lockFile, recipe.name(), recipe.debianVersion(), lock.architecture(),
                    lock.recipeDigest().toString(), lock.environment().allPackages().size()
                            + lock.environment().fromRecipes(lock.architecture()).size(),
                    lock.sources().stream().map(RecipeLocks::describe).toList(), changes,
                    request.action() == RecipeLockRequest.Action.WRITE));
        }
        if (request.action() == RecipeLockRequest.Action.WRITE) {
            // written once every recipe locked: a graph whose last recipe fails to lock keeps the locks it had
            for (int i = 0; i < out.size(); i++) {
                RecipeLocking.write(out.get(i).lockFile(), locks.get(i));
                s.store().addRoot(out.get(i).lockFile().toAbsolutePath());
            }
        }
        return new RecipeLockResult(out);
    }

    /**
     * A recipe whose environment could not be resolved, and whose previous lock took packages from
     * recipes that are not locked with it now: the likely reason, said; otherwise {@code e} as it is.
     */
    private static RuntimeException withoutItsRecipes(ResolveException e, Recipe recipe, Optional<RecipeLock> previous,
                                                      List<Recipe> recipes, String arch) {
        List<String> missing = new ArrayList<>();
        for (Lock.FromRecipe p : previous.map(l -> l.environment().fromRecipes(arch)).orElse(List.of())) {
            if (recipes.stream().noneMatch(r -> r.name().equals(p.recipe()))) {
                missing.add(p.describe());
            }
        }
        if (missing.isEmpty()) {
            return e;
        }
        return new RecipeException(RecipeException.Kind.LOCK, "cannot lock " + recipe.file() + ": its environment did not resolve,"
                + " and its lock took " + String.join(", ", missing) + " from recipes that are not locked with it now"
                + "\n  the resolver said: " + e.getMessage().lines().findFirst().orElse("")
                + "\n  fix: lock it together with the recipes it takes packages from (name their directory)", e);
    }

    /** The sources of this session: its transport, store and mirrors, fetches told as events, Debian's git. */
    static Sources sources(Session s) {
        return new Sources(s.transport, s.store(), s.mirrors, s.events.fetch(), GitTool.installed());
    }

    private static Lock environment(Session s, Recipe recipe, dev.kiln.resolver.spec.ImageSpec environment, Path lockFile, LockMode mode,
                                    Optional<Lock> previous, List<Resolver.RecipePackage> made) {
        Spec spec = Spec.embedded(environment, recipe.canonicalBytes(), recipe.file());
        Inputs in = Inputs.of(spec, lockFile, Optional.empty());
        return Locking.resolve(s, in, mode, false, previous.orElse(null), Set.of(), made).lock();
    }

    private static String describe(SourcePin p) {
        if (p instanceof SourcePin.Fetch f) {
            return p.key() + " fetch " + f.uri() + " " + f.sha256();
        }
        if (p instanceof SourcePin.Git g) {
            return p.key() + " git " + g.repository() + " " + g.ref() + " " + g.commit() + " tree " + g.tree();
        }
        SourcePin.Local l = (SourcePin.Local) p;
        return p.key() + " local " + l.path() + " " + l.listing();
    }
}
