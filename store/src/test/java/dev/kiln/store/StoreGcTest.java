package dev.kiln.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreGcTest {
    @TempDir
    Path dir;

    private ContentStore store;
    private Digest release;
    private Digest libc;
    private Digest openssl;
    private Digest stray;
    private Digest parsedIndex;

    @BeforeEach
    void populate() {
        store = ContentStore.open(dir.resolve("store"));
        release = store.put("Origin: Debian\nSuite: bookworm\n".getBytes(StandardCharsets.UTF_8));
        libc = putRandom(30_000, 1);
        openssl = putRandom(20_000, 2);
        stray = putRandom(5_000, 3);
        parsedIndex = putRandom(7_000, 4);
        store.putMemo("debian-index-v1", Digest.of("Packages.gz"), parsedIndex);
        store.putMemo("pgp-verify-v1", Digest.of("InRelease+keys"), release);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private Digest putRandom(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return store.put(b);
    }

    private Path lockfile(String name, Digest rel, List<Digest> packages) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        return Files.writeString(p, LockfileFixture.lockJson(rel, packages));
    }

    private static List<Path> listing(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.sorted().toList();
        }
    }

    @Test
    void gcKeepsWhatRegisteredRootsReachAndDeletesTheRest() throws IOException {
        Path lock = lockfile("app/image.lock.json", release, List.of(libc, openssl));
        store.addRoot(lock);

        StoreGc.Result r = new StoreGc(store).gc(List.of());

        assertTrue(store.contains(release));
        assertTrue(store.contains(libc));
        assertTrue(store.contains(openssl));
        assertFalse(store.contains(stray));
        assertFalse(store.contains(parsedIndex));
        assertEquals(List.of(lock.toAbsolutePath()), r.roots());
        assertEquals(3, r.blobsKept());
        assertEquals(2, r.blobsDeleted());
        assertEquals(5_000 + 7_000, r.bytesFreed());
        assertEquals(1, r.memoRecordsDeleted());
        assertTrue(new StoreVerifier(store).verify(false).clean(), "no memo record is left dangling");
        assertEquals(List.of(
                "1 root, 3 blobs kept (" + StoreInventory.humanSize(r.bytesKept()) + ")",
                "deleted 2 blobs (11.7 KiB), 1 memo record, 0 staged files (0 B): 11.7 KiB freed"), r.render());
    }

    @Test
    void aRecipeBuildsLogGoesWithItsRecordAndLastLogStays() throws IOException {
        Path lock = lockfile("app/image.lock.json", release, List.of(libc, openssl));
        store.addRoot(lock);
        Digest kept = Digest.of("build kept".getBytes(StandardCharsets.UTF_8));
        Digest lost = Digest.of("build whose package gc deletes".getBytes(StandardCharsets.UTF_8));
        Digest failed = Digest.of("build that failed".getBytes(StandardCharsets.UTF_8));
        store.putMemo(MemoStep.RECIPE_BUILD, kept, libc);
        store.putMemo(MemoStep.RECIPE_BUILD, lost, stray);
        Path logs = Files.createDirectories(store.logsDir().resolve("tree"));
        for (Digest d : List.of(kept, lost, failed)) {
            Files.writeString(logs.resolve(d.hex() + ".log"), "==> step build\n");
        }
        Files.writeString(logs.resolve("last.log"), "==> step build\n");

        StoreGc.Result dry = new StoreGc(store).withDryRun(true).gc(List.of());
        assertEquals(4, listing(logs).size(), "a dry run deletes no log");
        StoreGc.Result r = new StoreGc(store).gc(List.of());

        assertEquals(List.of(logs.resolve(kept.hex() + ".log"), logs.resolve("last.log")), listing(logs));
        assertEquals(2, r.logsDeleted());
        assertEquals(dry.logsDeleted(), r.logsDeleted());
        assertTrue(r.render().contains("deleted 2 logs of recipe builds no longer in the store"), r.render().toString());
    }

    @Test
    void gcKeepsCachesAndDropCachesDeletesThemAll() throws IOException {
        Path obj = store.cachesDir().resolve("ccache/x/obj.o");
        Files.createDirectories(obj.getParent());
        Files.write(obj, new byte[300]);
        obj.getParent().toFile().setWritable(false);
        new StoreGc(store).gc(List.of());
        assertTrue(Files.exists(obj), "gc keeps the caches");
        StoreGc.CachesDropped dry = new StoreGc(store).withDryRun(true).dropCaches();
        assertEquals(new StoreGc.CachesDropped(1, 300, true), dry);
        assertTrue(Files.exists(obj));
        StoreGc.CachesDropped dropped = new StoreGc(store).dropCaches();
        assertEquals("dropped the caches: 1 file (300 B)", dropped.render());
        assertFalse(Files.exists(store.cachesDir()));
    }

    @Test
    void memoRecordsWhoseTargetIsReachableAreKept() throws IOException {
        store.addRoot(lockfile("image.lock.json", release, List.of(libc)));
        new StoreGc(store).gc(List.of());
        assertEquals(release, store.memo("pgp-verify-v1", Digest.of("InRelease+keys")).orElseThrow());
        assertTrue(store.memo("debian-index-v1", Digest.of("Packages.gz")).isEmpty());
        assertFalse(Files.exists(store.memoDir().resolve("debian-index-v1").resolve(Digest.of("Packages.gz").hex())));
    }

    @Test
    void keepFilesAreRootsForThisGcOnly() throws IOException {
        Path unregistered = lockfile("elsewhere/image.lock.json", release, List.of(openssl));

        StoreGc.Result r = new StoreGc(store).gc(List.of(unregistered));

        assertTrue(store.contains(release));
        assertTrue(store.contains(openssl));
        assertFalse(store.contains(libc));
        assertEquals(List.of(), r.roots());
        assertEquals(List.of(), store.roots(), "keep does not register");
    }

    @Test
    void aRootWhoseFileIsGoneIsDroppedAndReportedAndKeepsNothing() throws IOException {
        Path kept = lockfile("kept.lock.json", release, List.of(libc));
        Path gone = lockfile("gone.lock.json", release, List.of(openssl));
        store.addRoot(kept);
        store.addRoot(gone);
        Files.delete(gone);

        StoreGc.Result r = new StoreGc(store).gc(List.of());

        assertEquals(List.of(gone.toAbsolutePath()), r.droppedRoots());
        assertEquals(List.of(kept.toAbsolutePath()), r.roots());
        assertEquals(List.of(kept.toAbsolutePath()), store.roots());
        assertFalse(store.contains(openssl));
        assertTrue(store.contains(libc));
        assertTrue(r.render().get(0).startsWith("dropped root " + gone.toAbsolutePath()), r.render().toString());
    }

    @Test
    void gcCleansStagedFilesLeftByKilledProcesses() throws IOException {
        Path old = Files.write(store.tmpDir().resolve("stage-1.part"), new byte[4096]);
        Files.setLastModifiedTime(old, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        Files.write(store.tmpDir().resolve("stage-2.part"), new byte[100]);

        StoreGc.Result r = new StoreGc(store).gc(List.of());

        assertEquals(2, r.tmpFilesDeleted());
        assertEquals(4196, r.tmpBytesFreed());
        assertEquals(List.of(), listing(store.tmpDir()));
    }

    @Test
    void aDryRunCountsTheSameAndDeletesNothing() throws IOException {
        store.addRoot(lockfile("image.lock.json", release, List.of(libc)));
        Files.write(store.tmpDir().resolve("stage-1.part"), new byte[10]);
        List<Path> before = listing(store.blobsDir());

        StoreGc.Result dry = new StoreGc(store).withDryRun(true).gc(List.of());

        assertEquals(before, listing(store.blobsDir()));
        assertTrue(store.memo("debian-index-v1", Digest.of("Packages.gz")).isPresent());
        assertTrue(dry.render().get(1).startsWith("would delete 3 blobs"), dry.render().toString());
        StoreGc.Result real = new StoreGc(store).gc(List.of());
        assertEquals(dry.blobsDeleted(), real.blobsDeleted());
        assertEquals(dry.bytesFreed(), real.bytesFreed());
        assertEquals(dry.memoRecordsDeleted(), real.memoRecordsDeleted());
        assertEquals(dry.tmpFilesDeleted(), real.tmpFilesDeleted());
    }

    @Test
    void droppingAllMemosDeletesEveryRecordAndKeepsOnlyWhatRootsThemselvesName() throws IOException {
        Path lock = lockfile("image.lock.json", release, List.of(libc));
        store.addRoot(lock);
        // a reader that says the parsed index is a memo blob the root keeps, not one it names
        RootReader reader = new RootReader() {
            @Override
            public java.util.Set<Digest> references(Path file) {
                java.util.Set<Digest> all = new java.util.HashSet<>(ownReferences(file));
                all.add(parsedIndex);
                return all;
            }

            @Override
            public java.util.Set<Digest> ownReferences(Path file) {
                return RootReader.scanning().references(file);
            }
        };
        StoreGc gc = new StoreGc(store).withRootReader(reader);

        StoreGc.Result dry = gc.withMemos(StoreGc.Memos.DROP_ALL).withDryRun(true).gc(List.of());
        assertTrue(store.contains(parsedIndex), "a dry run deletes nothing");
        StoreGc.Result real = gc.withMemos(StoreGc.Memos.DROP_ALL).gc(List.of());

        assertEquals(2, real.memoRecordsDeleted());
        assertEquals(List.of(), memoRecords());
        assertTrue(store.contains(release));
        assertTrue(store.contains(libc));
        assertFalse(store.contains(parsedIndex), "kept only through a memo");
        assertEquals(dry.render().subList(1, 2).get(0).replace("would delete", "deleted"), real.render().get(1));
    }

    @Test
    void keepingReachedMemosKeepsTheMemoBlobsTheReaderNames() throws IOException {
        store.addRoot(lockfile("image.lock.json", release, List.of(libc)));
        RootReader reader = file -> {
            java.util.Set<Digest> all = new java.util.HashSet<>(RootReader.scanning().references(file));
            all.add(parsedIndex);
            return all;
        };
        new StoreGc(store).withRootReader(reader).gc(List.of());
        assertEquals(parsedIndex, store.memo("debian-index-v1", Digest.of("Packages.gz")).orElseThrow());
    }

    private List<Path> memoRecords() throws IOException {
        try (Stream<Path> s = Files.walk(store.memoDir())) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void aKeepFileThatDoesNotExistStopsGcBeforeItDeletesAnything() throws IOException {
        List<Path> before = listing(store.blobsDir());
        Path typo = dir.resolve("imgae.lock.json");
        StoreException e = assertThrows(StoreException.class, () -> new StoreGc(store).gc(List.of(typo)));
        assertTrue(e.getMessage().contains(typo.toString()) && e.getMessage().contains("deleted nothing"), e.getMessage());
        assertEquals(before, listing(store.blobsDir()));
    }

    @Test
    void aRootThatCannotBeReadStopsGcBeforeItDeletesAnything() throws IOException {
        store.addRoot(lockfile("image.lock.json", release, List.of(libc)));
        List<Path> before = listing(store.blobsDir());
        RootReader failing = file -> {
            throw new StoreException("cannot read the root " + file);
        };
        assertThrows(StoreException.class, () -> new StoreGc(store).withRootReader(failing).gc(List.of()));
        assertEquals(before, listing(store.blobsDir()));
    }

    @Test
    void aLockfileThatTheStoreAlsoHoldsKeepsItsSolveMemoWarm() throws IOException {
        Path lock = lockfile("image.lock.json", release, List.of(libc));
        Digest solved = store.put(Files.readAllBytes(lock)); // the resolver memoizes the lock it wrote
        store.putMemo("debian-solve-v1", Digest.of("spec+releases"), solved);
        store.addRoot(lock);

        new StoreGc(store).gc(List.of());

        assertEquals(solved, store.memo("debian-solve-v1", Digest.of("spec+releases")).orElseThrow());
    }

    @Test
    void stateRecordsSurviveGc() {
        store.putState("release-date", Digest.of("bookworm main"), "2024-08-10T09:47:47Z");
        new StoreGc(store).gc(List.of());
        assertEquals("2024-08-10T09:47:47Z", store.state("release-date", Digest.of("bookworm main")).orElseThrow());
    }

    @Test
    void gcWaitsForOtherHandlesInThisProcessToClose() throws Exception {
        ContentStore other = ContentStore.open(store.root());
        StoreException e = assertThrows(StoreException.class,
                () -> new StoreGc(store).withLockTimeout(Duration.ofMillis(100)).gc(List.of()));
        assertTrue(e.getMessage().contains("close the other ContentStore handles"), e.getMessage());

        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<StoreGc.Result> gc = CompletableFuture.supplyAsync(() -> new StoreGc(store)
                .withLockTimeout(Duration.ofMinutes(1)).withProgress(m -> waiting.countDown()).gc(List.of()));
        assertTrue(waiting.await(1, TimeUnit.MINUTES));
        other.close();
        assertEquals(5, gc.get(1, TimeUnit.MINUTES).blobsDeleted());
        // gc hands the store back to this handle, shared
        store.put(new byte[] {1});
        assertThrows(StoreException.class, () -> other.put(new byte[] {2}), "a closed handle does not write");
    }

    /** A filled, read-only directory staged in the store. */
    private Path stagedDirectory(String file) throws IOException {
        Path staged = store.stageDirectory();
        Files.createDirectories(staged.resolve("root/usr"));
        Files.writeString(staged.resolve("root/usr/" + file), file);
        staged.resolve("root/usr").toFile().setWritable(false, false);
        staged.resolve("root").toFile().setWritable(false, false);
        return staged;
    }

    @Test
    void aPublishedDirectoryGoesWithItsBlobAndStaysWithIt() throws IOException {
        Digest kept = putRandom(100, 10);
        Digest dropped = putRandom(100, 11);
        assertTrue(store.publishDirectory(stagedDirectory("a"), kept));
        assertTrue(store.publishDirectory(stagedDirectory("b"), dropped));
        Path second = stagedDirectory("c");
        assertFalse(store.publishDirectory(second, kept), "already there: success, the staged copy removed");
        assertFalse(Files.exists(second));
        assertEquals("a", Files.readString(store.directory(kept).resolve("root/usr/a")));
        Path leftover = stagedDirectory("killed"); // as a killed writer leaves it

        new StoreGc(store).withRootReader(file -> java.util.Set.of(kept)).gc(List.of(dir.resolve("store/kiln-store")));

        assertTrue(Files.isRegularFile(store.directory(kept).resolve("root/usr/a")));
        assertFalse(Files.exists(store.directory(dropped)), "its blob is gone, so is it");
        assertFalse(Files.exists(leftover));
    }
}
