package dev.kiln.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.api.testing.ToolsRepository;
import dev.kiln.oci.testing.TestRegistry;
import dev.kiln.trust.KeyFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A recipe build shared through a registry: store A builds a recipe in the sandbox and pushes;
 * store B, empty, trusting A's key, takes the build from the cache by its key and runs no step.
 */
class SharedCacheRecipeTest {
    private static final Instant CREATED = Instant.parse("2025-03-04T05:06:07Z");

    @TempDir
    Path dir;

    @Test
    void aRecipeBuildComesFromTheCacheAndNoStepRuns() throws Exception {
        assumeTrue(TestRegistry.available(), "docker-registry is not installed");
        ToolsRepository tools = ToolsRepository.write(dir.resolve("tools"), CREATED);
        Path recipe = Files.createDirectories(dir.resolve("packages")).resolve("hi.yaml");
        Files.writeString(recipe, """
                package:
                  name: hi
                  version: 1.0
                  epoch: 0
                  description: says hi
                  copyright: [{license: MIT}]
                environment:
                  contents:
                    repositories:
                      - deb [signed-by=%s] file:%s tools main
                    packages: [tools]
                pipeline:
                  - name: install
                    runs: |
                      mkdir -p "${{targets.destdir}}/usr/share/doc/hi"
                      echo hi > "${{targets.destdir}}/usr/share/doc/hi/README"
                """.formatted(tools.publicKey(), tools.repository()));
        KeyFiles.Written ci = KeyFiles.generate(dir.resolve("keys"), "ci", Optional.empty(), false);
        try (TestRegistry registry = TestRegistry.start(dir.resolve("registry"))) {
            SharedCache cache = SharedCache.of(registry.host() + "/kiln/cache").trusting(ci.publicKey());
            List<KilnEvent> a = Collections.synchronizedList(new ArrayList<>());
            RecipeBuildResult built;
            try (Kiln kiln = kiln(dir.resolve("store-a"), tools, cache.pushingWith(ci.privateKey()), a)) {
                kiln.recipeLock(RecipeLockRequest.of(List.of(recipe), "amd64"));
                built = kiln.recipeBuild(RecipeBuildRequest.of(List.of(recipe), "amd64"));
            }
            assertFalse(built.recipes().get(0).remembered());
            assertTrue(a.stream().anyMatch(e -> e instanceof CacheEvent.Pushed p && p.entries() > 0), a.toString());

            List<KilnEvent> b = Collections.synchronizedList(new ArrayList<>());
            RecipeBuildResult again;
            try (Kiln kiln = kiln(dir.resolve("store-b"), tools, cache, b)) {
                again = kiln.recipeBuild(RecipeBuildRequest.of(List.of(recipe), "amd64"));
            }
            assertTrue(again.recipes().get(0).remembered());
            assertEquals(built.recipes().get(0).packages().get(0).sha256(), again.recipes().get(0).packages().get(0).sha256());
            assertTrue(b.stream().noneMatch(e -> e instanceof RecipeEvent.Step), "no sandbox ran: " + b);
            assertTrue(b.stream().anyMatch(e -> e instanceof CacheEvent.Hit h && h.step().equals("recipe-build-v1")), b.toString());
        }
    }

    private static Kiln kiln(Path store, ToolsRepository tools, SharedCache cache, List<KilnEvent> events) {
        return Kiln.builder().store(store).keys(tools.publicKey()).cache(cache).addEventHandler(KilnEvent.class, events::add).open();
    }
}
