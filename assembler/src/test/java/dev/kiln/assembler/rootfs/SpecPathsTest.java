package dev.kiln.assembler.rootfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.assembler.AssembleException;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.FileTree;
import dev.kiln.resolver.spec.ImageSpec;
import dev.kiln.resolver.spec.ImageSpec.PathType;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The spec's {@code paths} entries applied to the root filesystem. */
class SpecPathsTest {
    private static ImageSpec.PathEntry entry(String path, PathType type, Integer mode, long uid, String source) {
        return new ImageSpec.PathEntry(path, type, mode == null ? OptionalInt.empty() : OptionalInt.of(mode), uid, uid,
                Optional.ofNullable(source), false);
    }

    private static FileTree build(ImageSpec.PathEntry... paths) {
        return RootfsBuilder.build(List.of(), RootfsBuilder.Options.of("amd64", 1_700_000_000L).withPaths(List.of(paths)));
    }

    @Test
    void directoriesFilesAndLinksAreCreatedWithTheirModesAndOwners() {
        FileTree t = build(entry("/tmp", PathType.DIRECTORY, 01777, 0, null),
                entry("/srv/data/empty", PathType.EMPTY_FILE, 0600, 65532, null),
                entry("/srv/link", PathType.SYMLINK, null, 0, "data/empty"),
                entry("/srv/hard", PathType.HARDLINK, null, 0, "/srv/data/empty"),
                entry("/srv/data", PathType.PERMISSIONS, 0750, 65532, null));
        assertEquals(01777, t.get("/tmp").orElseThrow().mode());
        Entry file = t.get("/srv/data/empty").orElseThrow();
        assertEquals(Entry.Type.FILE, file.type());
        assertEquals(0600, file.mode());
        assertEquals(65532, file.uid());
        assertEquals("data/empty", t.get("/srv/link").orElseThrow().linkTarget());
        assertEquals(Entry.Type.HARDLINK, t.get("/srv/hard").orElseThrow().type());
        assertEquals(0750, t.get("/srv/data").orElseThrow().mode());
    }

    @Test
    void recursiveGivesEverythingBelowTheOwnerAndTheModeButLeavesSymlinkModesAlone() {
        ImageSpec.PathEntry perms = new ImageSpec.PathEntry("/srv", PathType.PERMISSIONS, OptionalInt.of(0750), 65532, 65533,
                Optional.empty(), true);
        FileTree t = build(entry("/srv/data/empty", PathType.EMPTY_FILE, 0600, 0, null),
                entry("/srv/link", PathType.SYMLINK, null, 0, "data/empty"),
                entry("/srv/other", PathType.DIRECTORY, 0755, 0, null),
                entry("/tmp", PathType.DIRECTORY, 01777, 0, null),
                perms);
        for (String p : List.of("/srv", "/srv/data", "/srv/data/empty", "/srv/other")) {
            Entry e = t.get(p).orElseThrow();
            assertEquals(0750, e.mode(), p);
            assertEquals(65532, e.uid(), p);
            assertEquals(65533, e.gid(), p);
        }
        Entry link = t.get("/srv/link").orElseThrow();
        assertEquals(0777, link.mode());
        assertEquals(65532, link.uid());
        assertEquals(01777, t.get("/tmp").orElseThrow().mode(), "outside the directory nothing changes");
    }

    @Test
    void recursiveOnADirectoryWithoutAModeChangesOnlyOwners() {
        ImageSpec.PathEntry dir = new ImageSpec.PathEntry("/home/app", PathType.DIRECTORY, OptionalInt.empty(), 1000, 1000,
                Optional.empty(), true);
        FileTree t = build(entry("/home/app/.profile", PathType.EMPTY_FILE, 0640, 0, null), dir);
        Entry profile = t.get("/home/app/.profile").orElseThrow();
        assertEquals(0640, profile.mode());
        assertEquals(1000, profile.uid());
        assertEquals(0755, t.get("/home/app").orElseThrow().mode());
    }

    @Test
    void recursivePermissionsOnAFileIsAnError() {
        ImageSpec.PathEntry perms = new ImageSpec.PathEntry("/srv/f", PathType.PERMISSIONS, OptionalInt.of(0700), 0, 0,
                Optional.empty(), true);
        AssembleException e = assertThrows(AssembleException.class, () -> build(entry("/srv/f", PathType.EMPTY_FILE, 0600, 0, null), perms));
        assertTrue(e.getMessage().contains("nothing below it"), e.getMessage());
    }

    @Test
    void permissionsOnAPathTheImageDoesNotHaveIsAnError() {
        AssembleException e = assertThrows(AssembleException.class, () -> build(entry("/nope", PathType.PERMISSIONS, 0700, 0, null)));
        assertTrue(e.getMessage().contains("/nope") && e.getMessage().contains("does not have"), e.getMessage());
    }

    @Test
    void aHardlinkToAMissingFileIsAnError() {
        AssembleException e = assertThrows(AssembleException.class, () -> build(entry("/a", PathType.HARDLINK, null, 0, "/missing")));
        assertTrue(e.getMessage().contains("/missing"), e.getMessage());
    }

    @Test
    void aSymlinkWithoutATargetIsAnError() {
        assertThrows(AssembleException.class, () -> build(entry("/a", PathType.SYMLINK, null, 0, null)));
    }

    @Test
    void copyingALocalFileIsRefusedForNow() {
        AssembleException e = assertThrows(AssembleException.class, () -> build(entry("/etc/x", PathType.EMPTY_FILE, null, 0, "local/x")));
        assertTrue(e.getMessage().contains("not supported yet"), e.getMessage());
    }

    @Test
    void aDirectoryOverAFileIsAnError() {
        AssembleException e = assertThrows(AssembleException.class, () -> build(
                entry("/x", PathType.EMPTY_FILE, null, 0, null), entry("/x", PathType.DIRECTORY, null, 0, null)));
        assertTrue(e.getMessage().contains("not a directory"), e.getMessage());
    }
}
