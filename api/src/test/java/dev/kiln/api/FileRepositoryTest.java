package dev.kiln.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.testing.FixtureRepository;
import dev.kiln.api.testing.FixtureRepository.PackageFile;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.store.KilnException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code file:} repositories in spec source lines: a signed repository written to a directory (as
 * {@code kiln recipe build --repo} makes one), named relative to the spec's directory or absolutely,
 * locked, fetched and built from like a mirror, and checked exactly like one.
 */
class FileRepositoryTest {
    @TempDir
    Path tmp;
    FixtureRepository recipes;
    Path key;
    Path images;

    @BeforeEach
    void repository() throws IOException {
        recipes = new FixtureRepository();
        recipes.add("hello", "2.10-0kiln1", "", List.of(PackageFile.file("/usr/bin/hello", 0755, 1_700_000_000L, "#!/bin/sh\necho hi\n")));
        recipes.publish();
        recipes.writeTo(tmp.resolve("repo"));
        key = tmp.resolve("recipes.asc");
        images = Files.createDirectories(tmp.resolve("images"));
    }

    @AfterEach
    void close() {
        recipes.close();
    }

    private Path spec(String uri, String packages) throws IOException {
        return Files.writeString(images.resolve("image.yaml"), """
                contents:
                  repositories:
                    - %s
                  packages: [%s]
                archs: [amd64]
                """.formatted(recipes.sourceLine(key, uri), packages));
    }

    private Kiln.Builder kiln(String store) {
        return Kiln.builder().store(tmp.resolve(store)).keys(key).mirrors(Map.of());
    }

    @Test
    void aRelativeFileRepositoryIsLockedAsWrittenFetchedAndBuiltFrom() throws IOException {
        Path spec = spec("file:../repo", "hello");
        try (Kiln kiln = kiln("store").open()) {
            LockResult locked = kiln.lock(LockRequest.of(Spec.load(spec)));
            assertEquals("2.10-0kiln1", locked.packages().get("amd64").get(0).version());
            BuildResult built = kiln.build(BuildRequest.of(Spec.load(spec)).to(Target.layout(tmp.resolve("out"))));
            assertTrue(Files.exists(tmp.resolve("out/index.json")), built.toString());
        }
        Lock lock = Locking.read(LockRequest.besideSpec(spec));
        assertTrue(lock.repositories().get(0).line().contains(" file:../repo stable main"), "the line as written, host-free");
        String text = Files.readString(LockRequest.besideSpec(spec));
        assertFalse(text.contains(tmp.resolve("repo").toString()), "the lock names no repository directory of this machine: " + text);
        // another store fetches the pinned package from the directory, hashed on the way in
        try (Kiln kiln = kiln("store2").open()) {
            FetchResult f = kiln.fetch(FetchRequest.of(LockRequest.besideSpec(spec)));
            assertEquals(1, f.fetched());
        }
        assertEquals(0, recipes.requestCount(), "nothing came over HTTP");
    }

    @Test
    void anAbsoluteFileRepositoryInBothFormsIsLockedAndBuilt() throws IOException {
        for (String uri : List.of("file:" + tmp.resolve("repo"), "file://" + tmp.resolve("repo"))) {
            Path spec = spec(uri, "hello");
            try (Kiln kiln = kiln("store-" + uri.length()).open()) {
                kiln.build(BuildRequest.of(Spec.load(spec)).to(Target.layout(tmp.resolve("out-" + uri.length()))));
            }
            assertEquals("deb [signed-by=" + key.toAbsolutePath() + "] " + uri + " stable main",
                    Locking.read(LockRequest.besideSpec(spec)).repositories().get(0).line());
        }
    }

    @Test
    void aFlippedByteInTheRepositorysPackagesIndexIsRefused() throws IOException {
        Path spec = spec("file:../repo", "hello");
        for (String index : List.of("Packages", "Packages.gz", "Packages.xz")) {
            Path file = tmp.resolve("repo/dists/stable/main/binary-amd64/" + index);
            byte[] bytes = Files.readAllBytes(file);
            bytes[bytes.length / 2] ^= 1;
            Files.write(file, bytes);
        }
        try (Kiln kiln = kiln("store").open()) {
            KilnException e = assertThrows(KilnException.class, () -> kiln.lock(LockRequest.of(Spec.load(spec))));
            assertTrue(e.getMessage().contains("binary-amd64/Packages"), e.getMessage());
        }
        assertFalse(Files.exists(LockRequest.besideSpec(spec)), "no lock written");
    }

    @Test
    void aForeignKeyIsRefusedForAFileRepositoryAsForAMirror() throws IOException {
        Path spec = spec("file:../repo", "hello");
        try (FixtureRepository other = new FixtureRepository()) {
            other.sourceLine(key, "file:../repo"); // overwrites the trusted key with another one's
        }
        try (Kiln kiln = kiln("store").open()) {
            KilnException e = assertThrows(KilnException.class, () -> kiln.lock(LockRequest.of(Spec.load(spec))));
            assertTrue(e.code().startsWith("fetch.signature"), e.code() + ": " + e.getMessage());
        }
    }

    @Test
    void aMissingRepositoryDirectoryIsNamedWhenLocking() throws IOException {
        Path spec = spec("file:../nowhere", "hello");
        try (Kiln kiln = kiln("store").open()) {
            KilnException e = assertThrows(KilnException.class, () -> kiln.lock(LockRequest.of(Spec.load(spec))));
            assertEquals("resolve.no-release", e.code());
            assertTrue(e.getMessage().contains("no repository at " + tmp.resolve("nowhere") + " (no such directory)"), e.getMessage());
            assertTrue(e.getMessage().contains("relative to the spec's directory, " + images), e.getMessage());
            assertTrue(e.fix().isPresent());
        }
    }

    @Test
    void aMissingRepositoryDirectoryIsNamedWhenFetching() throws IOException {
        Path spec = spec("file:../repo", "hello");
        try (Kiln kiln = kiln("store").open()) {
            kiln.lock(LockRequest.of(Spec.load(spec)));
        }
        Files.move(tmp.resolve("repo"), tmp.resolve("moved"));
        try (Kiln kiln = kiln("store2").open()) {
            KilnException e = assertThrows(KilnException.class, () -> kiln.fetch(FetchRequest.of(LockRequest.besideSpec(spec))));
            assertEquals("fetch.not-found", e.code());
            assertTrue(e.getMessage().contains("no repository at " + tmp.resolve("repo") + " to fetch hello 2.10-0kiln1 amd64"),
                    e.getMessage());
        }
    }

    /**
     * A name that the recipes repository and Debian's both offer is taken from the recipes
     * repository, even though Debian's version is higher, and said once; a name only Debian's
     * offers is unaffected; a pin of Debian's version moves to the recipe's when the recipes
     * repository joins the spec.
     */
    @Test
    void aFileRepositoryShadowsTheOthersForTheNamesItOffers() throws IOException {
        try (FixtureRepository debian = new FixtureRepository()) {
            debian.add("hello", "2.10-3", "", List.of(PackageFile.file("/usr/bin/hello", 0755, 1_700_000_000L, "debian's\n")));
            debian.add("base", "1.0", "hello (>= 2.10)", List.of(PackageFile.file("/etc/base", 0644, 1_700_000_000L, "base\n")));
            debian.publish();
            String debianLine = debian.sourceLine(tmp.resolve("debian.asc"));
            Path keys = Files.createDirectories(tmp.resolve("keys"));
            Files.copy(tmp.resolve("debian.asc"), keys.resolve("debian.asc"));
            String recipesLine = recipes.sourceLine(keys.resolve("recipes.asc"), "file:../repo");
            Path spec = images.resolve("image.yaml");
            Files.writeString(spec, "contents:\n  repositories:\n    - " + debianLine + "\n  packages: [base]\narchs: [amd64]\n");
            List<ShadowedPackageEvent> said = new java.util.concurrent.CopyOnWriteArrayList<>();
            List<String> phases = new java.util.concurrent.CopyOnWriteArrayList<>();
            try (Kiln kiln = Kiln.builder().store(tmp.resolve("store")).keys(keys).mirrors(Map.of())
                    .addEventHandler(ShadowedPackageEvent.class, said::add)
                    .addEventHandler(PhaseEvent.class, p -> phases.add(p.phase())).open()) {
                LockResult before = kiln.lock(LockRequest.of(Spec.load(spec)));
                assertEquals(List.of("base 1.0", "hello 2.10-3"), versions(before));
                assertTrue(said.isEmpty(), "nothing shadowed without a file: repository");

                Files.writeString(spec, "contents:\n  repositories:\n    - " + debianLine + "\n    - " + recipesLine
                        + "\n  packages: [base]\narchs: [amd64]\n");
                LockResult after = kiln.lock(LockRequest.of(Spec.load(spec)));
                assertEquals(List.of("base 1.0", "hello 2.10-0kiln1"), versions(after));
                Lock lock = Locking.read(LockRequest.besideSpec(spec));
                for (Lock.Package p : lock.packages("amd64")) {
                    assertEquals(p.name().equals("hello") ? 1 : 0, p.repository(), p.name() + " from its repository");
                }
                assertEquals(1, said.size(), said.toString());
                ShadowedPackageEvent e = said.get(0);
                assertEquals("hello: taken from file:../repo stable (2.10-0kiln1), not from " + debian.sourceLine(tmp.resolve("x.asc"))
                        .replaceAll("^deb \\[[^]]*] ", "").replace(" main", "") + " (2.10-3): a file: repository shadows the others"
                        + " for the names it offers", e.message());
                assertEquals(List.of("hello", "2.10-0kiln1", recipesLine, "2.10-3", debianLine),
                        List.of(e.name(), e.version(), e.repository(), e.hiddenVersion(), e.hiddenRepository()));
                LockResult.Change moved = after.changes().stream().filter(c -> c.name().equals("hello")).findFirst().orElseThrow();
                assertEquals("a file: repository of the spec offers hello, which shadows " + debianLine, moved.reason());

                // remembered: a second lock of the same inputs (the solve's memo) says it again, once
                kiln.lock(LockRequest.of(Spec.load(spec)).withUpdate());
                said.clear();
                phases.clear();
                kiln.lock(LockRequest.of(Spec.load(spec)).withUpdate());
                assertTrue(phases.contains("solve memo hit"), phases.toString());
                assertEquals(List.of(e), said);
            }
        }
    }

    private static List<String> versions(LockResult r) {
        return r.packages().get("amd64").stream().map(p -> p.name() + " " + p.version()).sorted().toList();
    }

    /**
     * verify's rule: a relative file: repository of the spec an image carries is found from the
     * directory named as the Kiln's context (the spec's directory when it was locked); with a spec
     * file given, from that file's directory; without either it is refused, naming the line.
     */
    @Test
    void verifyFindsARelativeFileRepositoryFromTheContextItIsGiven() throws IOException {
        Path spec = spec("file:../repo", "hello");
        try (Kiln kiln = kiln("store").open()) {
            kiln.build(BuildRequest.of(Spec.load(spec)).to(Target.layout(tmp.resolve("out"))));
        }
        // the image and the spec elsewhere: only the repository stays where it was
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere/deeper"));
        Files.move(tmp.resolve("out"), elsewhere.resolve("out"));
        Files.move(spec, elsewhere.resolve("image.yaml"));
        Files.move(LockRequest.besideSpec(spec), elsewhere.resolve("image.lock.json"));
        VerifyRequest fresh = VerifyRequest.of(ImageRef.layout(elsewhere.resolve("out"))).withFreshStore(true);

        try (Kiln kiln = kiln("unused").open()) {
            KilnException e = assertThrows(KilnException.class, () -> kiln.verify(fresh));
            assertEquals("spec.context", e.code());
            assertTrue(e.getMessage().contains("'" + recipes.sourceLine(key, "file:../repo") + "' relative to its directory"),
                    e.getMessage());
        }
        try (Kiln kiln = kiln("unused").context(images).open()) {
            assertTrue(kiln.verify(fresh).verified());
        }
        // with the spec given, its own directory: here the copy moved away from the repository, so it is not found
        try (Kiln kiln = kiln("unused").open()) {
            KilnException e = assertThrows(KilnException.class, () -> kiln.verify(fresh.withInputs(elsewhere.resolve("image.yaml"),
                    elsewhere.resolve("image.lock.json"))));
            assertEquals("fetch.not-found", e.code());
            assertTrue(e.getMessage().contains("no repository at " + tmp.resolve("elsewhere/repo")), e.getMessage());
        }
    }

    /** A {@code ${X_MIRROR}} variable may hold a file: URL: the lock keeps the variable, the directory comes from the Kiln's mirrors. */
    @Test
    void aMirrorVariableMayNameAFileRepository() throws IOException {
        Path spec = spec("${RECIPES_MIRROR}", "hello");
        try (Kiln kiln = kiln("store").mirrors(Map.of("RECIPES_MIRROR", "file://" + tmp.resolve("repo"))).open()) {
            kiln.build(BuildRequest.of(Spec.load(spec)).to(Target.layout(tmp.resolve("out"))));
        }
        assertTrue(Locking.read(LockRequest.besideSpec(spec)).repositories().get(0).line().contains(" ${RECIPES_MIRROR} stable main"));
        assertEquals(0, recipes.requestCount());
    }
}
