package dev.kiln.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A store on a real 1 MiB filesystem (tmpfs) that fills up. Needs mount, so root, as this machine and CI are. */
class DiskFullTest {
    @TempDir
    Path dir;

    private Path mountPoint;
    private boolean mounted;

    @BeforeEach
    void mountSmallTmpfs() throws Exception {
        mountPoint = Files.createDirectories(dir.resolve("small"));
        run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint.toString());
        mounted = true;
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted) {
            run("umount", mountPoint.toString());
        }
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail(String.join(" ", cmd) + " failed: " + out.trim()
                    + "\n  this test needs to mount a small tmpfs: run it as root (this machine and CI do),"
                    + " or in a container with CAP_SYS_ADMIN");
        }
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static List<Path> listing(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.toList();
        }
    }

    private static void assertSaysDiskFull(StoreException e) {
        assertTrue(e.getMessage().contains("the disk is full"), e.getMessage());
        assertTrue(e.getMessage().contains("fix: free space"), e.getMessage());
        assertTrue(e.getMessage().contains("kiln store gc"), e.getMessage());
        assertEquals("store.disk-full", e.code());
    }

    private static void assertNothingPublished(ContentStore s) throws IOException {
        assertEquals(List.of(), listing(s.blobsDir()));
        assertEquals(List.of(), listing(s.tmpDir()), "the partial staging file is removed");
    }

    @Test
    void aBlobLargerThanTheFreeSpaceFailsSayingTheDiskIsFullAndPublishesNothing() throws Exception {
        try (ContentStore s = ContentStore.open(mountPoint.resolve("store"))) {
            byte[] big = random(2 << 20, 1);

            assertSaysDiskFull(assertThrows(StoreException.class, () -> s.put(big)));
            assertNothingPublished(s);

            assertSaysDiskFull(assertThrows(StoreException.class,
                    () -> s.put(new ByteArrayInputStream(big), Digest.of(big), big.length)));
            assertNothingPublished(s);

            StoreException staged = assertThrows(StoreException.class, () -> {
                try (ContentStore.Staging st = s.stage(Digest.of(big), big.length)) {
                    for (int off = 0; off < big.length; off += 65536) {
                        st.write(big, off, 65536);
                    }
                    st.commit();
                }
            });
            assertSaysDiskFull(staged);
            assertNothingPublished(s);

            // the space came back: smaller blobs, memo records and roots still work
            byte[] small = random(100_000, 2);
            Digest d = s.put(small);
            assertArrayEquals(small, s.read(d));
            s.putMemo("debian-index-v1", Digest.of("key"), d);
            assertEquals(d, s.memo("debian-index-v1", Digest.of("key")).orElseThrow());
            assertTrue(new StoreVerifier(s).verify(false).clean());
        }
    }
}
