package dev.kiln.api.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.api.BuildRequest;
import dev.kiln.api.BuildResult;
import dev.kiln.api.Kiln;
import dev.kiln.api.LockCheckResult;
import dev.kiln.api.LockRequest;
import dev.kiln.api.LockResult;
import dev.kiln.api.Spec;
import dev.kiln.api.Target;
import dev.kiln.api.testing.FixtureRepository;
import dev.kiln.api.testing.FixtureRepository.PackageFile;
import dev.kiln.api.testing.FixtureRepository.Published;
import dev.kiln.store.KilnException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Conservative locking through the public API: a lock changes when, and only when, something real
 * changed. Two signed repositories made at test time, a main one and a security one, re-signed with
 * new dates, given new versions and made to drop old ones, as Debian's are.
 */
class ConservativeLockTest {
    private static final String DAY1 = "Mon, 20 Oct 2025 10:00:00 UTC";
    private static final String DAY2 = "Tue, 21 Oct 2025 10:00:00 UTC";
    private static final String DAY3 = "Wed, 22 Oct 2025 10:00:00 UTC";

    @TempDir
    Path tmp;
    FixtureRepository main;
    FixtureRepository security;
    Path spec;
    Path lockFile;

    @BeforeEach
    void repositories() throws IOException {
        main = new FixtureRepository();
        security = new FixtureRepository();
        main.add("base-fixture", "1.0-1", "", List.of(file("/usr/lib/os-release", "ID=fixture\n")));
        main.add("hello", "1.0-1", "base-fixture, libsec", List.of(file("/usr/bin/hello", "#!/bin/sh\necho hello\n")));
        main.add("extra", "1.0-1", "libsec (>= 1.0-2)", List.of(file("/usr/bin/extra", "extra\n")));
        main.add("libsec", "1.0-1", "", List.of(file("/usr/lib/libsec.so.1", "v1\n")));
        security.add("libsec", "1.0-1+sec1", "", List.of(file("/usr/lib/libsec.so.1", "v1 sec1\n")));
        main.publish(DAY1);
        security.publish(DAY1);
        spec = tmp.resolve("hello.yaml");
        writeSpec("# the hello image", "/usr/bin/hello", "hello");
        lockFile = tmp.resolve("hello.lock.json");
    }

    @AfterEach
    void stop() {
        main.close();
        security.close();
    }

    private static PackageFile file(String path, String content) {
        return PackageFile.file(path, 0644, 1_700_000_000L, content);
    }

    private void writeSpec(String comment, String cmd, String... packages) throws IOException {
        Files.writeString(spec, comment + "\ncontents:\n  repositories:\n"
                + "    - \"" + main.sourceLine(tmp.resolve("main.asc")) + "\"\n"
                + "    - \"" + security.sourceLine(tmp.resolve("security.asc")) + "\"\n"
                + "  packages: [" + String.join(", ", packages) + "]\n"
                + "archs: [amd64]\ncmd: " + cmd + "\n");
    }

    private Kiln kiln() {
        return Kiln.builder().store(tmp.resolve("store")).keys(tmp.resolve("main.asc")).open();
    }

    private LockResult lock(LockRequest request) {
        try (Kiln k = kiln()) {
            return k.lock(request.withLockFile(lockFile));
        }
    }

    private LockRequest request() throws IOException {
        return LockRequest.of(Spec.load(spec));
    }

    private List<String> pins() throws IOException {
        JsonNode lock = new ObjectMapper().readTree(lockFile.toFile());
        List<String> out = new ArrayList<>();
        for (JsonNode p : lock.get("archs").get("amd64")) {
            out.add(p.get("name").asText() + " " + p.get("version").asText());
        }
        return out;
    }

    private String releasePins() throws IOException {
        return new ObjectMapper().readTree(lockFile.toFile()).get("repositories").toString();
    }

    private BuildResult build(Path layout) throws IOException {
        try (Kiln k = kiln()) {
            return k.build(BuildRequest.of(Spec.load(spec)).withLockFile(lockFile).to(Target.layout(layout)));
        }
    }

    /** The manifest's config digest, then its layers' digests. */
    private static List<String> manifest(Path layout, BuildResult built) throws IOException {
        ObjectMapper json = new ObjectMapper();
        JsonNode m = json.readTree(layout.resolve("blobs/sha256/" + built.digest().substring("sha256:".length())).toFile());
        List<String> out = new ArrayList<>();
        out.add(m.get("config").get("digest").asText());
        for (JsonNode l : m.get("layers")) {
            out.add(l.get("digest").asText());
        }
        return out;
    }

    @Test
    void reLockingAgainstReSignedRepositoriesChangesNoByteAndNoImage() throws IOException {
        LockResult first = lock(request());
        assertFalse(first.replaced());
        assertEquals(List.of("base-fixture 1.0-1", "hello 1.0-1", "libsec 1.0-1+sec1"), pins());
        byte[] before = Files.readAllBytes(lockFile);
        BuildResult image = build(tmp.resolve("one"));

        main.publish(DAY2);
        security.publish(DAY2);
        LockResult again = lock(request());
        assertTrue(again.replaced());
        assertEquals(List.of(), again.changes());
        assertArrayEquals(before, Files.readAllBytes(lockFile), "a re-signed repository changes no byte of the lock");
        assertEquals(image.digest(), build(tmp.resolve("two")).digest(), "nor the image");
        try (Kiln k = kiln()) {
            assertFalse(k.checkLock(request().withLockFile(lockFile)).stale());
        }
    }

    @Test
    void aCommentOrCmdEditKeepsEveryPinAndChangesOnlyTheConfigAndTheSpecLayer() throws IOException {
        lock(request());
        List<String> pinsBefore = pins();
        String releasesBefore = releasePins();
        BuildResult one = build(tmp.resolve("one"));
        // meanwhile the repositories move on: a new version of hello, both re-signed
        main.add("hello", "1.1-1", "base-fixture, libsec", List.of(file("/usr/bin/hello", "#!/bin/sh\necho hello 1.1\n")));
        main.publish(DAY2);
        security.publish(DAY2);

        writeSpec("# the hello image, now with a better comment", "/usr/bin/hello --loud", "hello");
        try (Kiln k = kiln()) {
            LockCheckResult check = k.checkLock(request().withLockFile(lockFile));
            assertTrue(check.stale(), "the spec's digest moved");
            assertTrue(check.changes().get(0).startsWith("~ spec "), check.changes().toString());
            assertEquals(1, check.changes().size(), "and nothing else: " + check.changes());
        }
        LockResult relocked = lock(request());
        assertEquals(List.of(), relocked.changes());
        assertEquals(pinsBefore, pins(), "hello 1.1-1 is not taken by a comment edit");
        assertEquals(releasesBefore, releasePins(), "the Release pins stay: they still prove the packages");
        BuildResult two = build(tmp.resolve("two"));
        List<String> a = manifest(tmp.resolve("one"), one);
        List<String> b = manifest(tmp.resolve("two"), two);
        assertEquals(a.size(), b.size());
        assertNotEquals(a.get(0), b.get(0), "the config holds cmd");
        int differ = 0;
        for (int i = 1; i < a.size(); i++) {
            differ += a.get(i).equals(b.get(i)) ? 0 : 1;
        }
        assertEquals(1, differ, "only the spec and lock layer differs: " + a + " " + b);
        assertEquals(a.get(a.size() - 1).equals(b.get(b.size() - 1)), false, "and it is the last one");
    }

    @Test
    void aNewSecurityVersionIsTakenByUpdateOnlyAndByNameAlone() throws IOException {
        lock(request());
        security.add("libsec", "1.0-1+sec2", "", List.of(file("/usr/lib/libsec.so.1", "v1 sec2\n")));
        main.add("hello", "1.1-1", "base-fixture, libsec", List.of(file("/usr/bin/hello", "#!/bin/sh\necho hello 1.1\n")));
        main.publish(DAY2);
        security.publish(DAY2);

        assertEquals(List.of(), lock(request()).changes(), "plain kiln lock keeps the pins still offered");
        assertEquals(List.of("base-fixture 1.0-1", "hello 1.0-1", "libsec 1.0-1+sec1"), pins());

        LockResult one = lock(request().withUpdate(Set.of("libsec")));
        assertEquals(List.of(new LockResult.Change("amd64", "libsec", "1.0-1+sec1", "1.0-1+sec2", "update asked for")), one.changes());
        assertEquals(List.of("base-fixture 1.0-1", "hello 1.0-1", "libsec 1.0-1+sec2"), pins(), "hello stays at 1.0-1");

        LockResult all = lock(request().withUpdate());
        assertFalse(all.replaced(), "--update resolves afresh");
        assertEquals(List.of("base-fixture 1.0-1", "hello 1.1-1", "libsec 1.0-1+sec2"), pins());
    }

    @Test
    void aPinNoLongerOfferedMovesAloneAndSaysWhy() throws IOException {
        lock(request());
        String mainRelease = new ObjectMapper().readTree(lockFile.toFile()).get("repositories").get(0).toString();
        Published sec2 = security.add("libsec", "1.0-1+sec2", "", List.of(file("/usr/lib/libsec.so.1", "v1 sec2\n")));
        security.withdraw(security.published("libsec", "1.0-1+sec1"));
        main.add("hello", "1.1-1", "base-fixture, libsec", List.of(file("/usr/bin/hello", "#!/bin/sh\necho hello 1.1\n")));
        main.publish(DAY3);
        security.publish(DAY3);

        try (Kiln k = kiln()) {
            LockCheckResult check = k.checkLock(request().withLockFile(lockFile));
            assertTrue(check.stale());
            assertTrue(check.changes().contains("~ amd64 libsec 1.0-1+sec1 -> 1.0-1+sec2"), check.changes().toString());
        }
        LockResult moved = lock(request());
        assertEquals(1, moved.changes().size(), moved.changes().toString());
        LockResult.Change c = moved.changes().get(0);
        assertEquals("libsec", c.name());
        assertEquals(sec2.version(), c.to());
        assertTrue(c.reason().startsWith("1.0-1+sec1 no longer offered by deb "), c.reason());
        assertEquals(List.of("base-fixture 1.0-1", "hello 1.0-1", "libsec 1.0-1+sec2"), pins());
        JsonNode repos = new ObjectMapper().readTree(lockFile.toFile()).get("repositories");
        assertEquals(mainRelease, repos.get(0).toString(), "nothing moved in main: its Release pin stays");
        assertTrue(repos.get(1).get("date").asText().startsWith("2025-10-22"), "security's is the new one: " + repos.get(1));
    }

    @Test
    void aSpecChangeMovesOnlyWhatItNeeds() throws IOException {
        lock(request());
        main.add("hello", "1.1-1", "base-fixture, libsec", List.of(file("/usr/bin/hello", "#!/bin/sh\necho hello 1.1\n")));
        main.add("libsec", "1.0-2", "", List.of(file("/usr/lib/libsec.so.1", "v2\n")));
        main.publish(DAY2);

        writeSpec("# the hello image", "/usr/bin/hello", "hello", "extra");
        LockResult r = lock(request());
        assertEquals(List.of("base-fixture 1.0-1", "extra 1.0-1", "hello 1.0-1", "libsec 1.0-2"), pins(),
                "extra needs libsec >= 1.0-2: libsec moves, hello stays");
        assertEquals(List.of(new LockResult.Change("amd64", "extra", null, "1.0-1", null),
                new LockResult.Change("amd64", "libsec", "1.0-1+sec1", "1.0-2", "a dependency needs a newer version")), r.changes());
    }

    @Test
    void aBuildThatReLocksAnEditedSpecKeepsThePinsToo() throws IOException {
        lock(request());
        List<String> pinsBefore = pins();
        main.add("hello", "1.1-1", "base-fixture, libsec", List.of(file("/usr/bin/hello", "#!/bin/sh\necho hello 1.1\n")));
        main.publish(DAY2);
        writeSpec("# edited", "/usr/bin/hello --loud", "hello");
        build(tmp.resolve("edited"));
        assertEquals(pinsBefore, pins(), "kiln build re-locks a stale lock as kiln lock does: conservatively");
    }

    @Test
    void aRepositoryLineWrittenOtherwiseKeepsItsPins() throws IOException {
        lock(request());
        List<String> pinsBefore = pins();
        main.add("hello", "1.1-1", "base-fixture, libsec", List.of(file("/usr/bin/hello", "#!/bin/sh\necho hello 1.1\n")));
        main.publish(DAY2);
        // the same repository, with an option added: its pins are still offered by it
        Files.writeString(spec, Files.readString(spec).replaceFirst("\\[signed-by=", "[arch=amd64 signed-by="));
        LockResult r = lock(request());
        assertEquals(List.of(), r.changes());
        assertEquals(pinsBefore, pins());
        assertTrue(new ObjectMapper().readTree(lockFile.toFile()).get("repositories").get(0).get("line").asText()
                .contains("[arch=amd64 signed-by="), "the lock keeps the line as the spec now writes it");
    }

    @Test
    void updatingANameTheLockDoesNotPinIsRefused() throws IOException {
        lock(request());
        KilnException e = assertThrows(KilnException.class, () -> lock(request().withUpdate(Set.of("libsecc"))));
        assertEquals("resolve.no-such-package", e.code());
        assertTrue(e.getMessage().contains("did you mean libsec?"), e.getMessage());
    }

    @Test
    void anUnreadableLockIsNotSilentlyReplaced() throws IOException {
        Files.writeString(lockFile, "{ not a lock");
        KilnException e = assertThrows(KilnException.class, () -> lock(request()));
        assertEquals("lock.invalid", e.code());
        assertEquals("{ not a lock", Files.readString(lockFile));
        lock(request().withUpdate());
        assertEquals(List.of("base-fixture 1.0-1", "hello 1.0-1", "libsec 1.0-1+sec1"), pins());
    }
}
