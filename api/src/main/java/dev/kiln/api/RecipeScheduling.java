package dev.kiln.api;

import dev.kiln.builder.RecipeException;
import dev.kiln.builder.build.RecipeBuilder;
import dev.kiln.builder.recipe.RecipeLocking;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.store.KilnException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;
import java.util.concurrent.Executors;

/**
 * Runs the builds of a {@link RecipeGraph}: each recipe once, as soon as the recipes it needs are
 * built, at most {@code jobs} at the same time. A recipe whose build fails stops the recipes that
 * need it (directly or not); the others go on; then the failures are told in one summary.
 *
 * <p>A dependency's package joins its dependent's build key through the dependent's lock, which
 * pins its sha256, or pins it as coming from the dependency's recipe and is filled here with the
 * sha256 of what the dependency built: a dependency rebuilt to the same bytes leaves its
 * dependents' keys, and their builds, as they were (early cutoff). A dependency built to other bytes than the dependent's lock
 * pins stops the dependent: its lock must be made again.
 */
final class RecipeScheduling {
    private RecipeScheduling() {
    }

    /** What became of one recipe. */
    private sealed interface Outcome {
    }

    private record Done(RecipeBuilder.Built built) implements Outcome {
    }

    private record Failed(RuntimeException error) implements Outcome {
    }

    /** Not built: {@code failed} are the recipes it needs (directly or not) that failed. */
    private record Blocked(TreeSet<String> failed) implements Outcome {
    }

    /**
     * Builds every recipe of {@code graph}.
     *
     * @return each recipe's build, by its index in the graph
     * @throws RuntimeException the failure itself when one recipe failed and nothing else was
     *     stopped; otherwise {@code recipe.not-built} saying which recipe did what
     */
    static List<RecipeBuilder.Built> run(Session s, RecipeBuilder builder, RecipeGraph graph, Epoch epoch, boolean rebuild,
                                         int jobs,
                                          Map<String, Supplier<byte[]>> secrets) {
        Object prepare = new Object();
        Map<Integer, CompletableFuture<Outcome>> futures = new ConcurrentHashMap<>(); // read by the builds as it fills
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(jobs, graph.size())));
        List<Outcome> outcomes = new ArrayList<>();
        try {
            for (int i : graph.order()) {
                int me = i;
                CompletableFuture<?>[] needs = graph.needs(i).stream().map(futures::get).toArray(CompletableFuture[]::new);
                futures.put(i, CompletableFuture.allOf(needs).thenApplyAsync(
                        v -> one(s, builder, graph, me, futures, epoch, rebuild, prepare, secrets), pool));
            }
            for (int i = 0; i < graph.size(); i++) {
                outcomes.add(futures.get(i).join());
            }
        } catch (CompletionException e) {
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        } finally {
            pool.shutdownNow();
        }
        return built(graph, outcomes);
    }

    private static Outcome one(Session s, RecipeBuilder builder, RecipeGraph graph, int i,
                               Map<Integer, CompletableFuture<Outcome>> futures, Epoch epoch, boolean rebuild, Object prepare,
                               Map<String, Supplier<byte[]>> secrets) {
        RecipeBuilding.Locked l = graph.recipe(i);
        String name = l.recipe().name();
        String version = l.recipe().debianVersion();
        TreeSet<String> failed = new TreeSet<>();
        for (int n : graph.needs(i)) {
            Outcome o = futures.get(n).join(); // done: this runs after every recipe it needs
            if (o instanceof Failed) {
                failed.add(graph.recipe(n).recipe().name());
            } else if (o instanceof Blocked b) {
                failed.addAll(b.failed());
            }
        }
        if (!failed.isEmpty()) {
            s.events.emit(new RecipeEvent.Stopped(name, version, "needs " + String.join(", ", failed) + ", which failed"));
            return new Blocked(failed);
        }
        try {
            requirePinsBuilt(graph, i, futures);
            return new Done(RecipeBuilding.build(s, builder, withBuilt(graph, i, futures), epoch, rebuild, prepare, secrets));
        } catch (RuntimeException e) {
            String message = Optional.ofNullable(e.getMessage()).orElse(e.toString());
            s.events.emit(new RecipeEvent.Stopped(name, version, message.lines().findFirst().orElse(message)));
            return new Failed(e);
        }
    }

    /** The packages recipe {@code i}'s lock pins from the recipes it needs must be the ones they built now. */
    private static void requirePinsBuilt(RecipeGraph graph, int i, Map<Integer, CompletableFuture<Outcome>> futures) {
        RecipeBuilding.Locked l = graph.recipe(i);
        for (Lock.Package p : l.lock().environment().packages(l.lock().architecture())) {
            Integer maker = graph.madeBy(i).get(p.name());
            if (maker == null) {
                continue;
            }
            RecipeBuilder.Built dep = ((Done) futures.get(maker).join()).built();
            for (RecipeBuilder.Package made : dep.packages()) {
                if (made.name().equals(p.name()) && !made.sha256().equals(p.sha256())) {
                    throw new RecipeException(RecipeException.Kind.LOCK, "the lock of " + l.recipe().name() + " pins " + p.name() + " "
                            + p.version() + " as " + p.sha256() + ", but recipe " + graph.recipe(maker).recipe().name()
                            + " built " + made.name() + " " + made.version() + " as " + made.sha256()
                            + "\n  lock: " + l.lockFile()
                            + "\n  fix: publish " + graph.recipe(maker).recipe().name() + "'s packages into the repository "
                            + l.recipe().name() + "'s environment names, then lock " + l.recipe().name() + " again");
                }
            }
        }
    }

    /**
     * Recipe {@code i} with each package its lock pins as coming from a recipe filled with the
     * {@code .deb} that recipe just built or found: its digest joins the build key.
     */
    private static RecipeBuilding.Locked withBuilt(RecipeGraph graph, int i, Map<Integer, CompletableFuture<Outcome>> futures) {
        RecipeBuilding.Locked l = graph.recipe(i);
        if (graph.fromRecipes(i).isEmpty()) {
            return l;
        }
        Map<String, RecipeLocking.Built> built = new TreeMap<>();
        graph.fromRecipes(i).forEach((name, maker) -> {
            for (RecipeBuilder.Package made : ((Done) futures.get(maker).join()).built().packages()) {
                if (made.name().equals(name)) {
                    built.put(name, new RecipeLocking.Built(made.version(), made.architecture(), made.sha256(), made.size()));
                }
            }
        });
        return new RecipeBuilding.Locked(l.recipe(), RecipeLocking.withBuilt(l.lock(), l.lockFile(), built), l.lockFile());
    }

    private static List<RecipeBuilder.Built> built(RecipeGraph graph, List<Outcome> outcomes) {
        List<RecipeBuilder.Built> out = new ArrayList<>();
        List<String> builtNames = new ArrayList<>();
        List<String> failedLines = new ArrayList<>();
        List<String> blockedLines = new ArrayList<>();
        RuntimeException first = null;
        for (int i = 0; i < outcomes.size(); i++) {
            String name = graph.recipe(i).recipe().name();
            Outcome o = outcomes.get(i);
            if (o instanceof Done d) {
                out.add(d.built());
                builtNames.add(name + (d.built().remembered() ? " (in the store)" : ""));
            } else if (o instanceof Failed f) {
                first = first == null ? f.error() : first;
                String code = f.error() instanceof KilnException k ? k.code() : f.error().getClass().getSimpleName();
                failedLines.add(name + " (" + code + ")");
            } else {
                blockedLines.add(name + " (needs " + String.join(", ", ((Blocked) o).failed()) + ")");
            }
        }
        if (first == null) {
            return out;
        }
        if (failedLines.size() == 1 && blockedLines.isEmpty()) {
            throw first; // one recipe failed and stopped nothing else: its own error says it all
        }
        throw new RecipeException(RecipeException.Kind.NOT_BUILT, (failedLines.size() + blockedLines.size()) + " of "
                + outcomes.size() + " recipes were not built; nothing was published"
                + "\n  failed: " + String.join(", ", failedLines)
                + (blockedLines.isEmpty() ? "" : "\n  not built, a recipe they need failed: " + String.join(", ", blockedLines))
                + (builtNames.isEmpty() ? "" : "\n  built: " + String.join(", ", builtNames))
                + "\n  first failure: " + first.getMessage().indent(2).strip()
                + "\n  fix: fix the failing recipes and build again (what was built is in the store: it is not built again)", first);
    }
}
