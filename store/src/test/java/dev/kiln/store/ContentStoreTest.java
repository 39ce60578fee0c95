package dev.kiln.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContentStoreTest {
    /** The start of a real .deb: an ar archive whose first member is debian-binary. */
    private static final byte[] DEB_HEAD = ("!<arch>\n"
            + "debian-binary   1718014242  0     0     100644  4         `\n2.0\n"
            + "control.tar.xz  1718014242  0     0     100644  1412      `\n")
            .getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    private ContentStore store() {
        return ContentStore.open(dir.resolve("store"));
    }

    private static List<Path> listing(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.sorted().toList();
        }
    }

    /** Binary content with every byte value, so no encoding step can pass it through unchanged by luck. */
    private static byte[] allByteValues(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 7 + (i >>> 8));
        }
        return b;
    }

    @Test
    void putBytesThenReadGivesThemBackUnderTheirDigest() {
        ContentStore s = store();
        Digest d = s.put(DEB_HEAD);
        assertEquals(Digest.of(DEB_HEAD), d);
        assertTrue(s.contains(d));
        assertArrayEquals(DEB_HEAD, s.read(d));
        assertEquals(Optional.of(s.root().resolve("blobs/sha256/" + d.hex())), s.blob(d));
    }

    @Test
    void readingAnAbsentBlobIsAStoreErrorNamingIt() {
        ContentStore s = store();
        Digest absent = Digest.of("never stored");
        StoreException e = assertThrows(StoreException.class, () -> s.read(absent));
        assertTrue(e.getMessage().contains(absent.toString()), e.getMessage());
        assertFalse(s.contains(absent));
        assertEquals(Optional.empty(), s.blob(absent));
    }

    @Test
    void putStreamWithTheRightDigestAndSizePublishesIt() throws IOException {
        ContentStore s = store();
        byte[] content = allByteValues(300_000); // larger than one copy buffer
        Digest d = s.put(new ByteArrayInputStream(content), Digest.of(content), content.length);
        assertEquals(Digest.of(content), d);
        assertArrayEquals(content, Files.readAllBytes(s.blobPath(d)));
    }

    @Test
    void putStreamWithoutExpectationsHashesWhatItReads() {
        ContentStore s = store();
        Digest d = s.put(new ByteArrayInputStream(DEB_HEAD), null, -1);
        assertEquals(Digest.of(DEB_HEAD), d);
        assertArrayEquals(DEB_HEAD, s.read(d));
    }

    @Test
    void putStreamWhoseBytesDoNotMatchTheDigestIsRefusedAndNothingIsPublished() throws IOException {
        ContentStore s = store();
        byte[] promised = DEB_HEAD.clone();
        byte[] delivered = DEB_HEAD.clone();
        delivered[delivered.length - 3] ^= 0x01; // one flipped bit, same size
        Digest expected = Digest.of(promised);

        StoreException e = assertThrows(StoreException.class,
                () -> s.put(new ByteArrayInputStream(delivered), expected, delivered.length));

        assertTrue(e.getMessage().contains("expected " + expected), e.getMessage());
        assertTrue(e.getMessage().contains("found " + Digest.of(delivered)), e.getMessage());
        assertEquals(List.of(), listing(s.root().resolve("blobs/sha256")));
        assertEquals(List.of(), listing(s.root().resolve("tmp")));
    }

    @Test
    void putStreamShorterThanTheExpectedSizeIsRefusedAndNothingIsPublished() throws IOException {
        ContentStore s = store();
        byte[] truncated = Arrays.copyOf(DEB_HEAD, DEB_HEAD.length - 10);

        StoreException e = assertThrows(StoreException.class,
                () -> s.put(new ByteArrayInputStream(truncated), Digest.of(DEB_HEAD), DEB_HEAD.length));

        assertTrue(e.getMessage().contains("expected " + DEB_HEAD.length + " bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("found " + truncated.length), e.getMessage());
        assertEquals(List.of(), listing(s.root().resolve("blobs/sha256")));
        assertEquals(List.of(), listing(s.root().resolve("tmp")));
    }

    @Test
    void putStreamLongerThanTheExpectedSizeIsRefusedAndNothingIsPublished() throws IOException {
        ContentStore s = store();
        byte[] padded = Arrays.copyOf(DEB_HEAD, DEB_HEAD.length + 1);

        StoreException e = assertThrows(StoreException.class,
                () -> s.put(new ByteArrayInputStream(padded), Digest.of(DEB_HEAD), DEB_HEAD.length));

        assertTrue(e.getMessage().contains("expected " + DEB_HEAD.length + " bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("found more"), e.getMessage());
        assertEquals(List.of(), listing(s.root().resolve("blobs/sha256")));
        assertEquals(List.of(), listing(s.root().resolve("tmp")));
    }

    @Test
    void puttingTheSameContentTwiceIsFineAndKeepsOneBlob() throws IOException {
        ContentStore s = store();
        Digest first = s.put(DEB_HEAD);
        Digest again = s.put(DEB_HEAD.clone());
        Digest viaStream = s.put(new ByteArrayInputStream(DEB_HEAD), first, DEB_HEAD.length);
        assertEquals(first, again);
        assertEquals(first, viaStream);
        assertEquals(List.of(s.blobPath(first)), listing(s.root().resolve("blobs/sha256")));
        assertEquals(List.of(), listing(s.root().resolve("tmp")));
    }

    @Test
    void recheckFindsABlobGoodOrAbsent() {
        ContentStore s = store();
        Digest d = s.put(DEB_HEAD);
        assertEquals(Optional.empty(), s.recheck(d));
        assertTrue(s.contains(d));
        assertEquals(Optional.empty(), s.recheck(Digest.of("not there")));
    }

    @Test
    void recheckRemovesABlobHoldingOtherBytesAndSaysWhatItHeld() throws IOException {
        ContentStore s = store();
        Digest d = s.put(DEB_HEAD);
        byte[] other = Arrays.copyOf(DEB_HEAD, DEB_HEAD.length);
        other[10] ^= 1; // one bit, the same size
        Files.write(s.blobPath(d), other);
        assertEquals(Optional.of(Digest.of(other)), s.recheck(d));
        assertFalse(Files.exists(s.blobPath(d)));
        assertEquals(List.of(), listing(dir.resolve("store/tmp")), "nothing is left aside");
    }

    @Test
    void theStoresListenerHearsOfEachBlobRemovedForHoldingOtherBytes() throws IOException {
        List<String> heard = new ArrayList<>();
        StoreListener listener = new StoreListener() {
            @Override
            public void removed(Digest name, Digest found) {
                heard.add(name + " held " + found);
            }
        };
        try (ContentStore s = ContentStore.open(dir.resolve("store"), ContentStore.DEFAULT_LOCK_TIMEOUT, listener)) {
            Digest good = s.put(DEB_HEAD);
            Digest damaged = s.put("a memo record".getBytes(StandardCharsets.UTF_8));
            Files.writeString(s.blobPath(damaged), "another record");
            assertEquals(Optional.empty(), s.recheck(good));
            assertEquals(Optional.empty(), s.readChecked(damaged));
            assertEquals(List.of(damaged + " held " + Digest.of("another record")), heard);
        }
    }

    @Test
    void evictingABlobThatHoldsTheRightBytesAfterAllPutsThemBack() throws IOException {
        // another process may publish the right bytes between the hash that found them wrong and the
        // removal: what is moved aside is hashed again, and the right bytes return
        ContentStore s = store();
        Digest d = s.put(DEB_HEAD);
        s.evict(s.blobPath(d), d);
        assertArrayEquals(DEB_HEAD, Files.readAllBytes(s.blobPath(d)));
        assertEquals(List.of(), listing(dir.resolve("store/tmp")));
    }

    @Test
    void memoRoundTrips() {
        ContentStore s = store();
        Digest index = Digest.of("Package: dpkg\nVersion: 1.21.22\n");
        Digest parsed = s.put("parsed form".getBytes(StandardCharsets.UTF_8));
        s.putMemo("debian-index-v1", index, parsed);
        assertEquals(Optional.of(parsed), s.memo("debian-index-v1", index));
        assertEquals(Optional.empty(), s.memo("other-step", index));
        assertEquals(Optional.empty(), s.memo("debian-index-v1", parsed));
    }

    @Test
    void memoPointingAtAMissingBlobIsAMiss() {
        ContentStore s = store();
        Digest key = Digest.of("key");
        s.putMemo("solve-v1", key, Digest.of("a blob that was never put"));
        assertEquals(Optional.empty(), s.memo("solve-v1", key));
    }

    @Test
    void corruptedMemoRecordIsAMiss() throws IOException {
        ContentStore s = store();
        Digest key = Digest.of("key");
        Digest value = s.put(DEB_HEAD);
        s.putMemo("solve-v1", key, value);
        Path record = s.root().resolve("memo/solve-v1/" + key.hex());
        // a crash mid-write elsewhere, or a disk error: half a digest and some junk
        Files.writeString(record, value.toString().substring(0, 40) + "\u0000\u0000garbage");
        assertEquals(Optional.empty(), s.memo("solve-v1", key));
        Files.write(record, new byte[0]);
        assertEquals(Optional.empty(), s.memo("solve-v1", key));
    }

    @Test
    void memoStepNamesAreLowercaseWords() {
        ContentStore s = store();
        assertThrows(IllegalArgumentException.class, () -> s.putMemo("../escape", Digest.of("k"), Digest.of("v")));
        assertThrows(IllegalArgumentException.class, () -> s.putMemo("Solve", Digest.of("k"), Digest.of("v")));
    }

    @Test
    void stateRoundTripsAndTheLatestWriteWins() {
        ContentStore s = store();
        Digest suite = Digest.of("bookworm main amd64");
        assertEquals(Optional.empty(), s.state("release-date", suite));
        s.putState("release-date", suite, "2024-06-29T09:41:37Z");
        s.putState("release-date", suite, "2024-08-10T09:47:47Z\nnon-ASCII: Ünïcødé\n");
        assertEquals(Optional.of("2024-08-10T09:47:47Z\nnon-ASCII: Ünïcødé\n"), s.state("release-date", suite));
    }

    @Test
    void concurrentPutsOfTheSameContentAllSucceedAndLeaveOneBlob() throws Exception {
        ContentStore s = store();
        byte[] content = allByteValues(1 << 20);
        Digest expected = Digest.of(content);
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Digest>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                boolean stream = t % 2 == 0;
                results.add(pool.submit(() -> {
                    start.await();
                    return stream
                            ? s.put(new ByteArrayInputStream(content), expected, content.length)
                            : s.put(content);
                }));
            }
            start.countDown();
            for (Future<Digest> r : results) {
                assertEquals(expected, r.get(30, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(List.of(s.blobPath(expected)), listing(s.root().resolve("blobs/sha256")));
        assertArrayEquals(content, s.read(expected));
        assertEquals(List.of(), listing(s.root().resolve("tmp")));
    }
}
