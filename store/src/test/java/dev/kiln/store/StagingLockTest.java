package dev.kiln.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Staging marked by a held lock: what a killed process left is swept, what a live one stages is kept. */
class StagingLockTest {
    @TempDir
    Path tmp;

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static Path staging(String line) {
        assertTrue(line.startsWith("staging "), line);
        return Path.of(line.substring("staging ".length()));
    }

    @Test
    void whatAKilledProcessStagedIsSweptAndWhatALiveOneStagesIsKept() throws Exception {
        Path out = tmp.resolve("out");
        try (ChildProcess killed = ChildProcess.start(tmp.resolve("logs"), "stage-beside", out.toString());
             ChildProcess live = ChildProcess.start(tmp.resolve("logs"), "stage-beside", out.toString())) {
            Path dead = staging(killed.await("staging "));
            Path alive = staging(live.await("staging "));
            killed.kill(); // SIGKILL: no shutdown hook runs, the kernel drops its lock

            List<Path> removed = StagingLock.sweep(out);

            assertFalse(Files.exists(dead), "the killed process's staging is gone");
            assertFalse(Files.exists(Path.of(dead + ".lock")), "and its lock file");
            assertEquals(List.of(dead, Path.of(dead + ".lock")), removed);
            assertTrue(Files.exists(alive.resolve("half-written")), "the live process's staging is untouched");
            assertTrue(Files.exists(Path.of(alive + ".lock")));

            live.send("done");
            live.await("closed");
            assertEquals(List.of("logs"), names(), "a process that finishes leaves nothing");
        }
    }

    @Test
    void whatThisProcessStagesIsKeptAndOnceUnmarkedIsSwept() throws IOException {
        Path out = tmp.resolve("out");
        StagingLock mark = StagingLock.beside(out);
        Path staging = Files.createDirectory(mark.path(""));
        Path temp = Files.writeString(mark.path(".tmp"), "half");

        assertEquals(List.of(), StagingLock.sweep(out), "locked in this JVM: live (and the lock is not dropped by looking)");
        assertEquals(List.of(), StagingLock.sweep(out), "still held after a second look");

        mark.close(); // as a process that died between removing its lock and its staging
        assertEquals(List.of(staging, temp), StagingLock.sweep(out));
        assertEquals(List.of(), names());
    }

    @Test
    void unlockedMarksMissingMarksAndOlderKilnsUnmarkedStagingAreSwept() throws IOException {
        Path out = tmp.resolve("out");
        Files.createDirectories(tmp.resolve(".out.kiln-0123456789abcdef/blobs/sha256"));
        Files.writeString(tmp.resolve(".out.kiln-0123456789abcdef.lock"), ""); // nobody holds it
        Files.writeString(tmp.resolve(".out.kiln-00000000000000aa.tmp"), "no lock file beside it");
        Files.writeString(tmp.resolve(".out.kiln-00000000000000bb.lock"), ""); // an orphan lock
        Files.createDirectories(tmp.resolve(".out.kiln-8123456789012345678/blobs")); // an older kiln's staging
        Files.createDirectories(tmp.resolve(".out.old-5551212")); // and the layout it was replacing
        List<String> others = List.of("out", "out.amd64.spdx.json", ".out.amd64.spdx.json.kiln-00000000000000cc.tmp",
                ".out2.kiln-00000000000000dd", ".outer.kiln-00000000000000ee", ".out.kiln-NOT-A-TOKEN", ".out.old-x");
        for (String o : others) {
            Files.writeString(tmp.resolve(o), "not staging of out");
        }

        List<Path> removed = StagingLock.sweep(out);

        assertEquals(6, removed.size(), removed.toString());
        assertEquals(others.stream().sorted().toList(), names(), "only the staging of out itself is touched");
    }

    @Test
    void aDirectoryThatCanTakeAMarkIsWritableAndTheProbeLeavesNothing() throws IOException {
        assertEquals(Optional.empty(), StagingLock.whyUnwritable(tmp.resolve("out")));
        assertEquals(Optional.empty(), StagingLock.whyUnwritable(tmp.resolve("new/deeper/out")), "missing directories are made later");
        assertEquals(List.of(), names(), "the probe created and removed its mark, and made no directory");
    }

    @Test
    void aFileOnTheWayIsNotADirectory() throws IOException {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertEquals(Optional.of(file + " is not a directory"), StagingLock.whyUnwritable(file.resolve("out")));
        assertEquals(Optional.of(file + " is not a directory"), StagingLock.whyUnwritable(file.resolve("a/b/out")));
    }

    @Test
    void aDirectoryThisUserCannotWriteIsPermissionDenied() throws IOException {
        assumeFalse("root".equals(System.getProperty("user.name")), "root writes into a 0555 directory");
        Path ro = Files.createDirectory(tmp.resolve("ro"));
        Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assertEquals(Optional.of("permission denied: this user cannot create files in " + ro),
                    StagingLock.whyUnwritable(ro.resolve("out")));
        } finally {
            Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }
}
