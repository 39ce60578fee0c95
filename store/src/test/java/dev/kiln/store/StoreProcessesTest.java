package dev.kiln.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Several real processes on one store: the store.lock protocol and atomic publishing under stress. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class StoreProcessesTest {
    @TempDir
    Path dir;

    private Path root() {
        return dir.resolve("store");
    }

    private static long count(Path d) throws Exception {
        try (Stream<Path> s = Files.list(d)) {
            return s.count();
        }
    }

    @Test
    void twoProcessesPuttingTheSameBlobsAtOnceBothSucceedAndSeeOnlyWholeBlobs() throws Exception {
        int blobs = 200;
        int size = 64 * 1024;
        try (ChildProcess a = ChildProcess.start(dir, "put-same", root().toString(), "" + blobs, "" + size, "7");
             ChildProcess b = ChildProcess.start(dir, "put-same", root().toString(), "" + blobs, "" + size, "7")) {
            a.await("ready");
            b.await("ready");
            a.send("go");
            b.send("go");
            assertEquals(0, a.exit(), a.describe());
            assertEquals(0, b.exit(), b.describe());
            assertEquals("ok " + blobs, a.lines().get(a.lines().size() - 1), a.describe());
            assertEquals("ok " + blobs, b.lines().get(b.lines().size() - 1), b.describe());
        }
        try (ContentStore s = ContentStore.open(root())) {
            StoreVerifier.Report r = new StoreVerifier(s).verify(false);
            assertTrue(r.clean(), r.render().toString());
            assertEquals(blobs, r.blobs());
            assertEquals((long) blobs * size, r.bytes());
            assertEquals(0, count(s.root().resolve("tmp")), "both processes cleaned up their staging files");
        }
    }

    @Test
    void aWriterKilledHalfwayThroughABlobPublishesNothingPartialAndASecondRunCompletes() throws Exception {
        int blobs = 6;
        int size = 8 << 20;
        try (ChildProcess writer = ChildProcess.start(dir, "stage-many", root().toString(), "" + blobs, "" + size, "3",
                "pause")) {
            writer.await("halfway");
            writer.kill();
            assertEquals(List.of("published 0", "halfway"), writer.lines());
        }
        try (ContentStore s = ContentStore.open(root())) {
            StoreVerifier.Report r = new StoreVerifier(s).verify(false);
            assertTrue(r.clean(), r.render().toString());
            assertEquals(1, r.blobs(), "only the blob published before the kill");
            assertEquals(size, r.bytes());
            assertEquals(1, count(s.root().resolve("tmp")), "the half-written blob stays staged, unpublished");
        }

        try (ChildProcess again = ChildProcess.start(dir, "stage-many", root().toString(), "" + blobs, "" + size, "3")) {
            assertEquals(0, again.exit(), again.describe());
            assertTrue(again.lines().contains("present 0"), again.describe());
            assertEquals("done", again.lines().get(again.lines().size() - 1));
        }
        try (ContentStore s = ContentStore.open(root())) {
            StoreVerifier.Report r = new StoreVerifier(s).verify(false);
            assertTrue(r.clean(), r.render().toString());
            assertEquals(blobs, r.blobs());
            // the kernel released the killed process's lock, so gc gets the store to itself, and
            // clears the staged file that the killed writer left behind
            StoreGc.Result gc = new StoreGc(s).withLockTimeout(Duration.ofSeconds(30)).gc(List.of());
            assertEquals(1, gc.tmpFilesDeleted(), gc.render().toString());
            assertEquals(0, count(s.root().resolve("tmp")));
        }
    }

    @Test
    void gcRefusesAfterItsTimeoutNamingTheProcessThatHasTheStoreOpen() throws Exception {
        try (ChildProcess holder = ChildProcess.start(dir, "hold", root().toString());
             ContentStore s = ContentStore.open(root())) {
            holder.await("ready");
            List<String> heard = new ArrayList<>();

            StoreException e = assertThrows(StoreException.class,
                    () -> new StoreGc(s).withLockTimeout(Duration.ofMillis(300)).withProgress(heard::add).gc(List.of()));

            assertTrue(e.getMessage().contains("still in use by pid " + holder.pid()), e.getMessage());
            assertEquals("store.locked", e.code());
            assertTrue(e.getMessage().contains(StoreChild.class.getName()), "names the command: " + e.getMessage());
            assertTrue(e.getMessage().contains("fix:"), e.getMessage());
            assertEquals(1, heard.size(), heard.toString());
            assertTrue(heard.get(0).startsWith("waiting for pid " + holder.pid()), heard.toString());
            assertEquals(1, count(s.root().resolve("blobs/sha256")), "gc deleted nothing");
            // and this handle still holds the store shared: it can write
            s.put(new byte[] {1, 2, 3});
            holder.send("go");
            assertEquals(0, holder.exit(), holder.describe());
        }
    }

    @Test
    void gcWaitsForAProcessThatHasTheStoreOpenAndRunsOnceItCloses() throws Exception {
        try (ChildProcess holder = ChildProcess.start(dir, "hold", root().toString());
             ContentStore s = ContentStore.open(root())) {
            holder.await("ready");
            CountDownLatch waiting = new CountDownLatch(1);
            CompletableFuture<StoreGc.Result> gc = CompletableFuture.supplyAsync(() -> new StoreGc(s)
                    .withLockTimeout(Duration.ofMinutes(2)).withProgress(m -> waiting.countDown()).gc(List.of()));

            assertTrue(waiting.await(1, TimeUnit.MINUTES), "gc says it waits");
            assertTrue(!gc.isDone(), "gc waits while the other process holds the store");
            holder.send("go");
            holder.await("closed");

            StoreGc.Result r = gc.get(1, TimeUnit.MINUTES);
            assertEquals(1, r.blobsDeleted(), r.render().toString());
            assertEquals(0, holder.exit(), holder.describe());
        }
    }

    @Test
    void openingWaitsForAGcInAnotherProcessAndTimesOutNamingIt() throws Exception {
        try (ChildProcess gc = ChildProcess.start(dir, "hold-exclusive", root().toString())) {
            gc.await("ready");
            List<String> heard = new ArrayList<>();

            StoreException e = assertThrows(StoreException.class,
                    () -> ContentStore.open(root(), Duration.ofMillis(300), heard::add));

            assertTrue(e.getMessage().contains("locked for gc or repair by pid " + gc.pid()), e.getMessage());
            assertEquals("store.locked", e.code());
            assertTrue(heard.size() == 1 && heard.get(0).contains("pid " + gc.pid()), heard.toString());

            CountDownLatch told = new CountDownLatch(1);
            CompletableFuture<ContentStore> opening = CompletableFuture.supplyAsync(
                    () -> ContentStore.open(root(), Duration.ofMinutes(2), m -> told.countDown()));
            assertTrue(told.await(1, TimeUnit.MINUTES));
            gc.send("go");
            try (ContentStore s = opening.get(1, TimeUnit.MINUTES)) {
                s.put(new byte[] {42});
            }
            assertEquals(0, gc.exit(), gc.describe());
        }
    }

    @Test
    void repairAlsoNeedsTheStoreToItself() throws Exception {
        try (ChildProcess holder = ChildProcess.start(dir, "hold", root().toString());
             ContentStore s = ContentStore.open(root())) {
            holder.await("ready");
            StoreVerifier v = new StoreVerifier(s).withLockTimeout(Duration.ofMillis(200));
            assertTrue(v.verify(false).clean(), "plain verify runs alongside other processes");
            StoreException e = assertThrows(StoreException.class, () -> v.verify(true));
            assertTrue(e.getMessage().contains("pid " + holder.pid()), e.getMessage());
            holder.send("go");
            assertEquals(0, holder.exit());
            assertTrue(v.verify(true).clean());
        }
    }
}
