package dev.kiln.builder.source;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.builder.RecipeException;
import dev.kiln.builder.source.SourceFixtures.Entry;
import dev.kiln.fetcher.FetchListener;
import dev.kiln.fetcher.HttpTransport;
import dev.kiln.fetcher.testing.TestMirror;
import dev.kiln.store.ContentStore;
import dev.kiln.store.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourcesTest {
    @TempDir
    Path tmp;
    TestMirror mirror;
    ContentStore store;
    Sources sources;
    Path recipe;

    @BeforeEach
    void setUp() throws IOException {
        mirror = TestMirror.start();
        store = ContentStore.open(tmp.resolve("store"));
        sources = new Sources(HttpTransport.withDefaults(), store, Map.of("TEST_MIRROR", mirror.uri("").toString()),
                FetchListener.NONE, GitTool.installed());
        Files.createDirectories(tmp.resolve("packages"));
        recipe = tmp.resolve("packages/hello.yaml");
        Files.writeString(recipe, "# the recipe itself is not read here\n");
    }

    @AfterEach
    void tearDown() {
        mirror.close();
        store.close();
    }

    static final byte[] TARBALL = SourceFixtures.tarGz(
            Entry.dir("hello-2.10/"),
            Entry.file("hello-2.10/configure", 0775, "#!/bin/sh\necho configured\n"),
            Entry.file("hello-2.10/configure.ac", 0664, "AC_INIT\n"),
            Entry.dir("hello-2.10/src/"),
            Entry.file("hello-2.10/src/hello.c", 0600, "int main(void) { return 0; }\n"),
            Entry.symlink("hello-2.10/src/link.c", "hello.c"),
            Entry.hardlink("hello-2.10/src/again.c", "hello-2.10/src/hello.c"));

    Source.Fetch fetch(byte[] served, Optional<Digest> sha256, Optional<String> sha512) {
        mirror.serve("/pool/hello_2.10.orig.tar.gz", served);
        return new Source.Fetch("pipeline[0]", 3, "${TEST_MIRROR}/pool/hello_2.10.orig.tar.gz", sha256, sha512, 1, true);
    }

    static String sha512(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(bytes));
    }

    @Test
    void aFetchIsPinnedByItsHashesKeptInTheStoreAndUnpackedWithStripComponents() throws Exception {
        Source.Fetch f = fetch(TARBALL, Optional.of(Digest.of(TARBALL)), Optional.of(sha512(TARBALL)));
        List<SourcePin> pins = sources.pin(recipe, List.of(f), List.of());
        SourcePin.Fetch pin = (SourcePin.Fetch) pins.get(0);
        assertEquals(Digest.of(TARBALL), pin.sha256());
        assertEquals(TARBALL.length, pin.size());
        assertEquals("${TEST_MIRROR}/pool/hello_2.10.orig.tar.gz", pin.uri());
        assertTrue(store.contains(Digest.of(TARBALL)));

        Path ws = tmp.resolve("ws");
        sources.materialize(recipe, List.of(f), pins, ws);
        assertEquals("#!/bin/sh\necho configured\n", Files.readString(ws.resolve("configure")));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(ws.resolve("configure"))));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(ws.resolve("src/hello.c"))));
        assertEquals(Path.of("hello.c"), Files.readSymbolicLink(ws.resolve("src/link.c")));
        assertEquals("int main(void) { return 0; }\n", Files.readString(ws.resolve("src/again.c")));
        assertTrue(Files.getLastModifiedTime(ws.resolve("configure")).toMillis()
                < Files.getLastModifiedTime(ws.resolve("configure.ac")).toMillis(), "the archive's times are kept, in order");
    }

    @Test
    void aKeptPinIsNotDownloadedAgain() throws Exception {
        Source.Fetch f = fetch(TARBALL, Optional.of(Digest.of(TARBALL)), Optional.empty());
        List<SourcePin> pins = sources.pin(recipe, List.of(f), List.of());
        int requests = mirror.requestCount();
        assertEquals(pins, sources.pin(recipe, List.of(f), pins));
        assertEquals(requests, mirror.requestCount());
    }

    @Test
    void aWrongSha256IsRefusedAndNothingIsKept() {
        Digest other = Digest.of("something else");
        Source.Fetch f = fetch(TARBALL, Optional.of(other), Optional.empty());
        RecipeException e = assertThrows(RecipeException.class, () -> sources.pin(recipe, List.of(f), List.of()));
        assertEquals("recipe.source", e.code());
        assertTrue(e.getMessage().contains("pipeline[0]") && e.getMessage().contains("expected sha256 " + other.hex()), e.getMessage());
        assertTrue(e.getMessage().contains(Digest.of(TARBALL).hex()), e.getMessage());
        assertFalse(store.contains(Digest.of(TARBALL)));
    }

    @Test
    void aWrongSha512IsRefusedAndNothingIsKept() throws Exception {
        String wrong = sha512("something else".getBytes(UTF_8));
        Source.Fetch f = fetch(TARBALL, Optional.empty(), Optional.of(wrong));
        RecipeException e = assertThrows(RecipeException.class, () -> sources.pin(recipe, List.of(f), List.of()));
        assertTrue(e.getMessage().contains("expected sha512 " + wrong + ", found " + sha512(TARBALL)), e.getMessage());
        assertFalse(store.contains(Digest.of(TARBALL)));
    }

    @Test
    void aHostileTarballIsRefusedAndTheWorkspaceLeftEmpty() throws Exception {
        for (Entry hostile : List.of(Entry.file("x/../../escape", 0644, "x"), Entry.file("/etc/passwd", 0644, "x"),
                Entry.symlink("x/out", "../../../etc"), Entry.symlink("x/abs", "/etc/shadow"),
                Entry.hardlink("x/h", "etc/passwd"))) {
            byte[] tar = SourceFixtures.tarGz(Entry.file("x/ok", 0644, "fine"), hostile);
            Source.Fetch f = fetch(tar, Optional.of(Digest.of(tar)), Optional.empty());
            List<SourcePin> pins = sources.pin(recipe, List.of(f), List.of());
            Path ws = tmp.resolve("ws-" + Math.abs(hostile.name().hashCode()));
            RecipeException e = assertThrows(RecipeException.class, () -> sources.materialize(recipe, List.of(f), pins, ws));
            assertTrue(e.getMessage().contains("refused entry"), e.getMessage());
            try (Stream<Path> left = Files.list(ws)) {
                assertEquals(0, left.count(), "nothing partial for " + hostile);
            }
        }
        assertFalse(Files.exists(tmp.resolve("escape")));
    }

    @Test
    void aFileNotExtractedIsPutThereAsItIs() {
        byte[] bytes = "plain bytes".getBytes(UTF_8);
        mirror.serve("/files/data.bin", bytes);
        Source.Fetch f = new Source.Fetch("pipeline[0]", 3, "${TEST_MIRROR}/files/data.bin", Optional.of(Digest.of(bytes)), Optional.empty(),
                0, false);
        List<SourcePin> pins = sources.pin(recipe, List.of(f), List.of());
        Path ws = tmp.resolve("ws");
        sources.materialize(recipe, List.of(f), pins, ws);
        assertEquals("plain bytes", assertDoesNotThrowRead(ws.resolve("data.bin")));
    }

    static String assertDoesNotThrowRead(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aGitTagIsPinnedByCommitAndTreeAndExportedDeterministically() throws Exception {
        Path repo = tmp.resolve("upstream");
        String commit = SourceFixtures.gitRepository(repo);
        SourceFixtures.serveDumb(mirror, repo, "hello");
        Source.Git g = new Source.Git("pipeline[1]", 5, "${TEST_MIRROR}/hello.git", "refs/tags/v1", commit, "src-tree");
        SourcePin.Git pin = (SourcePin.Git) sources.pin(recipe, List.of(g), List.of()).get(0);
        assertEquals(commit, pin.commit());
        assertEquals("refs/tags/v1", pin.ref());

        // the same tree from a file: URL of the same repository: the same pin
        Source.Git local = new Source.Git("pipeline[1]", 5, repo.toUri().toString(), "refs/tags/v1", commit, "src-tree");
        assertEquals(pin.tree(), ((SourcePin.Git) sources.pin(recipe, List.of(local), List.of()).get(0)).tree());

        Path ws = tmp.resolve("ws");
        sources.materialize(recipe, List.of(g), List.of(pin), ws);
        assertEquals("hello\n", Files.readString(ws.resolve("src-tree/README")));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(ws.resolve("src-tree/configure"))));
        assertEquals(Path.of("README"), Files.readSymbolicLink(ws.resolve("src-tree/LICENSE")));
        assertFalse(Files.exists(ws.resolve("src-tree/.git")));
    }

    @Test
    void aWrongExpectedCommitIsRefused() throws Exception {
        Path repo = tmp.resolve("upstream");
        SourceFixtures.gitRepository(repo);
        String wrong = "0123456789abcdef0123456789abcdef01234567";
        Source.Git g = new Source.Git("pipeline[1]", 5, repo.toUri().toString(), "refs/tags/v1", wrong, ".");
        RecipeException e = assertThrows(RecipeException.class, () -> sources.pin(recipe, List.of(g), List.of()));
        assertEquals("recipe.source", e.code());
        assertTrue(e.getMessage().contains("not the expected-commit " + wrong), e.getMessage());
    }

    @Test
    void aMovedTagIsRefusedNamingTheLockedCommit() throws Exception {
        Path repo = tmp.resolve("upstream");
        String first = SourceFixtures.gitRepository(repo);
        Source.Git g = new Source.Git("pipeline[1]", 5, repo.toUri().toString(), "refs/tags/v1", first, ".");
        List<SourcePin> pins = sources.pin(recipe, List.of(g), List.of());
        String second = SourceFixtures.moveTag(repo);
        RecipeException e = assertThrows(RecipeException.class, () -> sources.pin(recipe, List.of(g), pins));
        assertEquals("recipe.source", e.code());
        assertTrue(e.getMessage().contains("moved since the recipe was locked (it was " + first + ")"), e.getMessage());
        assertTrue(e.getMessage().contains("is commit " + second), e.getMessage());
    }

    @Test
    void aLocalSourceIsPinnedByItsListingAndRefusedWhenItLeadsOut() throws Exception {
        Path patches = tmp.resolve("packages/patches");
        Files.createDirectories(patches);
        Files.writeString(patches.resolve("01.patch"), "--- a\n+++ b\n");
        Source.Local l = new Source.Local("pipeline[2]", 7, "./patches", "patches");
        SourcePin.Local pin = (SourcePin.Local) sources.pin(recipe, List.of(l), List.of()).get(0);
        assertEquals(1, pin.files());
        Path ws = tmp.resolve("ws");
        sources.materialize(recipe, List.of(l), List.of(pin), ws);
        assertEquals("--- a\n+++ b\n", Files.readString(ws.resolve("patches/01.patch")));

        Files.writeString(patches.resolve("01.patch"), "changed\n");
        RecipeException stale = assertThrows(RecipeException.class,
                () -> sources.materialize(recipe, List.of(l), List.of(pin), tmp.resolve("ws2")));
        assertEquals("recipe.lock", stale.code());

        Files.writeString(tmp.resolve("secret"), "no");
        Source.Local out = new Source.Local("pipeline[2]", 7, "../secret", "secret");
        RecipeException e = assertThrows(RecipeException.class, () -> sources.pin(recipe, List.of(out), List.of()));
        assertTrue(e.getMessage().contains(recipe + ":7: pipeline[2].source:") && e.getMessage().contains("leads outside"), e.getMessage());
    }

    @Test
    void pinsThatAreNotTheRecipesAreAStaleLock() throws Exception {
        Source.Fetch f = fetch(TARBALL, Optional.of(Digest.of(TARBALL)), Optional.empty());
        List<SourcePin> pins = sources.pin(recipe, List.of(f), List.of());
        Source.Fetch moved = new Source.Fetch("pipeline[0]", 3, "${TEST_MIRROR}/pool/other.tar.gz", f.sha256(), Optional.empty(), 1, true);
        RecipeException e = assertThrows(RecipeException.class, () -> sources.materialize(recipe, List.of(moved), pins, tmp.resolve("ws")));
        assertEquals("recipe.lock", e.code());
        assertFalse(Files.exists(tmp.resolve("ws")));
    }
}
