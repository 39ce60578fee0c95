package dev.kiln.api;

import dev.kiln.builder.RecipeException;
import dev.kiln.builder.recipe.Relations;
import dev.kiln.builder.recipe.Subpackage;
import dev.kiln.resolver.lock.Lock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The build order of a set of locked recipes: recipe A needs recipe B when a package of A's solved
 * environment (its lock's closure, so a dependency of a dependency counts) is one B makes — its
 * name, a subpackage's, or a name one of them {@code Provides}; or when A's lock pins a package as
 * coming from recipe B ({@link Lock.FromRecipe}: the recipes were locked together). A recipe's own
 * packages in its environment (an older build of itself) make no edge.
 */
final class RecipeGraph {
    private final List<RecipeBuilding.Locked> recipes;
    /** For each recipe (by index), the indexes of the recipes it needs, in file order. */
    private final List<Set<Integer>> needs;
    /** For each recipe, the environment package names another recipe of the set makes, with the maker's index. */
    private final List<Map<String, Integer>> madeBy;

    /** For each recipe, the packages its lock pins as coming from a recipe, with that recipe's index. */
    private final List<Map<String, Integer>> fromRecipes;

    private RecipeGraph(List<RecipeBuilding.Locked> recipes, List<Set<Integer>> needs, List<Map<String, Integer>> madeBy,
                        List<Map<String, Integer>> fromRecipes) {
        this.recipes = recipes;
        this.needs = needs;
        this.madeBy = madeBy;
        this.fromRecipes = fromRecipes;
    }

    /**
     * The recipe files named by {@code paths}: a file as it is, a directory as every {@code *.yaml}
     * directly in it, sorted by name; each once, in the order first named.
     */
    static List<Path> files(List<Path> paths) {
        Set<Path> out = new LinkedHashSet<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> list = Files.list(p)) {
                    list.filter(f -> f.getFileName().toString().endsWith(".yaml") && Files.isRegularFile(f)).sorted()
                            .forEach(f -> out.add(f.normalize()));
                } catch (IOException e) {
                    throw new RecipeException(RecipeException.Kind.SPEC, "cannot list the recipes in " + p + ": " + e.getMessage()
                            + "\n  fix: name a readable directory of recipes (NAME.yaml) or the recipe files", e);
                }
            } else {
                out.add(p.normalize());
            }
        }
        if (out.isEmpty()) {
            throw new RecipeException(RecipeException.Kind.SPEC, "no recipe in " + paths
                    + "\n  expected: at least one NAME.yaml\n  fix: name a directory holding recipes, or the recipe files");
        }
        return List.copyOf(out);
    }

    /**
     * The graph of {@code recipes} for {@code arch}.
     *
     * @throws RecipeException {@code recipe.cycle} naming the recipes of a cycle, in order
     */
    static RecipeGraph of(List<RecipeBuilding.Locked> recipes, String arch) {
        Map<String, Integer> makers = new TreeMap<>();
        for (int i = 0; i < recipes.size(); i++) {
            for (String name : made(recipes.get(i))) {
                makers.putIfAbsent(name, i);
            }
        }
        List<Set<Integer>> needs = new ArrayList<>();
        List<Map<String, Integer>> madeBy = new ArrayList<>();
        List<Map<String, Integer>> fromRecipes = new ArrayList<>();
        for (int i = 0; i < recipes.size(); i++) {
            Set<Integer> n = new TreeSet<>();
            Map<String, Integer> m = new TreeMap<>();
            for (Lock.Package p : recipes.get(i).lock().environment().packages(arch)) {
                Integer maker = makers.get(p.name());
                if (maker != null && maker != i) {
                    n.add(maker);
                    m.put(p.name(), maker);
                }
            }
            Map<String, Integer> r = new TreeMap<>();
            for (Lock.FromRecipe p : recipes.get(i).lock().environment().fromRecipes(arch)) {
                int maker = makerOf(recipes, i, p);
                n.add(maker);
                r.put(p.name(), maker);
            }
            needs.add(n);
            madeBy.add(m);
            fromRecipes.add(r);
        }
        RecipeGraph g = new RecipeGraph(List.copyOf(recipes), needs, madeBy, fromRecipes);
        g.requireAcyclic();
        return g;
    }

    /**
     * The index of the recipe that makes {@code p}, a package recipe {@code i}'s lock pins as coming
     * from a recipe: it must be among {@code recipes} and still make that package at that version.
     */
    private static int makerOf(List<RecipeBuilding.Locked> recipes, int i, Lock.FromRecipe p) {
        RecipeBuilding.Locked l = recipes.get(i);
        for (int j = 0; j < recipes.size(); j++) {
            var maker = recipes.get(j).recipe();
            if (j == i || !maker.name().equals(p.recipe())) {
                continue;
            }
            boolean makesIt = maker.name().equals(p.name()) || maker.subpackages().stream().anyMatch(sp -> sp.name().equals(p.name()));
            if (!makesIt || !maker.debianVersion().equals(p.version()) || !maker.canonicalDigest().equals(p.recipeDigest())) {
                String now = !makesIt ? "now makes no package " + p.name()
                        : !maker.debianVersion().equals(p.version()) ? "now makes " + p.name() + " " + maker.debianVersion()
                        : "was changed since (recipe digest " + p.recipeDigest().shortHex() + ", now "
                                + maker.canonicalDigest().shortHex() + ")";
                throw new RecipeException(RecipeException.Kind.LOCK, "the lock of " + l.recipe().name() + " pins " + p.describe()
                        + ", but recipe " + maker.name() + " " + now + "\n  lock: " + l.lockFile()
                        + "\n  fix: lock the recipes again, together (their directory), so that the pin follows the recipe");
            }
            return j;
        }
        throw new RecipeException(RecipeException.Kind.LOCK, "the lock of " + l.recipe().name() + " pins " + p.describe()
                + ", but no recipe " + p.recipe() + " is among the recipes to build\n  lock: " + l.lockFile()
                + "\n  fix: build " + l.recipe().name() + " together with recipe " + p.recipe() + " (name their directory)");
    }

    /** The names of the packages a recipe makes: its own, its subpackages', and what they provide. */
    static Set<String> made(RecipeBuilding.Locked l) {
        Set<String> out = new TreeSet<>();
        out.add(l.recipe().name());
        provided(l.recipe().dependencies(), out);
        for (Subpackage s : l.recipe().subpackages()) {
            out.add(s.name());
            provided(s.dependencies(), out);
        }
        return out;
    }

    private static void provided(Relations r, Set<String> out) {
        for (String p : r.provides()) {
            out.add(p.split("[\\s(]", 2)[0]);
        }
    }

    int size() {
        return recipes.size();
    }

    RecipeBuilding.Locked recipe(int i) {
        return recipes.get(i);
    }

    Set<Integer> needs(int i) {
        return needs.get(i);
    }

    /** The packages of recipe {@code i}'s environment that recipe another recipe makes, with that recipe's index. */
    Map<String, Integer> madeBy(int i) {
        return madeBy.get(i);
    }

    /** The packages recipe {@code i}'s lock pins as coming from a recipe, with that recipe's index. */
    Map<String, Integer> fromRecipes(int i) {
        return fromRecipes.get(i);
    }

    /** Every recipe after the ones it needs; otherwise in file order. */
    List<Integer> order() {
        List<Integer> out = new ArrayList<>();
        boolean[] done = new boolean[recipes.size()];
        for (int i = 0; i < recipes.size(); i++) {
            visit(i, done, out);
        }
        return out;
    }

    private void visit(int i, boolean[] done, List<Integer> out) {
        if (done[i]) {
            return;
        }
        done[i] = true;
        for (int n : needs.get(i)) {
            visit(n, done, out);
        }
        out.add(i);
    }

    private void requireAcyclic() {
        int[] state = new int[recipes.size()]; // 0 not seen, 1 on the path, 2 done
        for (int i = 0; i < recipes.size(); i++) {
            List<Integer> path = new ArrayList<>();
            cycleFrom(i, state, path);
        }
    }

    private void cycleFrom(int i, int[] state, List<Integer> path) {
        if (state[i] == 2) {
            return;
        }
        if (state[i] == 1) {
            List<String> members = new ArrayList<>();
            for (int p : path.subList(path.indexOf(i), path.size())) {
                members.add(recipes.get(p).recipe().name());
            }
            members.add(recipes.get(i).recipe().name());
            Map<String, String> files = new LinkedHashMap<>();
            for (int p : path.subList(path.indexOf(i), path.size())) {
                files.put(recipes.get(p).recipe().name(), recipes.get(p).recipe().file().toString());
            }
            throw new RecipeException(RecipeException.Kind.CYCLE, "the recipes " + String.join(" -> ", members)
                    + " need each other's packages in their environments: none can be built first\n  recipes: " + files.values()
                    + "\n  expected: recipes whose needs form no cycle\n  fix: take the package one of them needs out of its"
                    + " environment (or build it from another recipe)");
        }
        state[i] = 1;
        path.add(i);
        for (int n : needs.get(i)) {
            cycleFrom(n, state, path);
        }
        path.remove(path.size() - 1);
        state[i] = 2;
    }
}
