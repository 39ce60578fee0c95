package dev.kiln.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one way kiln publishes a file: whole, with the mode asked for, nothing left beside it. */
class AtomicFileTest {
    @TempDir
    Path tmp;

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void aWriteReplacesTheTargetWithTheModeAskedForAndLeavesNothingBeside() throws IOException {
        Path target = tmp.resolve("image.lock.json");
        AtomicFile.write(target, "one".getBytes(UTF_8), PosixFilePermissions.fromString("rw-------"));
        assertEquals("rw-------", mode(target));
        AtomicFile.write(target, "two".getBytes(UTF_8), AtomicFile.PUBLIC);

        assertEquals("two", Files.readString(target));
        assertEquals("rw-r--r--", mode(target), "the mode asked for, whatever the umask or the old file's");
        assertEquals(List.of("image.lock.json"), names());
    }

    @Test
    void aStreamThatFailsLeavesTheOldFileAndNoTemporary() throws IOException {
        Path target = Files.writeString(tmp.resolve("image.tar"), "old");
        IOException e = assertThrows(IOException.class, () -> AtomicFile.write(target, AtomicFile.PUBLIC, out -> {
            out.write(new byte[100_000]);
            throw new IOException("the source broke off");
        }));
        assertEquals("the source broke off", e.getMessage());
        assertEquals("old", Files.readString(target));
        assertEquals(List.of("image.tar"), names());
        assertThrows(IllegalStateException.class, () -> AtomicFile.write(target, AtomicFile.PUBLIC, out -> {
            throw new IllegalStateException("a bug in the writer");
        }));
        assertEquals(List.of("image.tar"), names());
    }

    @Test
    void aStagedFileAppearsOnlyWhenCommittedAndCloseWithoutCommitRemovesIt() throws IOException {
        Path sbom = tmp.resolve("out.amd64.spdx.json");
        try (AtomicFile.Staged staged = AtomicFile.stage(sbom, "{}".getBytes(UTF_8), AtomicFile.PUBLIC)) {
            assertFalse(Files.exists(sbom));
            assertEquals(2, names().size(), "the temporary file and its mark: " + names());
            staged.commit();
        }
        assertEquals("{}", Files.readString(sbom));
        try (AtomicFile.Staged staged = AtomicFile.stage(sbom, "[]".getBytes(UTF_8), AtomicFile.PUBLIC)) {
            assertEquals(sbom, staged.target());
        }
        assertEquals("{}", Files.readString(sbom), "never committed: the old file stays");
        assertEquals(List.of("out.amd64.spdx.json"), names());
    }

    @Test
    void createNeverReplacesAFile() throws IOException {
        Path key = tmp.resolve("release.key");
        AtomicFile.create(key, "secret".getBytes(UTF_8), PosixFilePermissions.fromString("rw-------"));
        assertEquals("rw-------", mode(key));

        FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class,
                () -> AtomicFile.create(key, "other".getBytes(UTF_8), AtomicFile.PUBLIC));
        assertEquals(key.toString(), e.getFile());
        assertEquals("secret", Files.readString(key));
        assertEquals(List.of("release.key"), names());
    }

    @Test
    void theNextWriteOfATargetRemovesTheTemporaryFileAKilledWriterLeft() throws IOException {
        Path target = tmp.resolve("image.lock.json");
        Files.writeString(tmp.resolve(".image.lock.json.kiln-00000000000000aa.tmp"), "half a lock");
        Files.writeString(tmp.resolve(".image.lock.json.kiln-00000000000000aa.lock"), ""); // its holder is gone
        Files.writeString(tmp.resolve(".other.json.kiln-00000000000000bb.tmp"), "another target's");

        AtomicFile.write(target, "{}".getBytes(UTF_8), AtomicFile.PUBLIC);

        assertEquals(List.of(".other.json.kiln-00000000000000bb.tmp", "image.lock.json"), names());
    }

    @Test
    void missingDirectoriesAreMade() throws IOException {
        Path deep = tmp.resolve("a/b/c");
        AtomicFile.createDirectories(deep);
        AtomicFile.createDirectories(deep);
        assertTrue(Files.isDirectory(deep));
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertThrows(IOException.class, () -> AtomicFile.createDirectories(file.resolve("d")));
    }

    @Test
    void syncTreeFsyncsEveryFileAndDirectoryOfALayoutWithoutError() throws IOException {
        Path root = Files.createDirectories(tmp.resolve("layout/blobs/sha256"));
        Files.writeString(root.resolve("abc"), "blob");
        Files.writeString(tmp.resolve("layout/index.json"), "{}");
        AtomicFile.syncTree(tmp.resolve("layout")); // fsync has nothing to show but that it ran without error
        assertEquals("blob", Files.readString(root.resolve("abc")));
    }
}
