package dev.kiln.cli;

import dev.kiln.api.testing.Locks;
import static dev.kiln.cli.CliRun.HOME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.Kiln;
import dev.kiln.api.FetchRequest;
import dev.kiln.fetcher.testing.TestMirror;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.resolver.lock.LockJson;
import dev.kiln.store.ContentStore;
import dev.kiln.store.Digest;
import dev.kiln.store.KilnException;
import dev.kiln.store.StoreVerifier;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln fetch} as a user runs it: real processes against a local mirror, killed halfway,
 * racing each other on one store, and on a full disk. The store must always verify clean.
 */
class FetchCommandTest {

    @TempDir
    Path tmp;
    TestMirror mirror;

    @BeforeEach
    void start() {
        mirror = TestMirror.start();
    }

    @AfterEach
    void stop() {
        mirror.close();
    }

    /** A lock of {@code count} packages of {@code size} random bytes, served by the mirror. */
    private Path lockOf(int count, int size) throws IOException {
        List<Lock.Package> pkgs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] b = TestMirror.bytes(size, i);
            String path = "pool/main/p/p" + i + "/p" + i + "_1.0_amd64.deb";
            mirror.serve("/debian/" + path, b);
            pkgs.add(new Lock.Package(String.format("p%03d", i), "1.0", "amd64", "p" + i, path, b.length, Digest.of(b), 0));
        }
        Digest d = Digest.of("spec");
        Lock lock = new Lock(Lock.VERSION, new Lock.Spec("spec.yaml", d),
                List.of(new Lock.Repository("deb ${DEBIAN_MIRROR} stable main", d, Instant.parse("2026-01-01T00:00:00Z"),
                        Optional.empty(), List.of("0000000000000000000000000000000000000000"))),
                new Lock.Options(Set.of(), Map.of(), false), new TreeMap<>(Map.of("amd64", pkgs)));
        Path file = tmp.resolve("spec.lock.json");
        Files.write(file, LockJson.write(lock));
        return file;
    }

    private Process child(Path store, Path lock) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dkiln.home=" + HOME, "dev.kiln.cli.Main",
                "fetch", "--json", "--store", store.toString(), lock.toString());
        pb.environment().put("DEBIAN_MIRROR", mirror.uri("/debian").toString());
        pb.redirectErrorStream(true);
        return pb.start();
    }

    private Kiln kiln(Path store) {
        return Kiln.builder().store(store).keys(HOME.resolve("keys"))
                .mirrors(Map.of("DEBIAN_MIRROR", mirror.uri("/debian").toString())).open();
    }

    private static void assertVerifiesClean(Path store) {
        try (ContentStore s = ContentStore.open(store)) {
            StoreVerifier.Report r = new StoreVerifier(s).verify(false);
            assertTrue(r.clean(), String.join("\n", r.render()));
        }
    }

    @Test
    void twoFetchesStartedTogetherOnOneEmptyStoreBothSucceed() throws Exception {
        Path lock = lockOf(60, 200_000);
        Path store = tmp.resolve("store");
        Process a = child(store, lock);
        Process b = child(store, lock);
        String outA = new String(a.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String outB = new String(b.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, a.waitFor(), outA);
        assertEquals(0, b.waitFor(), outB);
        assertVerifiesClean(store);
        try (ContentStore s = ContentStore.open(store)) {
            for (Lock.Package p : Locks.read(lock).packages("amd64")) {
                assertTrue(s.contains(p.sha256()), p.name());
            }
        }
    }

    @Test
    void aFetchKilledHalfwayLeavesNothingWrongAndTheNextOneCompletes() throws Exception {
        Path lock = lockOf(40, 300_000);
        Path store = tmp.resolve("store");
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        AtomicInteger requests = new AtomicInteger();
        mirror.onRequest(r -> {
            if (requests.incrementAndGet() > 12) {
                blocked.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        Process p = child(store, lock);
        try {
            assertTrue(blocked.await(60, TimeUnit.SECONDS), "the child never got halfway");
            int finished = 0;
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            for (String line; finished < 5 && (line = out.readLine()) != null; ) {
                if (line.contains("\"finished\"")) {
                    finished++;
                }
            }
            p.destroyForcibly().waitFor();
            assertEquals(5, finished, "some packages were published before the kill");
        } finally {
            release.countDown();
        }
        assertVerifiesClean(store);
        mirror.onRequest(r -> { });
        try (Kiln k = kiln(store)) {
            assertEquals(40, k.fetch(FetchRequest.of(lock)).total());
        }
        assertVerifiesClean(store);
    }

    @Test
    void aFullDiskGivesAClearErrorAndNothingCorrupt() throws Exception {
        Path lock = lockOf(8, 1_000_000);
        Path mount = Files.createDirectories(tmp.resolve("small"));
        Process m = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", mount.toString())
                .redirectErrorStream(true).start();
        String why = new String(m.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, m.waitFor(), "mounting a small tmpfs needs root (CI runs as root): " + why);
        try {
            Path store = mount.resolve("store");
            KilnException e;
            try (Kiln k = kiln(store)) {
                e = org.junit.jupiter.api.Assertions.assertThrows(KilnException.class,
                        () -> k.fetch(FetchRequest.of(lock)));
            }
            assertTrue(e.getMessage().toLowerCase().contains("disk is full") || e.getMessage().contains("space"), e.getMessage());
            assertVerifiesClean(store);
        } finally {
            new ProcessBuilder("umount", mount.toString()).start().waitFor();
        }
    }

    @Test
    void offlineWithNothingInTheStoreNamesWhatIsMissing() throws Exception {
        Path lock = lockOf(3, 1000);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CliRun.useCheckoutAsHome();
        int code = Main.run(new String[] {"fetch", "--offline", "--store", tmp.resolve("store").toString(), lock.toString()},
                new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(Main.ERROR, code);
        assertTrue(err.toString().contains("p000") && err.toString().contains("p002"), err.toString());
        assertTrue(err.toString().endsWith("fix: fetch them online\n  (kiln: without --offline, kiln fetch downloads what is"
                + " missing)\n"), err.toString());
        assertEquals(0, mirror.requestCount(), "--offline makes no request");
    }

    @Test
    void aSecondFetchWithEverythingPresentMakesNoRequest() throws Exception {
        Path lock = lockOf(5, 10_000);
        Path store = tmp.resolve("store");
        try (Kiln k = kiln(store)) {
            k.fetch(FetchRequest.of(lock));
        }
        int before = mirror.requestCount();
        try (Kiln k = kiln(store)) {
            assertEquals(5, k.fetch(FetchRequest.of(lock)).alreadyPresent());
        }
        assertEquals(before, mirror.requestCount());
    }
}
