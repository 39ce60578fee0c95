package dev.kiln.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.testing.ToolsRepository;
import dev.kiln.builder.RecipeException;
import dev.kiln.builder.repo.PgpKeys;
import dev.kiln.store.Digest;
import dev.kiln.store.MemoStep;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several recipes built as a graph, hermetically: recipes whose environments take packages other
 * recipes make (from a signed {@code file:} repository they were published into), built each once
 * in the order they need, independent ones at the same time, a cycle refused, a failure stopping
 * only what needs it, and a dependency rebuilt to the same bytes leaving its dependents alone.
 */
class RecipeDagTest {
    private static final Instant CREATED = Instant.parse("2025-03-04T05:06:07Z");

    @TempDir
    static Path shared;
    private static ToolsRepository tools;

    @TempDir
    Path dir;
    private Path packages;
    private Path repo;
    private PgpKeys.Written key;

    @BeforeAll
    static void toolsRepository() throws Exception {
        tools = ToolsRepository.write(shared, CREATED);
    }

    @BeforeEach
    void repository() throws Exception {
        packages = Files.createDirectories(dir.resolve("packages"));
        repo = dir.resolve("repo");
        key = PgpKeys.write(Files.createDirectories(dir.resolve("keys")), "recipes", CREATED);
    }

    /** A recipe whose environment is the tools and {@code needs} (from the recipes repository), running {@code script}. */
    private Path recipe(String name, List<String> needs, String script) throws Exception {
        return recipe(name, "1.0", needs, !needs.isEmpty(), script);
    }

    /**
     * A recipe of {@code version} whose environment is the tools and {@code needs}, naming the recipes
     * repository when {@code recipesLine} (else its needs can only come from recipes locked with it).
     */
    private Path recipe(String name, String version, List<String> needs, boolean withRecipesLine, String script) throws Exception {
        List<String> env = new ArrayList<>(List.of("tools"));
        env.addAll(needs);
        String recipesLine = !withRecipesLine ? "" : "\n      - deb [signed-by=" + key.publicKey() + "] file:" + repo + " recipes main";
        return Files.writeString(packages.resolve(name + ".yaml"), """
                package:
                  name: %s
                  version: %s
                  epoch: 0
                  description: a recipe of the graph
                  copyright: [{license: MIT}]
                environment:
                  contents:
                    repositories:
                      - %s%s
                    packages: [%s]
                pipeline:
                  - name: install
                    runs: |
                      mkdir -p "${{targets.destdir}}/usr/share/%s"
                      echo %s > "${{targets.destdir}}/usr/share/%s/marker"
                %s""".formatted(name, version, tools.line(), recipesLine, String.join(", ", env), name, name, name,
                script.indent(6)));
    }

    /** A recipe whose step checks that the markers of {@code needs} are in its environment. */
    private Path needing(String name, String... needs) throws Exception {
        StringBuilder checks = new StringBuilder();
        for (String n : needs) {
            checks.append("test -f /usr/share/").append(n).append("/marker\n");
        }
        return recipe(name, List.of(needs), checks.toString());
    }

    /** A recipe that checks the markers of {@code needs}, which it can only take from recipes locked with it. */
    private Path fromRecipes(String name, String... needs) throws Exception {
        StringBuilder checks = new StringBuilder();
        for (String n : needs) {
            checks.append("test -f /usr/share/").append(n).append("/marker\n");
        }
        return recipe(name, "1.0", List.of(needs), false, checks.toString());
    }

    /** A kiln on {@code store} whose events go to {@code events}, added one at a time (they come from several threads). */
    private Kiln kiln(String store, List<KilnEvent> events) {
        return Kiln.builder().store(dir.resolve(store)).keys(tools.publicKey()).addEventHandler(KilnEvent.class, e -> {
            synchronized (events) {
                events.add(e);
            }
        }).open();
    }

    /** Locks {@code recipes} and builds them into the repository, one after the other, in a store of their own. */
    private RecipeBuildResult lockAndPublish(Path... recipes) {
        try (Kiln kiln = kiln("staging-store", new ArrayList<>())) {
            kiln.recipeLock(RecipeLockRequest.of(List.of(recipes), "amd64"));
            return kiln.recipeBuild(RecipeBuildRequest.of(List.of(recipes), "amd64").withJobs(1).withRepository(repo, key.secretKey()));
        }
    }

    /** The diamond: base; left and right on base; top on left and right. Each locked against what the others published. */
    private void diamond() throws Exception {
        lockAndPublish(recipe("base", List.of(), ""));
        lockAndPublish(needing("left", "base"), needing("right", "base"));
        Path top = needing("top", "left", "right");
        try (Kiln kiln = kiln("staging-store", new ArrayList<>())) {
            kiln.recipeLock(RecipeLockRequest.of(List.of(top), "amd64"));
        }
    }

    private static Map<String, Long> started(List<KilnEvent> events) {
        return events.stream().filter(e -> e instanceof RecipeEvent.Started).map(e -> ((RecipeEvent.Started) e).recipe())
                .collect(Collectors.groupingBy(r -> r, TreeMap::new, Collectors.counting()));
    }

    private static int indexOf(List<KilnEvent> events, Class<?> type, String recipe) {
        for (int i = 0; i < events.size(); i++) {
            KilnEvent e = events.get(i);
            if (type.isInstance(e) && (e instanceof RecipeEvent.Started s && s.recipe().equals(recipe)
                    || e instanceof RecipeEvent.Finished f && f.recipe().equals(recipe))) {
                return i;
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " of " + recipe + " in " + events);
    }

    @Test
    void aDiamondBuildsEachRecipeOnceTheIndependentOnesAtTheSameTimeAndAnUnchangedDependencyCutsOff() throws Exception {
        diamond();
        // a fresh store: all four build. left and right each wait (bounded) in their first step until the other's has
        // started: with one build at a time they would not meet
        List<KilnEvent> events = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch leftIn = new CountDownLatch(1);
        CountDownLatch rightIn = new CountDownLatch(1);
        List<String> met = Collections.synchronizedList(new ArrayList<>());
        RecipeBuildResult first;
        try (Kiln kiln = Kiln.builder().store(dir.resolve("store")).keys(tools.publicKey())
                .addEventHandler(KilnEvent.class, events::add)
                .addEventHandler(RecipeEvent.Step.class, e -> {
                    CountDownLatch mine = e.recipe().equals("left") ? leftIn : e.recipe().equals("right") ? rightIn : null;
                    if (mine == null) {
                        return;
                    }
                    mine.countDown();
                    try {
                        if ((mine == leftIn ? rightIn : leftIn).await(60, TimeUnit.SECONDS)) {
                            met.add(e.recipe());
                        }
                    } catch (InterruptedException x) {
                        Thread.currentThread().interrupt();
                    }
                }).open()) {
            first = kiln.recipeBuild(RecipeBuildRequest.of(List.of(packages), "amd64").withJobs(2).withRepository(repo, key.secretKey()));
        }
        assertEquals(List.of("left", "right"), met.stream().sorted().toList(), "left and right built at the same time");
        assertEquals(Map.of("base", 1L, "left", 1L, "right", 1L, "top", 1L), started(events));
        assertEquals(List.of("base", "left", "right", "top"), first.recipes().stream().map(RecipeBuildResult.Built::name).toList());
        assertTrue(first.recipes().stream().noneMatch(RecipeBuildResult.Built::remembered));
        // each after what it needs
        assertTrue(indexOf(events, RecipeEvent.Finished.class, "base") < indexOf(events, RecipeEvent.Started.class, "left"));
        assertTrue(indexOf(events, RecipeEvent.Finished.class, "base") < indexOf(events, RecipeEvent.Started.class, "right"));
        assertTrue(indexOf(events, RecipeEvent.Finished.class, "left") < indexOf(events, RecipeEvent.Started.class, "top"));
        assertTrue(indexOf(events, RecipeEvent.Finished.class, "right") < indexOf(events, RecipeEvent.Started.class, "top"));
        // the same bytes the staging builds published: only top is new to the repository
        assertEquals(List.of("pool/main/t/top/top_1.0-0kiln1_amd64.deb"), first.repository().orElseThrow().added());

        // again: every build is a lookup
        events.clear();
        try (Kiln kiln = kiln("store", events)) {
            RecipeBuildResult warm = kiln.recipeBuild(RecipeBuildRequest.of(List.of(packages), "amd64").withJobs(2));
            assertTrue(warm.recipes().stream().allMatch(RecipeBuildResult.Built::remembered), warm.toString());
        }
        assertEquals(Map.of(), started(events));

        // base's build forgotten: base builds again, to the same bytes, and its dependents' keys are what they were
        Digest baseKey = Digest.parse(first.recipes().get(0).buildKey());
        Files.delete(dir.resolve("store/memo").resolve(MemoStep.RECIPE_BUILD.id()).resolve(baseKey.hex()));
        events.clear();
        RecipeBuildResult cut;
        try (Kiln kiln = kiln("store", events)) {
            cut = kiln.recipeBuild(RecipeBuildRequest.of(List.of(packages), "amd64").withJobs(2));
        }
        assertEquals(Map.of("base", 1L), started(events));
        assertFalse(cut.recipes().get(0).remembered());
        assertEquals(first.recipes().get(0).packages().get(0).sha256(), cut.recipes().get(0).packages().get(0).sha256());
        assertEquals(List.of(true, true, true), cut.recipes().subList(1, 4).stream().map(RecipeBuildResult.Built::remembered).toList());
    }

    @Test
    void aCycleIsRefusedNamingItsMembersBeforeAnythingBuilds() throws Exception {
        lockAndPublish(recipe("aaa", List.of(), ""));
        lockAndPublish(needing("bbb", "aaa"));
        Path aaa = needing("aaa", "bbb"); // now aaa's environment takes bbb, which takes aaa
        try (Kiln kiln = kiln("staging-store", new ArrayList<>())) {
            kiln.recipeLock(RecipeLockRequest.of(List.of(aaa), "amd64"));
        }
        List<KilnEvent> events = Collections.synchronizedList(new ArrayList<>());
        try (Kiln kiln = kiln("store", events)) {
            RecipeException e = assertThrows(RecipeException.class,
                    () -> kiln.recipeBuild(RecipeBuildRequest.of(List.of(packages), "amd64")));
            assertEquals("recipe.cycle", e.code());
            assertTrue(e.getMessage().contains("aaa -> bbb -> aaa"), e.getMessage());
        }
        assertEquals(Map.of(), started(events));
    }

    @Test
    void aFailingRecipeStopsOnlyWhatNeedsItAndNothingIsPublished() throws Exception {
        lockAndPublish(recipe("bad", List.of(), ""));
        lockAndPublish(needing("needsbad", "bad"));
        recipe("bad", List.of(), "echo the reason >&2\nexit 3");
        recipe("fine", List.of(), "");
        try (Kiln kiln = kiln("staging-store", new ArrayList<>())) {
            kiln.recipeLock(RecipeLockRequest.of(List.of(packages.resolve("bad.yaml"), packages.resolve("fine.yaml")), "amd64"));
        }
        long mtime = Files.getLastModifiedTime(repo.resolve("dists/recipes/InRelease")).toMillis();
        List<KilnEvent> events = Collections.synchronizedList(new ArrayList<>());
        try (Kiln kiln = kiln("store", events)) {
            RecipeException e = assertThrows(RecipeException.class, () -> kiln.recipeBuild(
                    RecipeBuildRequest.of(List.of(packages), "amd64").withJobs(2).withRepository(repo, key.secretKey())));
            assertEquals("recipe.not-built", e.code());
            assertTrue(e.getMessage().contains("failed: bad (recipe.step-failed)"), e.getMessage());
            assertTrue(e.getMessage().contains("not built, a recipe they need failed: needsbad (needs bad)"), e.getMessage());
            assertTrue(e.getMessage().contains("built: fine"), e.getMessage());
            assertTrue(e.getMessage().contains("the reason"), e.getMessage());
        }
        assertEquals(Map.of("bad", 1L, "fine", 1L), started(events));
        assertTrue(events.stream().anyMatch(x -> x instanceof RecipeEvent.Finished f && f.recipe().equals("fine")));
        assertTrue(events.stream().anyMatch(x -> x instanceof RecipeEvent.Stopped s && s.recipe().equals("needsbad")
                && s.reason().equals("needs bad, which failed")), events.toString());
        assertEquals(mtime, Files.getLastModifiedTime(repo.resolve("dists/recipes/InRelease")).toMillis(), "nothing published");
    }

    @Test
    void aDependencyBuiltToOtherBytesThanItsDependentsLockPinsStopsTheDependent() throws Exception {
        lockAndPublish(recipe("base", List.of(), ""));
        lockAndPublish(needing("left", "base"));
        Path base = recipe("base", List.of(), "echo changed > \"${{targets.destdir}}/usr/share/base/more\"");
        try (Kiln kiln = kiln("staging-store", new ArrayList<>())) {
            kiln.recipeLock(RecipeLockRequest.of(List.of(base), "amd64"));
        }
        List<KilnEvent> events = Collections.synchronizedList(new ArrayList<>());
        try (Kiln kiln = kiln("store", events)) {
            RecipeException e = assertThrows(RecipeException.class,
                    () -> kiln.recipeBuild(RecipeBuildRequest.of(List.of(packages), "amd64")));
            assertEquals("recipe.lock", e.code());
            assertTrue(e.getMessage().contains("the lock of left pins base 1.0-0kiln1 as sha256:")
                    && e.getMessage().contains("lock left again"), e.getMessage());
        }
        assertEquals(Map.of("base", 1L), started(events), "left is not built against stale bytes");
    }

    @Test
    void anImageBuildBuildsTheRecipesItNeedsFromAnEmptyStoreAndASecondRunIsAllLookups() throws Exception {
        Path one = recipe("one", List.of(), "");
        Path two = recipe("two", List.of(), "");
        try (Kiln kiln = kiln("staging-store", new ArrayList<>())) {
            RecipeLockResult locked = kiln.recipeLock(RecipeLockRequest.of(List.of(packages), "amd64")); // a directory
            assertEquals(List.of(one, two), locked.recipes().stream().map(RecipeLockResult.Locked::recipe).toList());
        }
        Path spec = Files.writeString(dir.resolve("image.yaml"), """
                contents:
                  repositories:
                    - %s
                    - deb [signed-by=%s] file:repo recipes main
                  packages: [one, two]
                archs: [amd64]
                """.formatted(tools.line(), key.publicKey()));
        BuildRequest request = BuildRequest.of(Spec.load(spec)).to(Target.layout(dir.resolve("image")))
                .withRecipes(RecipeBuildRequest.of(List.of(packages), "amd64").withRepository(repo, key.secretKey()));
        List<KilnEvent> events = Collections.synchronizedList(new ArrayList<>());
        BuildResult first;
        try (Kiln kiln = kiln("store", events)) {
            first = kiln.build(request);
        }
        assertEquals(Map.of("one", 1L, "two", 1L), started(events));
        String lock = Files.readString(dir.resolve("image.lock.json"));
        assertTrue(lock.contains("one_1.0-0kiln1_amd64.deb") && lock.contains("two_1.0-0kiln1_amd64.deb"), lock);

        long mtime = Files.getLastModifiedTime(repo.resolve("dists/recipes/InRelease")).toMillis();
        events.clear();
        BuildResult second;
        try (Kiln kiln = kiln("store", events)) {
            second = kiln.build(request);
        }
        assertEquals(first.digest(), second.digest());
        assertEquals(Map.of(), started(events));
        assertEquals(2L, events.stream().filter(e -> e instanceof RecipeEvent.Finished f && f.remembered()).count());
        assertTrue(events.stream().noneMatch(e -> e instanceof FetchEvent.Started), "nothing downloaded");
        assertEquals(mtime, Files.getLastModifiedTime(repo.resolve("dists/recipes/InRelease")).toMillis(), "repository unchanged");

        // a recipe changed (its epoch bumped, so a new version): the image takes what it now makes,
        // the image's other pins stay as they were
        Files.writeString(two, Files.readString(two).replace("epoch: 0", "epoch: 1").replace("echo two", "echo two again"));
        try (Kiln kiln = kiln("staging-store", new ArrayList<>())) {
            kiln.recipeLock(RecipeLockRequest.of(List.of(packages), "amd64"));
        }
        String before = Files.readString(dir.resolve("image.lock.json"));
        events.clear();
        try (Kiln kiln = kiln("store", events)) {
            kiln.build(request);
        }
        assertEquals(Map.of("two", 1L), started(events));
        String after = Files.readString(dir.resolve("image.lock.json"));
        assertTrue(after.contains("two_1.0-1kiln1_amd64.deb") && !after.contains("two_1.0-0kiln1_amd64.deb"), after);
        assertEquals(lines(before, "one_1.0-0kiln1"), lines(after, "one_1.0-0kiln1"), "one's pin is kept");
        assertTrue(events.stream().anyMatch(e -> e instanceof BuildWarningEvent w
                && w.message().equals("the lock's pin of two moved: 1.0-0kiln1 -> 1.0-1kiln1 (its recipe built other bytes than the lock pinned)")),
                events.toString());
    }

    /** The lines of a lock around the one naming {@code file} (its pin). */
    private static List<String> lines(String lock, String file) {
        List<String> all = lock.lines().toList();
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).contains(file)) {
                return all.subList(Math.max(0, i - 6), Math.min(all.size(), i + 6));
            }
        }
        throw new AssertionError(file + " is not in the lock");
    }

    @Test
    void aDiamondLocksInOneGoFromNoRepositoryBuildsInOneGoAndCutsOffOnItsRecipePins() throws Exception {
        recipe("base", List.of(), "");
        fromRecipes("left", "base");
        fromRecipes("right", "base");
        Path top = fromRecipes("top", "left", "right");
        try (Kiln kiln = kiln("staging-store", new ArrayList<>())) {
            kiln.recipeLock(RecipeLockRequest.of(List.of(packages), "amd64")); // one call, no repository anywhere
            RecipeLockResult check = kiln.recipeLock(RecipeLockRequest.of(List.of(packages), "amd64")
                    .withAction(RecipeLockRequest.Action.CHECK));
            assertTrue(check.recipes().stream().allMatch(r -> r.changes().isEmpty()), "up to date: " + check);
        }
        assertFalse(Files.exists(repo));
        byte[] topLock = Files.readAllBytes(packages.resolve("top.lock.json"));
        String text = new String(topLock, java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(text.contains("\"fromRecipes\"") && text.contains("\"name\": \"left\"") && text.contains("\"name\": \"right\""), text);
        dev.kiln.builder.recipe.RecipeLock read = dev.kiln.builder.recipe.RecipeLockJson.read(topLock, "top.lock.json");
        assertEquals(List.of("left", "right"), read.environment().fromRecipes("amd64").stream().map(p -> p.name()).toList());
        assertTrue(read.environment().fromRecipes("amd64").stream().allMatch(p -> p.built().isEmpty()), "no sha256 before a build");
        assertTrue(read.environment().packages("amd64").stream().noneMatch(p -> p.name().equals("left")));
        assertEquals(text, new String(dev.kiln.builder.recipe.RecipeLockJson.write(read), java.nio.charset.StandardCharsets.UTF_8),
                "a lock with recipe pins survives a round trip");
        String baseLock = Files.readString(packages.resolve("base.lock.json"));
        assertFalse(baseLock.contains("fromRecipes"), "a lock without recipe pins has no such key: " + baseLock);
        assertTrue(baseLock.contains("\"recipeLockVersion\": 1,") && text.contains("\"recipeLockVersion\": 2,"), text);

        // built in one call from nothing: each recipe once, each dependent's environment holding its dependencies' files
        List<KilnEvent> events = Collections.synchronizedList(new ArrayList<>());
        RecipeBuildResult first;
        try (Kiln kiln = kiln("store", events)) {
            first = kiln.recipeBuild(RecipeBuildRequest.of(List.of(packages), "amd64").withJobs(2).withRepository(repo, key.secretKey()));
        }
        assertEquals(Map.of("base", 1L, "left", 1L, "right", 1L, "top", 1L), started(events));
        assertEquals(4, first.repository().orElseThrow().added().size());
        assertTrue(indexOf(events, RecipeEvent.Finished.class, "left") < indexOf(events, RecipeEvent.Started.class, "top"));
        // the carried lock is the filled one: top's package says which left and right it was built with
        byte[] carried = dev.kiln.builder.verify.CarriedRecipe.read(first.recipes().get(3).packages().get(0).file()).orElseThrow().lock();
        var filled = dev.kiln.builder.recipe.RecipeLockJson.read(carried, "carried");
        assertEquals(first.recipes().get(1).packages().get(0).sha256(),
                filled.environment().fromRecipes("amd64").get(0).built().orElseThrow().sha256().toString());
        assertArrayEquals(carried, dev.kiln.builder.recipe.RecipeLockJson.write(filled), "a filled lock survives a round trip");

        // again: all lookups
        events.clear();
        try (Kiln kiln = kiln("store", events)) {
            RecipeBuildResult warm = kiln.recipeBuild(RecipeBuildRequest.of(List.of(packages), "amd64").withJobs(2));
            assertTrue(warm.recipes().stream().allMatch(RecipeBuildResult.Built::remembered), warm.toString());
        }
        assertEquals(Map.of(), started(events));

        // base's build forgotten: it builds again to the same bytes, and the recipe pins fill to the same digests
        Files.delete(dir.resolve("store/memo").resolve(MemoStep.RECIPE_BUILD.id())
                .resolve(Digest.parse(first.recipes().get(0).buildKey()).hex()));
        events.clear();
        RecipeBuildResult cut;
        try (Kiln kiln = kiln("store", events)) {
            cut = kiln.recipeBuild(RecipeBuildRequest.of(List.of(packages), "amd64").withJobs(2));
        }
        assertEquals(Map.of("base", 1L), started(events));
        assertEquals(first.recipes().get(0).packages().get(0).sha256(), cut.recipes().get(0).packages().get(0).sha256());
        assertEquals(List.of(true, true, true), cut.recipes().subList(1, 4).stream().map(RecipeBuildResult.Built::remembered).toList());
        assertEquals(first.recipes().get(3).buildKey(), cut.recipes().get(3).buildKey());
        assertTrue(Files.exists(top));
    }

    @Test
    void aRecipePinWhoseRecipeNowMakesAnotherVersionIsRefusedBeforeAnythingBuilds() throws Exception {
        recipe("base", List.of(), "");
        fromRecipes("left", "base");
        try (Kiln kiln = kiln("staging-store", new ArrayList<>())) {
            kiln.recipeLock(RecipeLockRequest.of(List.of(packages), "amd64"));
        }
        Path base = recipe("base", "1.1", List.of(), false, "");
        try (Kiln kiln = kiln("staging-store", new ArrayList<>())) {
            kiln.recipeLock(RecipeLockRequest.of(List.of(base), "amd64")); // base alone: left's pin is now stale
            RecipeLockResult check = kiln.recipeLock(RecipeLockRequest.of(List.of(packages), "amd64")
                    .withAction(RecipeLockRequest.Action.CHECK));
            assertTrue(check.recipes().get(1).changes().stream().anyMatch(c -> c.startsWith("~ base:amd64 1.0-0kiln1")),
                    check.toString());
        }
        List<KilnEvent> events = Collections.synchronizedList(new ArrayList<>());
        try (Kiln kiln = kiln("store", events)) {
            RecipeException e = assertThrows(RecipeException.class,
                    () -> kiln.recipeBuild(RecipeBuildRequest.of(List.of(packages), "amd64")));
            assertEquals("recipe.lock", e.code());
            assertTrue(e.getMessage().contains("pins base 1.0-0kiln1 (amd64, from recipe base), but recipe base now makes base 1.1-0kiln1")
                    && e.getMessage().contains("lock the recipes again, together"), e.getMessage());
            // nor lock: what it took from base comes from nowhere else
            RecipeException relock = assertThrows(RecipeException.class,
                    () -> kiln.recipeLock(RecipeLockRequest.of(List.of(packages.resolve("left.yaml")), "amd64")));
            assertEquals("recipe.lock", relock.code());
            assertTrue(relock.getMessage().contains("its lock took base 1.0-0kiln1 (amd64, from recipe base) from recipes that are"
                    + " not locked with it now"), relock.getMessage());
            // a dependent alone cannot build: the recipe its pins come from must be built with it
            RecipeException alone = assertThrows(RecipeException.class,
                    () -> kiln.recipeBuild(RecipeBuildRequest.of(List.of(packages.resolve("left.yaml")), "amd64")));
            assertEquals("recipe.lock", alone.code());
            assertTrue(alone.getMessage().contains("no recipe base is among the recipes to build"), alone.getMessage());
        }
        assertEquals(Map.of(), started(events));
    }

    @Test
    void aRecipePinWhoseRecipeChangedAtTheSameVersionIsRefusedBeforeAnythingBuilds() throws Exception {
        recipe("base", List.of(), "");
        fromRecipes("left", "base");
        try (Kiln kiln = kiln("staging-store", new ArrayList<>())) {
            kiln.recipeLock(RecipeLockRequest.of(List.of(packages), "amd64"));
        }
        Path base = recipe("base", List.of(), "true"); // another step, the same version: only the recipe's digest tells
        try (Kiln kiln = kiln("staging-store", new ArrayList<>())) {
            kiln.recipeLock(RecipeLockRequest.of(List.of(base), "amd64"));
        }
        List<KilnEvent> events = Collections.synchronizedList(new ArrayList<>());
        try (Kiln kiln = kiln("store", events)) {
            RecipeException e = assertThrows(RecipeException.class,
                    () -> kiln.recipeBuild(RecipeBuildRequest.of(List.of(packages), "amd64")));
            assertEquals("recipe.lock", e.code());
            assertTrue(e.getMessage().contains("pins base 1.0-0kiln1 (amd64, from recipe base), but recipe base was changed since"
                    + " (recipe digest ") && e.getMessage().contains("lock the recipes again, together"), e.getMessage());
        }
        assertEquals(Map.of(), started(events));
        assertFalse(Files.exists(repo));
    }

    @Test
    void aSubpackageIsPinnedFromItsRecipeAndFilledWithWhatThatBuilt() throws Exception {
        Files.writeString(packages.resolve("lib.yaml"), """
                package: {name: lib, version: "2.0", description: a library, copyright: [{license: MIT}]}
                environment:
                  contents:
                    repositories: ["%s"]
                    packages: [tools]
                pipeline:
                  - runs: mkdir -p "${{targets.destdir}}/usr/share/lib"
                subpackages:
                  - name: lib-dev
                    dependencies: {provides: [lib-headers], replaces: ["lib-old (<< 2)"]}
                    pipeline:
                      - runs: |
                          mkdir -p "${{targets.subpkgdir}}/usr/share/lib-dev"
                          echo dev > "${{targets.subpkgdir}}/usr/share/lib-dev/marker"
                """.formatted(tools.line()));
        recipe("app", "1.0", List.of("lib-headers"), false, "test -f /usr/share/lib-dev/marker\n"); // a name lib-dev provides
        try (Kiln kiln = kiln("staging-store", new ArrayList<>())) {
            kiln.recipeLock(RecipeLockRequest.of(List.of(packages), "amd64"));
        }
        var pins = dev.kiln.builder.recipe.RecipeLocking.read(packages.resolve("app.lock.json")).environment().fromRecipes("amd64");
        assertEquals(List.of("lib-dev 2.0-0kiln1 (amd64, from recipe lib)"), pins.stream().map(p -> p.describe()).toList());
        RecipeBuildResult built;
        try (Kiln kiln = kiln("store", new ArrayList<>())) {
            built = kiln.recipeBuild(RecipeBuildRequest.of(List.of(packages), "amd64"));
        }
        RecipeBuildResult.PackageFile libDev = built.recipes().get(1).packages().get(1);
        assertEquals("lib-dev", libDev.name());
        String control = new String(new dev.kiln.assembler.deb.DebReader(dev.kiln.assembler.deb.UnpackLimits.DEFAULT)
                .readControlFile(libDev.file(), "lib-dev"), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(control.contains("\nProvides: lib-headers\nReplaces: lib-old (<< 2)\n"), control);
        byte[] carried = dev.kiln.builder.verify.CarriedRecipe.read(built.recipes().get(0).packages().get(0).file()).orElseThrow().lock();
        assertEquals(libDev.sha256(), dev.kiln.builder.recipe.RecipeLockJson.read(carried, "carried").environment().fromRecipes("amd64")
                .get(0).built().orElseThrow().sha256().toString());
    }

    @Test
    void aPackageBuiltWithRecipePinsVerifiesFromAnImageThatHoldsWhatItWasBuiltWith() throws Exception {
        recipe("base", List.of(), "");
        fromRecipes("top", "base");
        RecipeBuildResult built;
        try (Kiln kiln = kiln("store", new ArrayList<>())) {
            kiln.recipeLock(RecipeLockRequest.of(List.of(packages), "amd64"));
            built = kiln.recipeBuild(RecipeBuildRequest.of(List.of(packages), "amd64").withRepository(repo, key.secretKey()));
        }
        Path spec = Files.writeString(dir.resolve("image.yaml"), """
                contents:
                  repositories:
                    - %s
                    - deb [signed-by=%s] file:repo recipes main
                  packages: [base, top]
                archs: [amd64]
                """.formatted(tools.line(), key.publicKey()));
        try (Kiln kiln = kiln("store", new ArrayList<>())) {
            kiln.build(BuildRequest.of(Spec.load(spec)).to(Target.layout(dir.resolve("image"))));
            // alone, top cannot be rebuilt: base's package is in no repository of its lock, and not in a fresh store
            RecipeException alone = assertThrows(RecipeException.class, () -> kiln.recipeVerify(
                    RecipeVerifyRequest.ofPackage(built.recipes().get(1).packages().get(0).file(), "amd64")));
            assertEquals("recipe.lock", alone.code());
            assertTrue(alone.getMessage().contains("was built with base 1.0-0kiln1 (amd64, from recipe base)"), alone.getMessage());
        }
        try (Kiln kiln = Kiln.builder().store(dir.resolve("store")).keys(tools.publicKey()).context(dir).open()) {
            RecipeVerifyResult image = kiln.recipeVerify(RecipeVerifyRequest.ofImage(ImageRef.layout(dir.resolve("image")), "amd64"));
            assertEquals(List.of("base", "top"), image.packages().stream().map(RecipeVerifyResult.Checked::name).sorted().toList());
            assertTrue(image.identical(), image.toString());
        }
    }
}
