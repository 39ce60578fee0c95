package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.testing.FixtureRepository;
import dev.kiln.api.testing.FixtureRepository.PackageFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands on a spec whose packages come from a {@code file:} repository beside it (a recipes
 * repository), named relative to the spec: lock, build --check (a second JVM), outdated, lock
 * --update, and verify from elsewhere with the directory the spec was in as its context. The
 * tests run in cli/, another working directory than the spec's.
 */
class FileRepositoryCommandTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void home() {
        CliRun.useCheckoutAsHome();
    }

    private Path spec() throws IOException {
        try (FixtureRepository recipes = new FixtureRepository()) {
            recipes.add("hello", "2.10-0kiln1", "", List.of(PackageFile.file("/usr/bin/hello", 0755, 1_700_000_000L, "#!/bin/sh\n")));
            recipes.publish();
            recipes.writeTo(tmp.resolve("repo"));
            Path images = Files.createDirectories(tmp.resolve("images"));
            recipes.sourceLine(Files.createDirectories(images.resolve("keys/recipes")).resolve("hello.asc"), "file:../repo");
            return Files.writeString(images.resolve("hello.yaml"), "contents:\n  repositories:\n"
                    + "    - deb [signed-by=keys/recipes/hello.asc] file:../repo stable main\n  packages: [hello]\narchs: [amd64]\n");
        }
    }

    @Test
    void lockBuildCheckOutdatedUpdateAndVerifyWithARelativeFileRepository() throws IOException {
        Path spec = spec();
        String store = tmp.resolve("store").toString();
        String[] r = CliRun.run("lock", "--store", store, spec.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(Files.readString(tmp.resolve("images/hello.lock.json")).contains("\"deb [signed-by=keys/recipes/hello.asc] file:../repo stable main\""));

        Path out = tmp.resolve("out");
        r = CliRun.run("build", "--check", "-q", "--frozen", "--store", store, "-o", out.toString(), spec.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].startsWith("reproducible " + out), r[1]);

        r = CliRun.run("outdated", "--store", store, spec.toString());
        assertEquals("0", r[0], r[1] + r[2]);
        r = CliRun.run("lock", "--update", "--store", store, spec.toString());
        assertEquals("0", r[0], r[2]);

        r = CliRun.run("verify", out.toString());
        assertEquals(Integer.toString(Main.ERROR), r[0], r[1] + r[2]);
        assertTrue(r[2].contains("relative to its directory, and a spec carried by an image has none"), r[2]);
        assertTrue(r[2].contains("(kiln: --context DIR names the directory the image's spec was in"), r[2]);

        r = CliRun.run("verify", out.toString(), "--context", tmp.resolve("images").toString());
        assertEquals("0", r[0], r[1] + r[2]);
        assertTrue(r[1].contains("rebuilt identically from its spec and lock"), r[1]);
    }

    @Test
    void aShadowedNameIsAWarningOnceAndAJsonEvent() throws IOException {
        spec();
        try (FixtureRepository debian = new FixtureRepository()) {
            debian.add("hello", "2.10-3", "", List.of(PackageFile.file("/usr/bin/hello", 0755, 1_700_000_000L, "debian's\n")));
            debian.publish();
            String debianLine = debian.sourceLine(tmp.resolve("images/keys/debian.asc"));
            Path spec = Files.writeString(tmp.resolve("images/both.yaml"), "contents:\n  repositories:\n    - " + debianLine
                    + "\n    - deb [signed-by=keys/recipes/hello.asc] file:../repo stable main\n  packages: [hello]\narchs: [amd64]\n");
            String[] r = CliRun.run("lock", "--store", tmp.resolve("store").toString(), spec.toString());
            assertEquals("0", r[0], r[2]);
            String warning = "kiln: warning: hello: taken from file:../repo stable (2.10-0kiln1), not from "
                    + debian.sourceLine(tmp.resolve("x.asc")).replaceAll("^deb \\[[^]]*] ", "").replace(" main", "")
                    + " (2.10-3): a file: repository shadows the others for the names it offers";
            assertEquals(List.of(warning), r[2].lines().filter(l -> l.startsWith("kiln: warning:")).toList(), r[2]);

            r = CliRun.run("lock", "--json", "--update", "--store", tmp.resolve("store").toString(), spec.toString());
            assertEquals("0", r[0], r[2]);
            List<String> events = r[1].lines().filter(l -> l.contains("\"event\":\"shadowed\"")).toList();
            assertEquals(1, events.size(), r[1]);
            assertTrue(events.get(0).contains("\"name\":\"hello\",\"version\":\"2.10-0kiln1\""), events.get(0));
            assertTrue(events.get(0).contains("\"hiddenVersion\":\"2.10-3\""), events.get(0));
        }
    }
}
