package dev.kiln.builder.recipe;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.builder.RecipeException;
import dev.kiln.builder.source.GitTool;
import dev.kiln.builder.source.SourcePin;
import dev.kiln.builder.source.Sources;
import dev.kiln.fetcher.FetchListener;
import dev.kiln.fetcher.HttpTransport;
import dev.kiln.fetcher.testing.TestMirror;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.store.ContentStore;
import dev.kiln.store.Digest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecipeLockingTest {
    @TempDir
    Path tmp;

    static Lock environmentLock(String specPath, String version) {
        TreeMap<String, List<Lock.Package>> archs = new TreeMap<>();
        archs.put("amd64", List.of(new Lock.Package("make", version, "amd64", "make-dfsg", "pool/main/m/make-dfsg/make_" + version + "_amd64.deb",
                1234, Digest.of("make " + version), 0)));
        return new Lock(Lock.VERSION, new Lock.Spec(specPath, Digest.of("env")),
                List.of(new Lock.Repository("deb ${DEBIAN_MIRROR} bookworm main", Digest.of("release"), Instant.parse("2026-01-01T00:00:00Z"),
                        Optional.empty(), List.of())),
                new Lock.Options(Set.of(), Map.of(), false), archs);
    }

    @Test
    void aLockPinsTheRecipeTheEnvironmentAndEverySourceAndRoundTripsThroughItsJson() throws Exception {
        byte[] tarball = "not really a tarball, but pinned all the same".getBytes(UTF_8);
        try (TestMirror mirror = TestMirror.start(); ContentStore store = ContentStore.open(tmp.resolve("store"))) {
            mirror.serve("/pool/main/h/hello/hello_2.10.orig.tar.gz", tarball);
            Map<String, String> mirrors = Map.of("DEBIAN_MIRROR", mirror.uri("").toString());
            Path file = tmp.resolve("packages/hello.yaml");
            Files.createDirectories(file.getParent());
            Files.writeString(file, RecipeParserTest.HELLO.replace("31e066137a962676e89f69d1b65382de95a7ef7d914b8cb956f41ea72e0f516b",
                    Digest.of(tarball).hex()));
            Recipe recipe = RecipeParser.parse(file, mirrors);
            Sources sources = new Sources(HttpTransport.withDefaults(), store, mirrors, FetchListener.NONE, GitTool.installed());
            List<Optional<Lock>> previousSeen = new ArrayList<>();
            RecipeLocking.EnvironmentResolver env = (spec, specPath, arch, previous) -> {
                previousSeen.add(previous);
                assertEquals("hello.yaml", specPath);
                assertEquals(List.of("build-essential"), spec.contents().packages().stream().map(p -> p.name()).toList());
                return environmentLock(specPath, "4.3-4.1");
            };
            Path lockFile = RecipeLocking.lockFile(file);
            assertEquals(tmp.resolve("packages/hello.lock.json"), lockFile);
            RecipeLock lock = RecipeLocking.lock(recipe, lockFile, "amd64", env, sources, Optional.empty());
            RecipeLocking.write(lockFile, lock);

            byte[] json = Files.readAllBytes(lockFile);
            String text = new String(json, UTF_8);
            assertTrue(text.startsWith("{\n  \"recipeLockVersion\": 1,\n  \"recipe\": {\n    \"path\": \"hello.yaml\",\n"), text);
            assertTrue(text.contains("\"uri\": \"${DEBIAN_MIRROR}/pool/main/h/hello/hello_2.10.orig.tar.gz\""), text);
            assertTrue(!text.contains("127.0.0.1"), "the lock names no host");
            RecipeLock back = RecipeLocking.read(lockFile);
            assertEquals(lock, back);
            assertArrayEquals(json, RecipeLockJson.write(back));
            assertEquals(recipe.canonicalDigest(), back.recipeDigest());
            assertEquals(tarball.length, ((SourcePin.Fetch) back.sources().get(0)).size());

            // locking again keeps the environment's pins (the previous lock is handed on) and changes nothing
            RecipeLock again = RecipeLocking.lock(recipe, lockFile, "amd64", env, sources, RecipeLocking.previous(lockFile));
            assertEquals(Optional.of(lock.environment()), previousSeen.get(1));
            assertEquals(List.of(), RecipeLocking.changes(lock, again));
            RecipeLock moved = RecipeLocking.lock(recipe, lockFile, "amd64", (s, p, a, prev) -> environmentLock(p, "4.3-4.2"), sources,
                    Optional.of(lock));
            assertEquals(List.of("~ make:amd64 4.3-4.1 (" + Digest.of("make 4.3-4.1").shortHex() + ") -> 4.3-4.2 ("
                    + Digest.of("make 4.3-4.2").shortHex() + ")"), RecipeLocking.changes(lock, moved));

            RecipeLocking.requireCurrent(recipe, lock, lockFile, "amd64");
            Recipe bumped = RecipeParser.parse(Files.readString(file).replace("epoch: 0", "epoch: 1").getBytes(UTF_8), file, mirrors);
            assertEquals("recipe.lock", assertThrows(RecipeException.class,
                    () -> RecipeLocking.requireCurrent(bumped, lock, lockFile, "amd64")).code());
        }
    }

    @Test
    void aLockWithRecipePinsIsVersion2AndAVersionThatDisagreesWithItsPinsIsRefused() {
        Lock plain = environmentLock("hello.yaml", "4.3-4.1");
        Lock.FromRecipe base = new Lock.FromRecipe("base", "1.0-0kiln1", "amd64", "base", Digest.of("recipe base"), Optional.empty());
        Lock pinned = plain.withFromRecipes(new TreeMap<>(Map.of("amd64", List.of(base))));
        String withPins = new String(RecipeLockJson.write(new RecipeLock(RecipeLock.VERSION, "hello.yaml", Digest.of("hello"), "amd64",
                pinned, List.of())), UTF_8);
        String withoutPins = new String(RecipeLockJson.write(new RecipeLock(RecipeLock.VERSION, "hello.yaml", Digest.of("hello"), "amd64",
                plain, List.of())), UTF_8);
        assertTrue(withPins.contains("\"recipeLockVersion\": 2,") && withoutPins.contains("\"recipeLockVersion\": 1,"), withPins);
        assertEquals(pinned, RecipeLockJson.read(withPins.getBytes(UTF_8), "pinned").environment());

        // pins under version 1 would reach a kiln that does not know them: refused, as version 2 without pins is
        for (String lying : List.of(withPins.replace("\"recipeLockVersion\": 2,", "\"recipeLockVersion\": 1,"),
                withoutPins.replace("\"recipeLockVersion\": 1,", "\"recipeLockVersion\": 2,"))) {
            RecipeException e = assertThrows(RecipeException.class, () -> RecipeLockJson.read(lying.getBytes(UTF_8), "lying"));
            assertEquals("recipe.lock", e.code());
            assertTrue(e.getMessage().contains("packages from recipes (environment.fromRecipes): version 2 is the version of a lock"
                    + " that has them"), e.getMessage());
        }
    }

    @Test
    void aMalformedLockIsARecipeLockError() throws Exception {
        Path lockFile = tmp.resolve("hello.lock.json");
        Files.writeString(lockFile, "{\"recipeLockVersion\": 3}");
        RecipeException e = assertThrows(RecipeException.class, () -> RecipeLocking.read(lockFile));
        assertEquals("recipe.lock", e.code());
        assertTrue(e.getMessage().contains("recipeLockVersion 3 is not one this kiln reads"), e.getMessage());
    }
}
