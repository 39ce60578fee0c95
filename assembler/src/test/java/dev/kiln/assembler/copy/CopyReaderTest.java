package dev.kiln.assembler.copy;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.resolver.lock.CopyListing;
import dev.kiln.resolver.lock.CopyListing.Kind;
import dev.kiln.resolver.spec.SpecException;
import dev.kiln.store.Digest;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a local source as untrusted input: a stable listing, and refusals that name the path. */
class CopyReaderTest {
    private static final CopyReader.Where WHERE = new CopyReader.Where("app.yaml", 7, "paths[1].source", "./app");

    @TempDir
    Path tmp;

    /** A messy tree: real mtimes, odd modes, a long name, a space, nested directories, links inside. */
    private Path tree(String name) throws IOException {
        Path root = Files.createDirectories(tmp.resolve(name));
        Files.createDirectories(root.resolve("static/css"));
        Files.createDirectories(root.resolve("empty dir"));
        write(root.resolve("index.html"), "<h1>hello</h1>\n", "rw-rw-r--", 1_694_201_234L);
        write(root.resolve("static/css/site.css"), "body { margin: 0 }\n", "rw-------", 1_712_345_678L);
        write(root.resolve("run.sh"), "#!/bin/sh\necho hi\n", "rwx------", 1_734_567_890L);
        write(root.resolve("static/" + "n".repeat(200) + ".txt"), "long\n", "r--r--r--", 1_600_000_000L);
        Files.createSymbolicLink(root.resolve("home.html"), Path.of("index.html"));
        Files.createSymbolicLink(root.resolve("static/css/up"), Path.of("../../index.html"));
        Files.createSymbolicLink(root.resolve("styles"), Path.of("static/css"));
        return root;
    }

    private static void write(Path p, String text, String perms, long mtime) throws IOException {
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
        Files.setLastModifiedTime(p, FileTime.from(Instant.ofEpochSecond(mtime)));
    }

    /** Reads a source below the test's directory, which is its context. */
    private CopyListing read(Path root) {
        return new CopyReader(WHERE).read(context(), root, Kind.DIRECTORY).listing();
    }

    private Path context() {
        try {
            return tmp.toRealPath();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private String refusal(Path root, Kind kind) {
        Path context = root.startsWith(context()) ? context() : root.getParent();
        return assertThrows(SpecException.class, () -> new CopyReader(WHERE).read(context, root, kind)).getMessage();
    }

    @Test
    void aTreeIsListedWithNormalizedModesLinksAsLinksAndFileDigests() throws IOException {
        Path root = tree("app");
        CopyListing l = read(root);
        assertEquals(List.of("empty dir", "home.html", "index.html", "run.sh", "static", "static/css", "static/css/site.css",
                        "static/css/up", "static/" + "n".repeat(200) + ".txt", "styles"),
                l.entries().stream().map(CopyListing.Item::path).toList());
        assertEquals(CopyListing.Item.file("index.html", 0644, 15, Digest.of("<h1>hello</h1>\n")), item(l, "index.html"));
        assertEquals(0755, item(l, "run.sh").mode(), "the owner's executable bit gives 0755");
        assertEquals(0644, item(l, "static/css/site.css").mode(), "0600 becomes 0644: the host's permissions do not leak");
        assertEquals(CopyListing.Item.symlink("styles", "static/css"), item(l, "styles"));
        assertEquals(CopyListing.Item.directory("empty dir"), item(l, "empty dir"));
        assertEquals(4, l.files());
    }

    @Test
    void theSameTreeTwiceGivesTheSameDigestWhateverItsTimesGroupBitsAndPlace() throws IOException {
        Digest first = read(tree("one")).digest();
        assertEquals(first, read(tmp.resolve("one")).digest(), "read again");
        Path two = tree("two");
        Files.setLastModifiedTime(two.resolve("index.html"), FileTime.from(Instant.ofEpochSecond(42)));
        Files.setPosixFilePermissions(two.resolve("index.html"), PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(two.resolve("run.sh"), PosixFilePermissions.fromString("rwxrwxrwx"));
        assertEquals(first, read(two).digest(), "another directory, other times, other group and world bits");
    }

    @Test
    void aChangedByteExecutableBitAddedFileOrLinkTargetChangesTheDigest() throws IOException {
        Digest base = read(tree("base")).digest();
        List<Consumer<Path>> changes = List.of(
                r -> io(() -> Files.writeString(r.resolve("index.html"), "<h1>hellO</h1>\n")),
                r -> io(() -> Files.setPosixFilePermissions(r.resolve("index.html"), PosixFilePermissions.fromString("rwxr--r--"))),
                r -> io(() -> Files.writeString(r.resolve("static/new.txt"), "")),
                r -> io(() -> Files.createDirectory(r.resolve("static/more"))),
                r -> io(() -> {
                    Files.delete(r.resolve("home.html"));
                    Files.createSymbolicLink(r.resolve("home.html"), Path.of("run.sh"));
                }));
        for (int i = 0; i < changes.size(); i++) {
            Path copy = tree("changed-" + i);
            changes.get(i).accept(copy);
            assertNotEquals(base, read(copy).digest(), "change " + i);
        }
    }

    @Test
    void aFileSourceIsListedAlone() throws IOException {
        Path f = tmp.resolve("app.conf");
        write(f, "port = 8080\n", "rwxr-x---", 1_700_000_001L);
        CopyListing l = new CopyReader(WHERE).read(context(), f, Kind.FILE).listing();
        assertEquals(new CopyListing(Kind.FILE, List.of(CopyListing.Item.file(".", 0755, 12, Digest.of("port = 8080\n")))), l);
    }

    @Test
    void aSourceThatNoLongerLeadsWhereItWasCheckedIsRefused() throws IOException {
        // the build context checked the path with every symlink followed; a symlink put there since is a change
        Path root = tree("real");
        Path link = Files.createSymbolicLink(tmp.resolve("current"), root.getFileName());
        assertEquals("app.yaml:7: paths[1].source: ./app changed while kiln was reading it (it led to " + link + ", now to "
                + root + "); build again", refusal(link, Kind.DIRECTORY));
    }

    /**
     * Someone who can write the source while kiln reads it swaps a directory kiln has listed, or a
     * file it is about to hash, for a symlink to a secret outside: kiln opens each relative to its
     * directory without following links, so the swap is an error, never the secret's bytes.
     */
    @Test
    void aDirectorySwappedForASymlinkOutWhileKilnReadsIsAnErrorNotTheSecret() throws IOException {
        Path root = tree("swapped");
        Path outside = Files.createDirectories(tmp.resolve("outside/css"));
        Files.writeString(outside.resolve("site.css"), "token=s3cret\n");
        CopyReader reader = new CopyReader(WHERE, CopyReader.MAX_BYTES, CopyReader.MAX_ENTRIES, rel -> {
            if (rel.equals("static/css")) {
                swapForLink(root.resolve(rel), outside);
            }
        });
        SpecException e = assertThrows(SpecException.class, () -> reader.read(context(), root, Kind.DIRECTORY));
        assertTrue(e.getMessage().contains("./app changed while kiln was reading it (" + root.resolve("static/css")
                + " is no longer a directory"), e.getMessage());
    }

    @Test
    void aFileSwappedForASymlinkOutJustBeforeItIsHashedIsAnErrorNotTheSecret() throws IOException {
        Path root = tree("swapped-file");
        Path secret = Files.writeString(tmp.resolve("secret.conf"), "token=s3cret\n");
        CopyReader reader = new CopyReader(WHERE, CopyReader.MAX_BYTES, CopyReader.MAX_ENTRIES, rel -> {
            if (rel.equals("index.html")) {
                swapForLink(root.resolve(rel), secret);
            }
        });
        SpecException e = assertThrows(SpecException.class, () -> reader.read(context(), root, Kind.DIRECTORY));
        assertTrue(e.getMessage().contains("./app changed while kiln was reading it (" + root.resolve("index.html")
                + " could not be opened as the file it was"), e.getMessage());
    }

    private static void swapForLink(Path p, Path target) {
        try {
            if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                try (Stream<Path> s = Files.walk(p)) {
                    for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(q);
                    }
                }
            } else {
                Files.delete(p);
            }
            Files.createSymbolicLink(p, target);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aSymlinkLeadingOutOfTheSourceIsRefused() throws IOException {
        Path root = tree("out");
        Files.writeString(tmp.resolve("secret"), "s3cret\n");
        Files.createSymbolicLink(root.resolve("static/leak"), Path.of("../../secret"));
        String m = refusal(root, Kind.DIRECTORY);
        assertTrue(m.startsWith("app.yaml:7: paths[1].source: the symlink ./app/static/leak -> ../../secret leads outside the source"), m);
    }

    @Test
    void aSymlinkThatEscapesThroughAnotherSymlinkIsRefused() throws IOException {
        Path root = tree("chain");
        // each link looks harmless on its own: 'self' is the source root, but self/.. is its parent
        Files.createSymbolicLink(root.resolve("self"), Path.of("."));
        Files.createSymbolicLink(root.resolve("static/sneaky"), Path.of("../self/../chain-sibling"));
        Files.createDirectories(tmp.resolve("chain-sibling"));
        String m = refusal(root, Kind.DIRECTORY);
        assertTrue(m.contains("the symlink ./app/static/sneaky -> ../self/../chain-sibling leads outside the source"), m);
    }

    @Test
    void anAbsoluteOrDanglingSymlinkIsRefused() throws IOException {
        Path abs = tree("abs");
        Files.createSymbolicLink(abs.resolve("passwd"), Path.of("/etc/passwd"));
        assertTrue(refusal(abs, Kind.DIRECTORY).contains("the symlink ./app/passwd -> /etc/passwd is absolute"));
        Path dangling = tree("dangling");
        Files.createSymbolicLink(dangling.resolve("gone"), Path.of("nothing-here"));
        assertTrue(refusal(dangling, Kind.DIRECTORY).contains("the symlink ./app/gone -> nothing-here leads nowhere"));
    }

    @Test
    void aFifoIsRefusedWithoutBeingOpened() throws Exception {
        Path root = tree("fifo");
        Process p = new ProcessBuilder("mkfifo", root.resolve("static/pipe").toString()).inheritIO().start();
        assertEquals(0, p.waitFor());
        // opening a fifo for reading would block this test forever: it must be refused from its type alone
        String m = refusal(root, Kind.DIRECTORY);
        assertEquals("app.yaml:7: paths[1].source: ./app/static/pipe is a fifo; only regular files, directories and symlinks"
                + " can be copied; remove it from the source, or copy the files beside it one by one with type: file", m);
    }

    @Test
    void aSocketIsRefused() throws IOException {
        Path root = tree("socket");
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(root.resolve("app.sock")));
            assertTrue(refusal(root, Kind.DIRECTORY).contains("./app/app.sock is a socket"));
        }
    }

    @Test
    void aDeviceAsAFileSourceIsRefused() {
        assertTrue(refusal(Path.of("/dev/null"), Kind.FILE).contains("/dev/null is a character device, expected a regular file"));
    }

    @Test
    void theKindMustBeWhatTheSpecSays() throws IOException {
        Path root = tree("kind");
        assertTrue(refusal(root, Kind.FILE).endsWith("is a directory, expected a regular file; to copy a directory, write type: directory"));
        assertTrue(refusal(root.resolve("index.html"), Kind.DIRECTORY)
                .endsWith("is a regular file, expected a directory; to copy one file, write type: file"));
    }

    @Test
    void aMissingSourceNamesThePathItLookedAt() {
        String m = refusal(tmp.resolve("nope"), Kind.DIRECTORY);
        assertEquals("app.yaml:7: paths[1].source: no such file or directory: " + tmp.resolve("nope")
                + "; relative sources are taken from the spec's directory; check the path", m);
    }

    @Test
    void tooManyBytesOrPathsAreRefused() throws IOException {
        Path root = tree("big");
        SpecException bytes = assertThrows(SpecException.class, () -> new CopyReader(WHERE, 40, 100).read(context(), root, Kind.DIRECTORY));
        assertTrue(bytes.getMessage().contains("./app holds more than 40 bytes; copy less, or ship it in a package"), bytes.getMessage());
        SpecException paths = assertThrows(SpecException.class, () -> new CopyReader(WHERE, 1 << 20, 3).read(context(), root, Kind.DIRECTORY));
        assertTrue(paths.getMessage().contains("./app holds more than 3 paths"), paths.getMessage());
    }

    @Test
    void aNameWithAControlCharacterIsRefused() throws IOException {
        Path root = tree("control");
        Files.writeString(root.resolve("bad\nname"), "x");
        assertTrue(refusal(root, Kind.DIRECTORY).contains("the name 'bad\\u000Aname' in ./app holds a control character"));
    }

    private static CopyListing.Item item(CopyListing l, String path) {
        return l.entries().stream().filter(i -> i.path().equals(path)).findFirst().orElseThrow(() -> new AssertionError(path));
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private static void io(IoAction a) {
        try {
            a.run();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
