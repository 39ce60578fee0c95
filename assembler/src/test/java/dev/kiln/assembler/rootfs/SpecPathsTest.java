package dev.kiln.assembler.rootfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.assembler.AssembleException;
import dev.kiln.assembler.copy.Copy;
import dev.kiln.assembler.tree.Content;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.FileTree;
import dev.kiln.resolver.lock.CopyListing;
import dev.kiln.resolver.spec.ImageSpec;
import dev.kiln.resolver.spec.ImageSpec.PathType;
import dev.kiln.store.Digest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
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
    void aPathThroughASymlinkedDirectoryLandsWhereTheLinkLeadsAsOnMergedUsr() {
        FileTree t = build(entry("/usr/bin/tool", PathType.EMPTY_FILE, 0755, 0, null),
                entry("/bin", PathType.SYMLINK, null, 0, "usr/bin"),
                entry("/bin/helper", PathType.EMPTY_FILE, 0700, 0, null),
                entry("/bin/sub/dir", PathType.DIRECTORY, 0750, 0, null),
                entry("/bin/alias", PathType.SYMLINK, null, 0, "tool"),
                entry("/bin/hard", PathType.HARDLINK, null, 0, "/bin/tool"),
                entry("/bin/tool", PathType.PERMISSIONS, 0711, 0, null));
        assertEquals(0700, t.get("/usr/bin/helper").orElseThrow().mode());
        assertEquals(0750, t.get("/usr/bin/sub/dir").orElseThrow().mode());
        assertEquals("tool", t.get("/usr/bin/alias").orElseThrow().linkTarget());
        assertEquals("/usr/bin/tool", t.get("/usr/bin/hard").orElseThrow().linkTarget());
        assertEquals(0711, t.get("/usr/bin/tool").orElseThrow().mode());
        // the link itself is left alone, and nothing was created beside it
        assertEquals("usr/bin", t.get("/bin").orElseThrow().linkTarget());
        assertTrue(t.get("/bin/helper").isEmpty());
    }

    @Test
    void aSymlinkNamedByThePathItselfIsNotFollowed() {
        FileTree t = build(entry("/srv/real", PathType.DIRECTORY, 0755, 0, null),
                entry("/srv/link", PathType.SYMLINK, null, 0, "real"),
                entry("/srv/link", PathType.SYMLINK, null, 0, "elsewhere"));
        assertEquals("elsewhere", t.get("/srv/link").orElseThrow().linkTarget());
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

    // ---- local sources

    private static final long EPOCH = 1_700_000_000L;

    /** A directory source with a file, an executable, a subdirectory and a link, its bytes in memory. */
    private static Copy appSource(ImageSpec.PathEntry entry) {
        byte[] index = "<h1>hi</h1>\n".getBytes(StandardCharsets.UTF_8);
        byte[] run = "#!/bin/sh\n".getBytes(StandardCharsets.UTF_8);
        CopyListing listing = new CopyListing(CopyListing.Kind.DIRECTORY, List.of(
                CopyListing.Item.file("index.html", 0644, index.length, Digest.of(index)),
                CopyListing.Item.directory("bin"),
                CopyListing.Item.file("bin/run", 0755, run.length, Digest.of(run)),
                CopyListing.Item.symlink("home.html", "index.html")));
        return new Copy(entry, listing, Map.of(Digest.of(index), Content.of(index), Digest.of(run), Content.of(run)));
    }

    private static FileTree copy(List<ImageSpec.PathEntry> paths, Copy... sources) {
        Map<String, Copy> copies = new java.util.HashMap<>();
        for (Copy s : sources) {
            copies.put(s.entry().path(), s);
        }
        return RootfsBuilder.build(List.of(), RootfsBuilder.Options.of("amd64", EPOCH).withPaths(paths).withCopies(copies));
    }

    @Test
    void aSourceCopiedThroughASymlinkedDirectoryIsRefusedWithTheRealPath() {
        ImageSpec.PathEntry app = new ImageSpec.PathEntry("/www/app", PathType.DIRECTORY, OptionalInt.empty(), 0, 0,
                Optional.of("./app"), false);
        AssembleException e = assertThrows(AssembleException.class, () -> copy(List.of(
                entry("/srv", PathType.DIRECTORY, 0755, 0, null),
                entry("/www", PathType.SYMLINK, null, 0, "srv"), app), appSource(app)));
        assertTrue(e.getMessage().contains("fix: write path: /srv/app"), e.getMessage());
    }

    @Test
    void aDirectorySourceIsCopiedWithTheEntrysOwnerItsListedModesAndTheEpoch() {
        ImageSpec.PathEntry app = new ImageSpec.PathEntry("/srv/app", PathType.DIRECTORY, OptionalInt.of(0750), 65532, 65533,
                Optional.of("./app"), false);
        FileTree t = copy(List.of(app), appSource(app));
        Entry top = t.get("/srv/app").orElseThrow();
        assertEquals(List.of(0750, 65532L, 65533L, EPOCH), List.of(top.mode(), top.uid(), top.gid(), top.mtime()));
        for (String p : List.of("/srv/app/index.html", "/srv/app/bin", "/srv/app/bin/run", "/srv/app/home.html")) {
            Entry e = t.get(p).orElseThrow(() -> new AssertionError(p));
            assertEquals(65532, e.uid(), p);
            assertEquals(65533, e.gid(), p);
            assertEquals(EPOCH, e.mtime(), p);
        }
        assertEquals(0644, t.get("/srv/app/index.html").orElseThrow().mode());
        assertEquals("<h1>hi</h1>\n", new String(t.get("/srv/app/index.html").orElseThrow().content().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(0755, t.get("/srv/app/bin/run").orElseThrow().mode());
        assertEquals(0755, t.get("/srv/app/bin").orElseThrow().mode());
        assertEquals("index.html", t.get("/srv/app/home.html").orElseThrow().linkTarget());
        assertEquals(0, t.get("/srv").orElseThrow().uid(), "directories created above it are root's");
    }

    @Test
    void aFileSourceTakesThePermissionsGivenElseItsListedMode() {
        byte[] conf = "port = 8080\n".getBytes(StandardCharsets.UTF_8);
        CopyListing listing = new CopyListing(CopyListing.Kind.FILE, List.of(CopyListing.Item.file(".", 0755, conf.length, Digest.of(conf))));
        ImageSpec.PathEntry plain = new ImageSpec.PathEntry("/etc/a.conf", PathType.FILE, OptionalInt.empty(), 0, 0, Optional.of("a.conf"), false);
        ImageSpec.PathEntry strict = new ImageSpec.PathEntry("/etc/b.conf", PathType.FILE, OptionalInt.of(0600), 1, 2, Optional.of("a.conf"), false);
        Map<Digest, Content> bytes = Map.of(Digest.of(conf), Content.of(conf));
        FileTree t = copy(List.of(plain, strict), new Copy(plain, listing, bytes), new Copy(strict, listing, bytes));
        assertEquals(0755, t.get("/etc/a.conf").orElseThrow().mode());
        Entry b = t.get("/etc/b.conf").orElseThrow();
        assertEquals(List.of(0600, 1L, 2L, EPOCH), List.of(b.mode(), b.uid(), b.gid(), b.mtime()));
        assertEquals(Digest.of(conf), b.content().digest());
    }

    @Test
    void aCopyMergesIntoDirectoriesThatExistAndReplacesFiles() {
        ImageSpec.PathEntry app = new ImageSpec.PathEntry("/srv/app", PathType.DIRECTORY, OptionalInt.empty(), 1000, 1000,
                Optional.of("./app"), false);
        FileTree t = copy(List.of(entry("/srv/app/bin", PathType.DIRECTORY, 0700, 7, null),
                        entry("/srv/app/index.html", PathType.EMPTY_FILE, 0600, 7, null),
                        entry("/srv/app/keep.txt", PathType.EMPTY_FILE, 0600, 7, null), app),
                appSource(app));
        Entry bin = t.get("/srv/app/bin").orElseThrow();
        assertEquals(List.of(0700, 7L), List.of(bin.mode(), bin.uid()), "a directory that is there keeps its mode and owner");
        Entry index = t.get("/srv/app/index.html").orElseThrow();
        assertEquals(List.of(0644, 1000L, 12L), List.of(index.mode(), index.uid(), index.content().size()), "a file is replaced");
        assertTrue(t.get("/srv/app/keep.txt").isPresent(), "what the source does not name stays");
    }

    @Test
    void aCopyThatWouldPutAFileOverADirectoryIsAnError() {
        ImageSpec.PathEntry app = new ImageSpec.PathEntry("/srv/app", PathType.DIRECTORY, OptionalInt.empty(), 0, 0,
                Optional.of("./app"), false);
        AssembleException e = assertThrows(AssembleException.class,
                () -> copy(List.of(entry("/srv/app/index.html", PathType.DIRECTORY, null, 0, null), app), appSource(app)));
        assertTrue(e.getMessage().contains("would put a file at /srv/app/index.html, which is a directory in the image"), e.getMessage());
    }

    @Test
    void aCopyThroughASymlinkedDirectoryIsAnError() {
        ImageSpec.PathEntry app = new ImageSpec.PathEntry("/srv/app", PathType.DIRECTORY, OptionalInt.empty(), 0, 0,
                Optional.of("./app"), false);
        AssembleException e = assertThrows(AssembleException.class,
                () -> copy(List.of(entry("/srv", PathType.SYMLINK, null, 0, "opt"), app), appSource(app)));
        assertTrue(e.getMessage().contains("/srv is a SYMLINK"), e.getMessage());
    }

    @Test
    void aDirectoryOverAFileIsAnError() {
        AssembleException e = assertThrows(AssembleException.class, () -> build(
                entry("/x", PathType.EMPTY_FILE, null, 0, null), entry("/x", PathType.DIRECTORY, null, 0, null)));
        assertTrue(e.getMessage().contains("not a directory"), e.getMessage());
    }
}
