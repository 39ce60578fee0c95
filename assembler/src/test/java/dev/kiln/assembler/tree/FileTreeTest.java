package dev.kiln.assembler.tree;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.assembler.AssembleException;
import dev.kiln.store.Digest;
import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FileTreeTest {
    private static final Content HELLO = Content.of("hello\n".getBytes(UTF_8));

    private static Entry dir(String path) {
        return Entry.dir(path, 0755, 0, 0, 1_700_000_000L);
    }

    private static Entry file(String path) {
        return Entry.file(path, 0644, 0, 0, 1_700_000_000L, HELLO);
    }

    private static void assertConflict(FileTree.Builder builder, Entry entry, String message) {
        AssembleException e = assertThrows(AssembleException.class, () -> builder.add(entry));
        assertEquals(message, e.getMessage());
    }

    @Test
    void iteratesInUtf8ByteOrderWhateverTheOrderOfAdding() {
        FileTree tree = FileTree.builder("test")
                .add(file("/a/b"))
                .add(file("/a-b"))
                .add(dir("/a"))
                .add(dir("/"))
                .build();
        assertEquals(List.of("/", "/a", "/a-b", "/a/b"), tree.stream().map(Entry::path).toList());
    }

    @Test
    void refusesTheSamePathTwice() {
        FileTree.Builder b = FileTree.builder("pkg.deb").add(file("/etc/motd"));
        assertConflict(b, dir("/etc/motd"), "pkg.deb: /etc/motd: a duplicate entry: expected each path once, found FILE then DIR");
    }

    @Test
    void refusesAPathUnderASymlinkOrFile() {
        FileTree.Builder b = FileTree.builder("pkg.deb")
                .add(Entry.symlink("/lib", "usr/lib", 0777, 0, 0, 1L))
                .add(file("/etc"));
        assertConflict(b, file("/lib/x"), "pkg.deb: /lib/x: lies under /lib, which is a SYMLINK, not a directory");
        assertConflict(b, file("/etc/deep/x"), "pkg.deb: /etc/deep/x: lies under /etc, which is a FILE, not a directory");
    }

    @Test
    void refusesANonDirectoryOverPathsAlreadyBelowIt() {
        FileTree.Builder b = FileTree.builder("pkg.deb").add(file("/usr/lib/x"));
        assertConflict(b, Entry.symlink("/usr", "/opt", 0777, 0, 0, 1L),
                "pkg.deb: /usr: is a SYMLINK but /usr/lib/x is already below it");
        b.add(dir("/usr")).add(file("/usr-x")); // a sibling that merely shares a prefix is fine
    }

    @Test
    void acceptsAHardlinkOnlyToAnEarlierRegularFile() {
        FileTree.Builder b = FileTree.builder("pkg.deb").add(file("/bin/a")).add(dir("/bin/d"));
        b.add(Entry.hardlink("/bin/b", "/bin/a", 0644, 0, 0, 1L));
        assertConflict(b, Entry.hardlink("/bin/c", "/bin/b", 0644, 0, 0, 1L),
                "pkg.deb: /bin/c: a hardlink to /bin/b: expected an earlier regular file, found a HARDLINK");
        assertConflict(b, Entry.hardlink("/bin/e", "/bin/d", 0644, 0, 0, 1L),
                "pkg.deb: /bin/e: a hardlink to /bin/d: expected an earlier regular file, found a DIR");
        assertConflict(b, Entry.hardlink("/bin/f", "/bin/zz", 0644, 0, 0, 1L),
                "pkg.deb: /bin/f: a hardlink to /bin/zz: expected an earlier regular file, found nothing");
    }

    @Test
    void aBuiltTreeDoesNotChangeWhenTheBuilderGoesOn() {
        FileTree.Builder b = FileTree.builder("test").add(dir("/"));
        FileTree first = b.build();
        b.add(file("/x"));
        assertEquals(1, first.size());
        assertEquals(2, b.build().size());
        assertThrows(UnsupportedOperationException.class, () -> first.entries().add(file("/y")));
    }

    @Test
    void entriesRefuseWhatNoFilesystemHolds() {
        assertThrows(IllegalArgumentException.class, () -> file("usr/bin/x"));
        assertThrows(IllegalArgumentException.class, () -> file("/usr/bin/"));
        assertThrows(IllegalArgumentException.class, () -> file("/usr/../x"));
        assertThrows(IllegalArgumentException.class, () -> file("/"));
        assertThrows(IllegalArgumentException.class, () -> Entry.dir("/x", 010755, 0, 0, 1L));
        assertThrows(IllegalArgumentException.class, () -> Entry.dir("/x", 0755, -1, 0, 1L));
        assertThrows(IllegalArgumentException.class, () -> Entry.dir("/x", 0755, 0, 1L << 32, 1L));
        assertThrows(IllegalArgumentException.class, () -> Entry.file("/x", 0644, 0, 0, 1L, null));
        assertThrows(IllegalArgumentException.class, () -> Entry.symlink("/x", "", 0777, 0, 0, 1L));
        assertThrows(IllegalArgumentException.class, () -> Entry.symlink("/x", "a\u0000b", 0777, 0, 0, 1L));
        assertThrows(IllegalArgumentException.class, () -> Entry.hardlink("/x", "../y", 0644, 0, 0, 1L));
        assertThrows(IllegalArgumentException.class, () -> dir("/x").withXattrs(Map.of("", ByteString.of(new byte[1]))));
    }

    @Test
    void symlinkTargetsAreDataAndKeptVerbatim() {
        Entry e = Entry.symlink("/usr/lib/x", "../../lib/./y//z", 0777, 0, 0, 1L);
        assertEquals("../../lib/./y//z", e.linkTarget());
    }

    @Test
    void keepsSpecialModeBits() {
        assertEquals(04755, Entry.file("/su", 04755, 0, 0, 1L, HELLO).mode());
        assertEquals(02755, Entry.file("/sg", 02755, 0, 0, 1L, HELLO).mode());
        assertEquals(01777, Entry.dir("/tmp", 01777, 0, 0, 1L).mode());
    }

    @Test
    void sortsXattrsAndComparesThemByContent() {
        Entry a = file("/x").withXattrs(Map.of("user.b", ByteString.of(new byte[] {2}), "security.capability", ByteString.of(new byte[] {1, 0})));
        Entry b = file("/x").withXattrs(Map.of("security.capability", ByteString.of(new byte[] {1, 0}), "user.b", ByteString.of(new byte[] {2})));
        assertEquals(List.of("security.capability", "user.b"), List.copyOf(a.xattrs().keySet()));
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertThrows(UnsupportedOperationException.class, () -> a.xattrs().clear());
        byte[] raw = {9};
        ByteString value = ByteString.of(raw);
        raw[0] = 0;
        assertArrayEquals(new byte[] {9}, value.toByteArray());
    }

    @Test
    void contentIsKnownBySizeAndDigestAndReadOnce() throws Exception {
        byte[] bytes = "some bytes\n".getBytes(UTF_8);
        Content read = Content.read(new ByteArrayInputStream(bytes));
        assertEquals(Content.of(bytes), read);
        assertEquals(Digest.of(bytes), read.digest());
        assertEquals(bytes.length, read.size());
        assertArrayEquals(bytes, read.readAllBytes());
        assertArrayEquals(bytes, read.open().readAllBytes());
        assertTrue(Content.of(bytes).hashCode() == read.hashCode());
    }
}
