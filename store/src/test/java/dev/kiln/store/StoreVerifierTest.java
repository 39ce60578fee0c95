package dev.kiln.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreVerifierTest {
    @TempDir
    Path dir;

    private ContentStore store;

    @BeforeEach
    void open() {
        store = ContentStore.open(dir.resolve("store"));
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

    /** A store with blobs of odd sizes (empty, one byte, over a buffer), memo, state and root records. */
    private List<Digest> populated() throws IOException {
        List<Digest> all = new ArrayList<>();
        all.add(store.put(new byte[0]));
        all.add(store.put(new byte[] {0}));
        all.add(putRandom(3 << 20, 1)); // several hash buffers
        for (int i = 0; i < 50; i++) {
            all.add(putRandom(1000 + i * 37, 100 + i));
        }
        store.putMemo("debian-index-v1", Digest.of("Packages"), all.get(2));
        store.putState("release-date", Digest.of("bookworm"), "2024-08-10T09:47:47Z");
        Path lock = Files.writeString(dir.resolve("image.lock.json"), "{\"release\": \"" + all.get(3) + "\"}\n");
        store.addRoot(lock);
        return all;
    }

    private static void flipByte(Path file, long at) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x40);
        }
    }

    private static void truncate(Path file, long to) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(to);
        }
    }

    @Test
    void aCleanStoreVerifiesClean() throws IOException {
        List<Digest> all = populated();
        StoreVerifier.Report r = new StoreVerifier(store).verify(false);
        assertTrue(r.clean(), r.render().toString());
        assertEquals(all.size(), r.blobs());
        long bytes = 0;
        for (Digest d : all) {
            bytes += Files.size(store.blobPath(d));
        }
        assertEquals(bytes, r.bytes());
        assertTrue(r.render().get(0).endsWith("all good"), r.render().toString());
    }

    @Test
    void anEmptyStoreVerifiesClean() {
        StoreVerifier.Report r = new StoreVerifier(store).verify(true);
        assertTrue(r.clean());
        assertEquals(0, r.blobs());
    }

    @Test
    void aFlippedByteIsReportedWithWhatWasExpectedAndFound() throws IOException {
        List<Digest> all = populated();
        Digest victim = all.get(2);
        flipByte(store.blobPath(victim), (3 << 20) - 5);
        byte[] now = Files.readAllBytes(store.blobPath(victim));

        StoreVerifier.Report r = new StoreVerifier(store).verify(false);

        assertEquals(List.of(StoreVerifier.Kind.CORRUPT_BLOB, StoreVerifier.Kind.DANGLING_MEMO),
                r.problems().stream().map(StoreVerifier.Problem::kind).toList(), r.render().toString());
        StoreVerifier.Problem p = r.problems().get(0);
        assertEquals(store.blobPath(victim), p.path());
        assertEquals("expected " + victim + ", found " + Digest.of(now) + " (" + (3 << 20) + " bytes)", p.detail());
        assertFalse(p.removed());
        assertTrue(Files.exists(store.blobPath(victim)), "without repair nothing is removed");
        assertTrue(r.problems().get(1).detail().endsWith("which is corrupt"), r.render().toString());
    }

    @Test
    void aTruncatedBlobIsReported() throws IOException {
        List<Digest> all = populated();
        Digest victim = all.get(10);
        truncate(store.blobPath(victim), 17);

        StoreVerifier.Report r = new StoreVerifier(store).verify(false);

        assertEquals(1, r.problems().size(), r.render().toString());
        assertEquals(StoreVerifier.Kind.CORRUPT_BLOB, r.problems().get(0).kind());
        assertTrue(r.problems().get(0).detail().endsWith("(17 bytes)"), r.problems().get(0).detail());
    }

    @Test
    void repairRemovesCorruptBlobsAndTheMemoRecordsPointingAtThemAndThenTheStoreIsClean() throws IOException {
        List<Digest> all = populated();
        flipByte(store.blobPath(all.get(2)), 0);
        truncate(store.blobPath(all.get(1)), 0);
        truncate(store.blobPath(all.get(20)), 500);

        StoreVerifier.Report r = new StoreVerifier(store).verify(true);

        assertEquals(4, r.problems().size(), r.render().toString());
        assertTrue(r.problems().stream().allMatch(StoreVerifier.Problem::removed), r.render().toString());
        assertEquals(List.of(), r.remaining());
        assertFalse(store.contains(all.get(1)));
        assertFalse(store.contains(all.get(2)));
        assertFalse(store.contains(all.get(20)));
        assertFalse(Files.exists(store.root().resolve("memo/debian-index-v1/" + Digest.of("Packages").hex())));
        assertTrue(store.contains(all.get(0)));

        StoreVerifier.Report again = new StoreVerifier(store).verify(false);
        assertTrue(again.clean(), again.render().toString());
        assertEquals(all.size() - 3, again.blobs());
        // and the store takes the bytes again
        store.put(new byte[] {0});
        assertTrue(store.contains(all.get(1)));
    }

    @Test
    void malformedAndDanglingRecordsAndStrayFilesAreReportedAndRepairRemovesThem() throws IOException {
        populated();
        Path memo = store.root().resolve("memo/debian-solve-v1");
        Files.createDirectories(memo);
        Files.writeString(memo.resolve(Digest.of("half").hex()), "sha256:0123\u0000garbage");
        Files.writeString(memo.resolve(Digest.of("gone").hex()), Digest.of("never stored") + "\n");
        Files.writeString(memo.resolve("not-a-digest.tmp"), "x");
        Files.write(store.root().resolve("state/release-date/" + Digest.of("x").hex()), new byte[] {(byte) 0xff, (byte) 0xfe});
        Files.writeString(store.root().resolve("roots/" + Digest.of("x").hex()), "relative/path.lock.json");
        Files.writeString(store.blobsDir().resolve("stage-123.part"), "half a download");

        StoreVerifier.Report r = new StoreVerifier(store).verify(false);

        List<String> found = r.problems().stream()
                .map(p -> p.kind() + " " + store.root().relativize(p.path()))
                .toList();
        assertEquals(List.of(
                "STRAY_FILE blobs/sha256/stage-123.part",
                "MALFORMED_RECORD memo/debian-solve-v1/" + Digest.of("half").hex(),
                "DANGLING_MEMO memo/debian-solve-v1/" + Digest.of("gone").hex(),
                "STRAY_FILE memo/debian-solve-v1/not-a-digest.tmp",
                "MALFORMED_RECORD state/release-date/" + Digest.of("x").hex(),
                "MALFORMED_RECORD roots/" + Digest.of("x").hex()).stream().sorted().toList(),
                found.stream().sorted().toList(), r.render().toString());
        assertEquals("  fix: repairing the store removes them; kiln fetches or recomputes what it needs again",
                r.render().get(r.render().size() - 1));

        StoreVerifier.Report repaired = new StoreVerifier(store).verify(true);
        assertEquals(6, repaired.problems().size());
        assertEquals(List.of(), repaired.remaining());
        assertTrue(new StoreVerifier(store).verify(false).clean());
        // what was fine is still there
        assertEquals(1, store.roots().size());
        assertEquals("2024-08-10T09:47:47Z", store.state("release-date", Digest.of("bookworm")).orElseThrow());
    }

    @Test
    void hashingOnOneThreadOrManyFindsTheSame() throws IOException {
        List<Digest> all = populated();
        for (int i = 0; i < all.size(); i += 7) {
            flipByte(store.blobPath(all.get(i)), Files.size(store.blobPath(all.get(i))) / 2);
        }
        StoreVerifier.Report one = new StoreVerifier(store).withThreads(1).verify(false);
        StoreVerifier.Report many = new StoreVerifier(store).withThreads(8).verify(false);
        assertEquals(one, many);
        assertEquals(8, one.problems().stream().filter(p -> p.kind() == StoreVerifier.Kind.CORRUPT_BLOB).count(),
                one.render().toString());
    }

    @Test
    void aFlippedByteInAMemoRecordsTargetNameIsAMalformedRecord() throws IOException {
        Digest d = store.put("x".getBytes(StandardCharsets.UTF_8));
        store.putMemo("pgp-verify-v1", Digest.of("k"), d);
        Path record = store.root().resolve("memo/pgp-verify-v1/" + Digest.of("k").hex());
        Files.writeString(record, d.toString().toUpperCase(java.util.Locale.ROOT));
        StoreVerifier.Report r = new StoreVerifier(store).verify(false);
        assertEquals(List.of(StoreVerifier.Kind.MALFORMED_RECORD),
                r.problems().stream().map(StoreVerifier.Problem::kind).toList());
    }
}
