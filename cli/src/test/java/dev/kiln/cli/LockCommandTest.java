package dev.kiln.cli;

import static dev.kiln.cli.CliRun.HOME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln lock} end to end on the host's Debian mirror, through the CLI's own entry point. */
class LockCommandTest {

    @TempDir
    static Path tmp;

    @BeforeAll
    static void kilnHome() {
        CliRun.useCheckoutAsHome();
    }

    private record Run(int code, String out, String err) {
    }

    private static Run kiln(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    private static Path lockOfExample(String name) {
        Path lock = tmp.resolve(name + ".lock.json");
        if (!Files.exists(lock)) {
            Run r = kiln("lock", "--store", tmp.resolve("store").toString(), "-o", lock.toString(),
                    HOME.resolve("examples/" + name + ".yaml").toString());
            assertEquals(0, r.code(), r.err());
        }
        return lock;
    }

    @Test
    void lockWritesAPinnedLockForTheBaseExample() throws IOException {
        String json = Files.readString(lockOfExample("base"));
        assertTrue(json.contains("\"name\": \"libc6\""), json);
        assertTrue(json.contains("\"amd64\"") && json.contains("\"arm64\""), json);
        assertTrue(json.contains("\"line\": \"deb ${DEBIAN_MIRROR} bookworm main\""), "the lock keeps the line as written");
        assertTrue(!json.contains("http://") && !json.contains("https://"), "a lock names no host");
    }

    @Test
    void checkOnAFreshLockSaysUpToDate() {
        Path lock = lockOfExample("base");
        Run r = kiln("lock", "--check", "--store", tmp.resolve("store").toString(), "-o", lock.toString(),
                HOME.resolve("examples/base.yaml").toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("up to date"), r.out());
    }

    @Test
    void checkFindsAStaleLockAndPrintsTheDiff() throws IOException {
        Path fresh = lockOfExample("static");
        Path stale = tmp.resolve("stale.lock.json");
        String json = Files.readString(fresh);
        int at = json.indexOf("\"name\": \"tzdata\"");
        int v = json.indexOf("\"version\": \"", at) + "\"version\": \"".length();
        Files.writeString(stale, json.substring(0, v) + "2000a-0" + json.substring(json.indexOf('"', v)), StandardCharsets.UTF_8);
        Run r = kiln("lock", "--check", "--store", tmp.resolve("store").toString(), "-o", stale.toString(),
                HOME.resolve("examples/static.yaml").toString());
        assertEquals(Main.CHECK_FAILED, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("tzdata 2000a-0 ->"), r.out());
    }

    @Test
    void aBadSpecIsAnErrorNamingFileLineAndKey() throws IOException {
        Path spec = tmp.resolve("bad.yaml");
        Files.writeString(spec, "contents:\n  repositories:\n    - deb ${DEBIAN_MIRROR} bookworm main\n  pakages: [libc6]\n");
        Run r = kiln("lock", "--store", tmp.resolve("store").toString(), spec.toString());
        assertEquals(Main.ERROR, r.code());
        assertTrue(r.err().contains("bad.yaml:4") && r.err().contains("packages"), r.err());
    }

    @Test
    void anUnknownPackageIsAnErrorWithSuggestions() throws IOException {
        Path spec = tmp.resolve("typo.yaml");
        Files.writeString(spec, "contents:\n  repositories:\n    - deb ${DEBIAN_MIRROR} bookworm main\n  packages: [libssl]\n");
        Run r = kiln("lock", "--store", tmp.resolve("store").toString(), spec.toString());
        assertEquals(Main.ERROR, r.code());
        assertTrue(r.err().contains("did you mean") && r.err().contains("libssl3"), r.err());
        assertTrue(!Files.exists(tmp.resolve("typo.lock.json")), "no lock is written when resolution fails");
    }

    @Test
    void withoutACommandUsageIsShown() {
        Run r = kiln();
        assertEquals(2, r.code());
        assertTrue(r.err().contains("lock"), r.err());
    }

    /**
     * A store in which the parsed form of an index cannot be recorded: the memo step of parsed
     * indexes (IndexCodec.STEP.id()) is a file, so no entry can be written under it.
     */
    private static Path storeThatCannotCacheIndexes(String name) throws IOException {
        Path store = tmp.resolve(name);
        dev.kiln.store.ContentStore.open(store).close();
        Files.createDirectories(store.resolve("memo"));
        Files.writeString(store.resolve("memo/debian-index-v2"), "not a directory");
        return store;
    }

    @Test
    void aLockPathThatIsADirectoryIsRefusedBeforeResolving() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("a-directory.lock.json"));
        Path store = tmp.resolve("lock-into-directory-store");
        Run r = kiln("lock", "--store", store.toString(), "-o", dir.toString(), HOME.resolve("examples/static.yaml").toString());
        assertEquals(Main.ERROR, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("cannot write the lock at " + dir + ": it is a directory") && r.err().contains("fix: name a file"),
                r.err());
        try (var blobs = Files.list(store.resolve("blobs/sha256"))) {
            assertEquals(0, blobs.count(), "nothing was downloaded"); // the whole resolve ran first before
        }
    }

    @Test
    void aLockWhoseParsedIndexesCannotBeStoredFailsAndWritesNoLock() throws IOException {
        Path store = storeThatCannotCacheIndexes("no-index-cache-lock");
        Path lock = tmp.resolve("no-index-cache-lock.lock.json");
        Run r = kiln("lock", "--store", store.toString(), "-o", lock.toString(), HOME.resolve("examples/static.yaml").toString());
        assertEquals(Main.ERROR, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("kiln: cannot record memo debian-index-v2/"), r.err());
        assertFalse(Files.exists(lock), "no lock when what its resolve stores is not stored");
        try (var recorded = Files.walk(store.resolve("state"))) {
            assertFalse(recorded.anyMatch(Files::isRegularFile), "no Release recorded: the lock did not succeed");
        }
    }

    @Test
    void aBuildWhoseParsedIndexesCannotBeStoredFailsAndPublishesNoImage() throws IOException {
        Path store = storeThatCannotCacheIndexes("no-index-cache-build");
        Path spec = Files.copy(HOME.resolve("examples/static.yaml"), tmp.resolve("no-index-cache-build.yaml"));
        Path out = tmp.resolve("no-index-cache-build-oci");
        Run r = kiln("build", "-q", "--store", store.toString(), "-o", out.toString(), spec.toString());
        assertEquals(Main.ERROR, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("kiln: cannot record memo debian-index-v2/"), r.err());
        assertFalse(Files.exists(out), "no image layout");
    }
}
