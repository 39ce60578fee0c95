package dev.kiln.cli;

import dev.kiln.api.testing.FixtureRepository;
import dev.kiln.api.testing.Locks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.Kiln;
import dev.kiln.api.testing.FixtureRepository.PackageFile;
import dev.kiln.api.testing.FixtureRepository.Published;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.store.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store whose .deb blob was overwritten with another valid package (as a shared store or one
 * restored from a CI cache can be): {@code kiln build} says so, fetches the right bytes from the
 * mirror again, and gives the image a clean store gives.
 */
class StoreRecheckCommandTest {
    @TempDir
    static Path tmp;
    static FixtureRepository repo;
    static Path spec;

    @BeforeAll
    static void repository() throws IOException {
        CliRun.useCheckoutAsHome();
        repo = new FixtureRepository();
        for (String name : List.of("hello", "hallo")) {
            repo.add(name, "1.0-1", "", List.of(
                    PackageFile.file("/usr/bin/" + name, 0755, 1_700_000_100L, "#!/bin/sh\necho " + name + "\n")));
        }
        repo.add("goodbye", "1.0-1", "", List.of(
                PackageFile.file("/usr/bin/goodbye", 0755, 1_700_000_100L, "#!/bin/sh\necho goodbye, and a longer file\n")));
        repo.publish();
        spec = tmp.resolve("hello.yaml");
        Files.writeString(spec, "contents:\n  repositories:\n    - " + repo.sourceLine(tmp.resolve("fixture.asc"))
                + "\n  packages: [hello]\narchs: [amd64]\n");
    }

    @AfterAll
    static void stop() {
        repo.close();
    }

    private static String[] build(Path store, String out) {
        return CliRun.run("build", "--store", store.toString(), "-o", tmp.resolve(out).toString(), spec.toString());
    }

    /** The digest on the {@code built DIR (mediaType sha256:...)} line. */
    private static String digest(String[] built) {
        String line = built[1].lines().filter(l -> l.startsWith("built ")).findFirst().orElseThrow();
        return line.substring(line.indexOf("sha256:"), line.indexOf(')'));
    }

    @Test
    void anOverwrittenDebIsFetchedAgainAndTheImageIsTheCleanStoresOne() throws IOException {
        Path store = tmp.resolve("store");
        String[] clean = build(store, "clean");
        assertEquals("0", clean[0], clean[1] + clean[2]);
        Lock.Package hello = Locks.read(tmp.resolve("hello.lock.json")).packages("amd64").get(0);
        Path blob = store.resolve("blobs/sha256").resolve(hello.sha256().hex());
        for (Published other : List.of(repo.published("hallo", "1.0-1"), repo.published("goodbye", "1.0-1"))) {
            byte[] bytes = repo.bytes(other);
            Files.write(blob, bytes); // another valid package under hello's name: the same size, then another size
            String[] again = build(store, "again-" + other.name());
            assertEquals("0", again[0], again[1] + again[2]);
            assertTrue(again[1].contains("the store's copy of hello 1.0-1 amd64 (" + hello.sha256() + ") held other bytes ("
                    + Digest.of(bytes) + "); removed it from the store"), again[1]);
            assertTrue(again[1].contains("fetched hello 1.0-1 amd64"), "and fetched it again: " + again[1]);
            assertEquals(digest(clean), digest(again), "the image a clean store gives");
            assertEquals(hello.sha256(), Digest.of(Files.readAllBytes(blob)), "the store holds the right bytes again");
        }
        assertEquals(repo.published("hello", "1.0-1").size(), repo.published("hallo", "1.0-1").size(), "the fixture: one size");
    }
}
