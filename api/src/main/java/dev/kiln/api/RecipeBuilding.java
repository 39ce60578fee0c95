package dev.kiln.api;

import dev.kiln.builder.build.RecipeBuilder;
import dev.kiln.builder.env.BuildEnvironment;
import dev.kiln.builder.recipe.Recipe;
import dev.kiln.builder.recipe.RecipeLock;
import dev.kiln.builder.recipe.RecipeLocking;
import dev.kiln.builder.recipe.RecipeParser;
import dev.kiln.builder.repo.DebRepository;
import dev.kiln.builder.repo.PgpSigningKey;
import dev.kiln.builder.sandbox.Sandbox;
import dev.kiln.store.Digest;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code kiln recipe build}: each locked recipe built (or found by its build key) in the order of
 * {@link RecipeGraph}, independent ones at the same time ({@link RecipeScheduling}), then every
 * package published into the signed repository in one go, so that a failure in any recipe leaves
 * the repository as it was.
 */
final class RecipeBuilding {
    private RecipeBuilding() {
    }

    /** A recipe and its lock, read and held together. */
    record Locked(Recipe recipe, RecipeLock lock, Path lockFile) {
    }

    static RecipeBuildResult build(Session s, RecipeBuildRequest request) {
        // everything is read and checked before anything is built: a wrong key, a stale lock or a cycle fails at once
        Optional<PgpSigningKey> key = request.signingKey().map(PgpSigningKey::load);
        List<Locked> locked = new ArrayList<>();
        for (Path file : RecipeGraph.files(request.recipes())) {
            locked.add(read(s, file, request.architecture()));
        }
        RecipeGraph graph = RecipeGraph.of(locked, request.architecture());
        RecipeBuilder builder = builder(s);
        int jobs = request.jobs() == 0 ? Runtime.getRuntime().availableProcessors() : request.jobs();
        List<RecipeBuilder.Built> made = RecipeScheduling.run(s, builder, graph, request.epoch(), request.rebuild(), jobs,
                request.secrets());
        List<RecipeBuildResult.Built> out = new ArrayList<>();
        for (int i = 0; i < locked.size(); i++) {
            Locked l = locked.get(i);
            RecipeBuilder.Built b = made.get(i);
            out.add(new RecipeBuildResult.Built(l.recipe().file(), l.recipe().name(), l.recipe().debianVersion(), b.key().toString(),
                    b.epoch(), b.remembered(), b.packages().stream().map(p -> file(p, builder.file(p))).toList()));
        }
        Optional<RecipeBuildResult.Repository> repo = Optional.empty();
        if (request.repository().isPresent()) {
            List<Path> debs = new ArrayList<>();
            long newest = 0;
            for (RecipeBuilder.Built b : made) {
                b.packages().forEach(p -> debs.add(builder.file(p)));
                newest = Math.max(newest, b.epoch());
            }
            Path dir = request.repository().get();
            DebRepository.Published p = DebRepository.publish(dir, request.suite(), debs, key.orElseThrow(), Instant.ofEpochSecond(newest));
            s.events.phase("repository published");
            repo = Optional.of(new RecipeBuildResult.Repository(dir, request.suite(), p.added(), p.unchanged(), p.changed(), p.date()));
            List<RecipeBuildResult.Built> inPool = new ArrayList<>();
            for (RecipeBuildResult.Built b : out) {
                inPool.add(new RecipeBuildResult.Built(b.recipe(), b.name(), b.version(), b.buildKey(), b.epoch(), b.remembered(),
                        b.packages().stream().map(f -> new RecipeBuildResult.PackageFile(f.name(), f.version(), f.architecture(),
                                f.sha256(), f.size(), dir.resolve(DebRepository.poolPath(f.name(), f.version(), f.architecture()))))
                                .toList()));
            }
            out = inPool;
        }
        return new RecipeBuildResult(out, repo);
    }

    static Locked read(Session s, Path file, String arch) {
        Recipe recipe = RecipeParser.parse(file, s.mirrors);
        Path lockFile = RecipeLocking.lockFile(file);
        RecipeLock lock = RecipeLocking.read(lockFile);
        RecipeLocking.requireCurrent(recipe, lock, lockFile, arch);
        return new Locked(recipe, lock, lockFile);
    }

    static RecipeBuilder builder(Session s) {
        return new RecipeBuilder(s.store(), RecipeLocks.sources(s), Sandbox.onPath(s.toolPath));
    }

    /**
     * Builds one locked recipe, its environment's packages fetched first when the build is not
     * remembered. Where builds run at the same time, what they share in the store (fetching the
     * environment, unpacking its packages, writing its root) is done by one at a time, holding
     * {@code prepare}; the steps run side by side. {@code secrets} are the secrets' values by id
     * (asked for only when the recipe is built).
     */
    static RecipeBuilder.Built build(Session s, RecipeBuilder builder, Locked l, Epoch epoch, boolean rebuild, Object prepare,
                                     Map<String, Supplier<byte[]>> secrets) {
        long seconds = epoch.seconds().orElse(RecipeBuilder.epochOf(l.lock()));
        Digest key = RecipeBuilder.key(l.recipe(), l.lock(), seconds);
        String name = l.recipe().name();
        String version = l.recipe().debianVersion();
        if (!rebuild) {
            Optional<RecipeBuilder.Built> hit = builder.remembered(key);
            if (hit.isPresent()) {
                s.events.emit(new RecipeEvent.Finished(name, version, key.toString(), true));
                return hit.get();
            }
        }
        s.events.emit(new RecipeEvent.Started(name, version, key.toString()));
        BuildEnvironment.Root root;
        synchronized (prepare) {
            Fetching.fetch(s, l.lockFile(), l.lock().environment(), false, l.recipe().file().toAbsolutePath().getParent());
            s.events.phase("environment fetched");
            root = builder.environment(l.recipe(), l.lock(), seconds);
        }
        RecipeBuilder.Built b = builder.build(l.recipe(), l.lock(), seconds, root, new RecipeBuilder.Listener() {
            @Override
            public void step(String recipe, String step) {
                s.events.emit(new RecipeEvent.Step(recipe, step));
            }

            @Override
            public void line(String recipe, String step, String line) {
                if (s.events.wants(RecipeEvent.Output.class)) {
                    s.events.emit(new RecipeEvent.Output(recipe, step, line));
                }
            }
        }, secrets);
        s.events.phase("recipe built");
        s.events.emit(new RecipeEvent.Finished(name, version, key.toString(), false));
        return b;
    }

    private static RecipeBuildResult.PackageFile file(RecipeBuilder.Package p, Path file) {
        return new RecipeBuildResult.PackageFile(p.name(), p.version(), p.architecture(), p.sha256().toString(), p.size(), file);
    }
}
