package dev.kiln.api.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.FetchEvent;
import dev.kiln.api.Kiln;
import dev.kiln.api.LockMode;
import dev.kiln.api.RecipeLockRequest;
import dev.kiln.api.RecipeLockResult;
import dev.kiln.api.testing.FixtureRepository;
import dev.kiln.api.testing.FixtureRepository.PackageFile;
import dev.kiln.fetcher.testing.TestMirror;
import dev.kiln.store.Digest;
import dev.kiln.store.KilnException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Kiln.recipeLock} end to end, hermetically: a signed repository made at test time for the
 * environment, a tarball served on 127.0.0.1 for the fetch source, a local source beside the recipe.
 */
class RecipeLockTest {
    @TempDir
    Path tmp;
    FixtureRepository repo;
    TestMirror upstream;
    Path recipe;
    byte[] tarball = "a tarball made at test time\n".getBytes(UTF_8);

    @BeforeEach
    void setUp() throws IOException {
        repo = new FixtureRepository();
        repo.add("libc-fixture", "1.0-1", "", List.of(PackageFile.file("/usr/lib/libc.so", 0644, 1_700_000_000L, "libc\n")));
        repo.add("make-fixture", "4.3-1", "libc-fixture", List.of(PackageFile.file("/usr/bin/make", 0755, 1_700_000_000L, "make\n")));
        repo.publish();
        upstream = TestMirror.start();
        upstream.serve("/releases/hello-1.0.tar.gz", tarball);
        Path packages = tmp.resolve("packages");
        Files.createDirectories(packages.resolve("patches"));
        Files.writeString(packages.resolve("patches/01.patch"), "--- a\n+++ b\n");
        recipe = packages.resolve("hello.yaml");
        writeRecipe(Digest.of(tarball).hex());
    }

    void writeRecipe(String sha256) throws IOException {
        Files.writeString(recipe, """
                package: {name: hello, version: "1.0", epoch: 2, description: a test}
                environment:
                  contents:
                    repositories: ["%s"]
                    packages: [make-fixture]
                pipeline:
                  - uses: fetch
                    with: {uri: "${UPSTREAM_MIRROR}/releases/hello-1.0.tar.gz", expected-sha256: %s, extract: false}
                  - source: ./patches
                  - runs: make
                """.formatted(repo.sourceLine(tmp.resolve("repo.asc")), sha256));
    }

    @AfterEach
    void tearDown() {
        repo.close();
        upstream.close();
    }

    Kiln kiln(List<FetchEvent> events) {
        return Kiln.builder().store(tmp.resolve("store")).keys(tmp.resolve("repo.asc"))
                .mirrors(Map.of("UPSTREAM_MIRROR", upstream.uri("").toString()))
                .addEventHandler(FetchEvent.class, events::add).open();
    }

    RecipeLockResult lock(RecipeLockRequest request) {
        try (Kiln k = kiln(new ArrayList<>())) {
            return k.recipeLock(request);
        }
    }

    @Test
    void aRecipeIsLockedBesideItselfAndACheckThenFindsNothingToChange() throws IOException {
        List<FetchEvent> events = java.util.Collections.synchronizedList(new ArrayList<>()); // told from the fetcher's threads
        RecipeLockResult r;
        try (Kiln k = kiln(events)) {
            r = k.recipeLock(RecipeLockRequest.of(List.of(recipe), "amd64"));
        }
        RecipeLockResult.Locked l = r.recipes().get(0);
        Path lockFile = tmp.resolve("packages/hello.lock.json");
        assertEquals(lockFile, l.lockFile());
        assertTrue(l.written());
        assertEquals("1.0-2kiln1", l.version());
        assertEquals(2, l.environmentPackages());
        assertEquals(2, l.sources().size());
        assertTrue(l.sources().get(0).startsWith("pipeline[0] fetch ${UPSTREAM_MIRROR}/releases/hello-1.0.tar.gz " + Digest.of(tarball)),
                l.sources().get(0));
        assertTrue(l.sources().get(1).startsWith("pipeline[1] local ./patches sha256:"), l.sources().get(1));
        assertTrue(events.stream().anyMatch(e -> e instanceof FetchEvent.Finished), "fetches are told as events");
        String json = Files.readString(lockFile);
        assertTrue(json.contains("\"path\": \"hello.yaml\""), json);
        assertTrue(json.contains("\"name\": \"make-fixture\""), json);
        assertFalse(json.contains(upstream.uri("").getHost() + ":" + upstream.port()), "the lock names no host of a source");

        byte[] before = Files.readAllBytes(lockFile);
        RecipeLockResult check = lock(RecipeLockRequest.of(List.of(recipe), "amd64").withAction(RecipeLockRequest.Action.CHECK));
        assertFalse(check.stale(), check.recipes().get(0).changes().toString());
        RecipeLockResult again = lock(RecipeLockRequest.of(List.of(recipe), "amd64").withMode(LockMode.OFFLINE));
        assertEquals(List.of(), again.recipes().get(0).changes());
        assertArrayEquals(before, Files.readAllBytes(lockFile));
    }

    @Test
    void aCheckReportsAChangedRecipeAndWritesNothing() throws IOException {
        lock(RecipeLockRequest.of(List.of(recipe), "amd64"));
        Path lockFile = tmp.resolve("packages/hello.lock.json");
        byte[] before = Files.readAllBytes(lockFile);
        Files.writeString(recipe, Files.readString(recipe).replace("epoch: 2", "epoch: 3"));
        RecipeLockResult check = lock(RecipeLockRequest.of(List.of(recipe), "amd64").withAction(RecipeLockRequest.Action.CHECK));
        assertTrue(check.stale());
        assertTrue(check.recipes().get(0).changes().get(0).startsWith("~ recipe "), check.recipes().get(0).changes().toString());
        assertFalse(check.recipes().get(0).written());
        assertArrayEquals(before, Files.readAllBytes(lockFile));
    }

    @Test
    void aWrongSha256FailsBeforeAnyLockIsWritten() throws IOException {
        writeRecipe(Digest.of("other bytes").hex());
        KilnException e = assertThrows(KilnException.class, () -> lock(RecipeLockRequest.of(List.of(recipe), "amd64")));
        assertEquals("recipe.source", e.code());
        assertFalse(Files.exists(tmp.resolve("packages/hello.lock.json")));
    }

    @Test
    void aMisspeltKeyIsARecipeSpecError() throws IOException {
        Files.writeString(recipe, Files.readString(recipe).replace("  - runs: make", "  - run: make"));
        KilnException e = assertThrows(KilnException.class, () -> lock(RecipeLockRequest.of(List.of(recipe), "amd64")));
        assertEquals("recipe.spec", e.code());
        assertTrue(e.getMessage().contains("hello.yaml:10: pipeline[2].run: unknown key"), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean 'runs'?"), e.getMessage());
    }
}
