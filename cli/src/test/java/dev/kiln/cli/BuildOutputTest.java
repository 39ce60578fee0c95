package dev.kiln.cli;

import static dev.kiln.cli.CliRun.HOME;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.api.testing.FixtureRepository;
import dev.kiln.api.testing.FixtureRepository.PackageFile;
import dev.kiln.store.StagingLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code -o} directory of {@code kiln build}: one that cannot be written fails before anything
 * is resolved or fetched (the fixture mirror, made at test time, counts the requests), and the
 * staging a killed build left beside it is removed by the next build, never a running build's.
 */
class BuildOutputTest {
    private static final String ERROR = Integer.toString(Main.ERROR);

    @TempDir
    static Path shared;
    static FixtureRepository repo;
    static Path spec;

    @TempDir
    Path tmp;

    @BeforeAll
    static void repository() throws IOException {
        CliRun.useCheckoutAsHome();
        repo = new FixtureRepository();
        repo.add("hello", "1.0-1", "", List.of(
                PackageFile.file("/usr/bin/hello", 0755, 1_700_000_100L, "#!/bin/sh\necho hello\n")));
        repo.publish();
        spec = shared.resolve("hello.yaml");
        Files.writeString(spec, "contents:\n  repositories:\n    - " + repo.sourceLine(shared.resolve("fixture.asc"))
                + "\n  packages: [hello]\narchs: [amd64]\n");
    }

    @AfterAll
    static void stop() {
        repo.close();
    }

    /** A spec of its own for each test, so that no test sees another's lock. */
    private Path spec() throws IOException {
        return Files.copy(spec, tmp.resolve("hello.yaml"));
    }

    private void assertNothingResolvedOrFetched(int requestsBefore) throws IOException {
        assertEquals(requestsBefore, repo.requestCount(), "no request reached the mirror");
        assertFalse(Files.exists(tmp.resolve("hello.lock.json")), "nothing was resolved");
        Path blobs = tmp.resolve("store/blobs/sha256");
        if (Files.isDirectory(blobs)) {
            try (Stream<Path> s = Files.list(blobs)) {
                assertEquals(0, s.count(), "nothing was fetched");
            }
        }
    }

    @Test
    void anOutputBelowAFileFailsBeforeAnythingIsResolvedOrFetched() throws IOException {
        Path spec = spec();
        Path file = Files.writeString(tmp.resolve("a-file"), "not a directory");
        Path out = file.resolve("out");
        int before = repo.requestCount();

        String[] r = CliRun.run("build", "--store", tmp.resolve("store").toString(), "-o", out.toString(), spec.toString());

        assertEquals(ERROR, r[0], r[1] + r[2]);
        assertTrue(r[2].contains("cannot write an image layout at " + out + ": " + file + " is not a directory"
                + "\n  fix: name a directory this user can write"), r[2]);
        assertNothingResolvedOrFetched(before);
    }

    @Test
    void anOutputInADirectoryThisUserCannotWriteIsPermissionDenied() throws IOException {
        assumeFalse("root".equals(System.getProperty("user.name")), "root writes into a 0555 directory");
        Path spec = spec();
        Path ro = Files.createDirectory(tmp.resolve("ro"));
        Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
        int before = repo.requestCount();
        try {
            String[] r = CliRun.run("build", "--store", tmp.resolve("store").toString(), "-o", ro.resolve("out").toString(),
                    spec.toString());
            assertEquals(ERROR, r[0], r[1] + r[2]);
            assertTrue(r[2].contains("permission denied: this user cannot create files in " + ro), r[2]);
        } finally {
            Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        assertNothingResolvedOrFetched(before);
    }

    /** bubblewrap can bind a directory read-only here (it needs root or user namespaces). */
    private boolean readOnlyBindWorks(Path dir) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of("/usr/bin/bwrap"))) {
            return false;
        }
        Process p = new ProcessBuilder("bwrap", "--dev-bind", "/", "/", "--ro-bind", dir.toString(), dir.toString(), "true")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    @Test
    void anOutputOnAReadOnlyFileSystemFailsBeforeAnythingIsFetchedSayingSo() throws Exception {
        Path spec = spec();
        Path ro = Files.createDirectory(tmp.resolve("read-only"));
        assumeTrue(readOnlyBindWorks(ro), "bubblewrap cannot make a read-only bind mount here");
        int before = repo.requestCount();
        // kiln in a JVM of its own, which sees the directory through a read-only bind mount (so even root cannot write it)
        List<String> cmd = new ArrayList<>(List.of("bwrap", "--dev-bind", "/", "/", "--ro-bind", ro.toString(), ro.toString(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Dkiln.home=" + HOME,
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "build", "--store", tmp.resolve("store").toString(), "-o", ro.resolve("out").toString(), spec.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), output);

        assertEquals(Main.ERROR, p.exitValue(), output);
        assertTrue(output.contains("cannot write an image layout at " + ro.resolve("out") + ": " + ro
                + " is on a read-only file system"), output);
        assertNothingResolvedOrFetched(before);
    }

    @Test
    void theNextBuildRemovesWhatAKilledBuildLeftBesideItsOutputAndKeepsWhatARunningOneStages() throws IOException {
        Path spec = spec();
        Path out = tmp.resolve("out");
        // what kill -9 left: a layout being staged (its lock file free), an SBOM's temporary file,
        // and an older kiln's unmarked staging and replaced layout
        Path stale = Files.createDirectories(tmp.resolve(".out.kiln-00000000000000aa/blobs/sha256"));
        Files.writeString(stale.resolve("half-a-layer"), "x");
        Files.writeString(tmp.resolve(".out.kiln-00000000000000aa.lock"), "");
        Files.writeString(tmp.resolve(".out.amd64.spdx.json.kiln-00000000000000bb.tmp"), "{\"half");
        Files.createDirectories(tmp.resolve(".out.kiln-1234567890/blobs"));
        Files.createDirectories(tmp.resolve(".out.old-987654321/blobs"));
        try (StagingLock running = StagingLock.beside(out)) { // another build to the same output, still at work
            Path live = Files.createDirectory(running.path(""));

            String[] r = CliRun.run("build", "-q", "--store", tmp.resolve("store").toString(), "-o", out.toString(), spec.toString());

            assertEquals("0", r[0], r[1] + r[2]);
            assertTrue(Files.isRegularFile(out.resolve("oci-layout")));
            List<String> names;
            try (Stream<Path> s = Files.list(tmp)) {
                names = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).sorted().toList();
            }
            assertEquals(List.of(live.getFileName().toString(), live.getFileName() + ".lock"), names,
                    "only the running build's staging is left");
            Files.delete(live);
        }
    }
}
