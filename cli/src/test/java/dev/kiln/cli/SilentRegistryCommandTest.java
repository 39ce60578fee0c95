package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.testing.TinyRepository;
import dev.kiln.oci.testing.SilentServer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands that speak to a registry that accepts connections and never answers: each fails with
 * exit 3 within the bound {@code --registry-timeout} sets (one second here, so two in all per
 * operation), having said on stderr what it waited for, and the error names the registry. The
 * build needs no network (a one-package repository already in the store).
 */
class SilentRegistryCommandTest {
    /** Far above the two seconds a silent operation may cost with {@code --registry-timeout 1}, far below the default's minute. */
    private static final Duration GENEROUS = Duration.ofSeconds(20);

    @TempDir
    static Path shared;
    static TinyRepository repo;

    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp() throws Exception {
        CliRun.useCheckoutAsHome();
        repo = TinyRepository.make(shared);
    }

    private static long secondsSince(long nanos) {
        return Duration.ofNanos(System.nanoTime() - nanos).toSeconds();
    }

    @Test
    void aPushToARegistryThatNeverAnswersFailsWithExit3SayingWhatItWaitedForAndNamingTheRegistry() throws Exception {
        Path spec = repo.spec(tmp, "tiny", "");
        String store = repo.seed(tmp.resolve("store")).toString();
        try (SilentServer registry = SilentServer.silent()) {
            String ref = registry.host() + "/kiln/tiny:1";
            long start = System.nanoTime();
            String[] r = CliRun.run("build", "--store", store, "--push", ref, "--registry-timeout", "1", spec.toString());
            long took = secondsSince(start);
            assertEquals(Integer.toString(Main.ERROR), r[0], r[1] + r[2]);
            assertTrue(took < GENEROUS.toSeconds(), "took " + took + " s");
            assertTrue(r[2].contains("kiln: waiting for " + registry.host() + " (kiln/tiny: check for blob sha256:"), r[2]);
            assertTrue(r[2].contains("): no answer for 333 ms, still waiting; kiln gives up after 2 s in all\n"), r[2]);
            assertTrue(r[2].contains("): no answer for 1 s, trying again (2 of 3); kiln gives up after 2 s in all\n"), r[2]);
            assertTrue(r[2].contains("kiln: " + registry.host() + " (repository kiln/tiny): check for blob sha256:"), r[2]);
            assertTrue(r[2].contains("(tried 2 times in "), r[2]);
            assertTrue(r[2].contains("fix: check that " + registry.host() + " is up and reachable from here"), r[2]);
            assertTrue(r[2].endsWith("\n  (kiln: --registry-timeout SECONDS sets how long kiln waits for a registry that is only"
                    + " slow)\n"), r[2]);
            assertFalse(r[1].contains("waiting"), "waiting lines go to stderr: " + r[1]);
            assertFalse(r[1].contains("pushed"), r[1]);
        }
    }

    @Test
    void aQuietVerifyTellsOnlyTheError() throws Exception {
        try (SilentServer registry = SilentServer.silent()) {
            String[] r = CliRun.run("verify", "-q", "--registry-timeout", "1", registry.host() + "/kiln/tiny:1");
            assertEquals(Integer.toString(Main.ERROR), r[0], r[1] + r[2]);
            assertFalse(r[2].contains("waiting for"), r[2]);
            assertTrue(r[2].startsWith("kiln: " + registry.host() + " (repository kiln/tiny): get manifest 1: no answer for "), r[2]);
        }
    }

    @Test
    void verifyAndSignOfAnImageInARegistryThatNeverAnswersFailWithinTheBoundToo() throws Exception {
        String[] k = CliRun.run("keys", "generate", "me", "--dir", tmp.toString());
        assertEquals("0", k[0], k[2]);
        try (SilentServer registry = SilentServer.silent()) {
            String image = registry.host() + "/kiln/tiny:1";
            long start = System.nanoTime();
            String[] v = CliRun.run("verify", "--registry-timeout", "1", image);
            String[] s = CliRun.run("sign", "--key", tmp.resolve("me.key").toString(), "--registry-timeout", "1", image);
            long took = secondsSince(start);
            assertTrue(took < GENEROUS.toSeconds(), "took " + took + " s");
            for (String[] r : new String[][] {v, s}) {
                assertEquals(Integer.toString(Main.ERROR), r[0], r[1] + r[2]);
                assertTrue(r[2].contains("kiln: waiting for " + registry.host() + " (kiln/tiny: get manifest 1): no answer for 1 s,"
                        + " trying again (2 of 3)"), r[2]);
                assertTrue(r[2].contains("kiln: " + registry.host() + " (repository kiln/tiny): get manifest 1: no answer for "), r[2]);
            }
        }
    }

    @Test
    void aRegistryTimeoutOutOfRangeOrWithoutAPushIsAUsageError() throws Exception {
        Path spec = repo.spec(tmp, "tiny", "");
        String[] zero = CliRun.run("verify", "--registry-timeout", "0", "127.0.0.1:1/kiln/tiny:1");
        assertEquals("2", zero[0], zero[2]);
        assertTrue(zero[2].contains("--registry-timeout takes 1 to 3600 seconds, found 0"), zero[2]);
        String[] alone = CliRun.run("build", "--store", tmp.resolve("store").toString(), "-o", tmp.resolve("oci").toString(),
                "--registry-timeout", "5", spec.toString());
        assertEquals("2", alone[0], alone[2]);
        assertTrue(alone[2].contains("--insecure and --registry-timeout with --push"), alone[2]);
    }
}
