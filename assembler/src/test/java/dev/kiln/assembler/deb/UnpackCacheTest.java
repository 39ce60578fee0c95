package dev.kiln.assembler.deb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.assembler.AssembleException;
import dev.kiln.assembler.cache.UnpackCache;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.SliceContent;
import dev.kiln.store.ContentStore;
import dev.kiln.store.Digest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unpacked packages as store memo entries: the same tree as an in-memory read, from disk, once. */
class UnpackCacheTest {
    @TempDir
    Path dir;

    private static byte[] sampleDeb() {
        return DebFixture.deb(DebFixture.tar(t -> {
            t.dir("./", 0755, 0, 0, 1_700_000_000L);
            t.dir("./usr/", 0755, 0, 0, 1_700_000_000L);
            t.dir("./usr/bin/", 0755, 0, 0, 1_700_000_000L);
            t.file("./usr/bin/tool", 04755, 0, 0, 1_700_000_001L, "#!/bin/sh\necho tool\n".getBytes(StandardCharsets.UTF_8));
            t.hardlink("./usr/bin/tool2", "./usr/bin/tool", 04755, 1_700_000_001L);
            t.symlink("./usr/bin/t", "tool", 1_700_000_002L);
            t.file("./usr/bin/empty", 0644, 0, 0, 1_700_000_003L, new byte[0]);
            t.file("./usr/bin/data", 0600, 7, 8, 1_700_000_004L, new byte[200_000], e -> e.addPaxHeader("SCHILY.xattr.user.k", "v"));
            t.device("./dev-null", TarConstants.LF_CHR, 1, 3);
        }));
    }

    private static long records(ContentStore store, String step) throws IOException {
        try (Stream<Path> s = Files.list(store.root().resolve("memo").resolve(step))) {
            return s.count();
        }
    }

    @Test
    void anUnpackWhoseThreadIsInterruptedStopsAndLeavesNothingStaged() throws IOException {
        // a build interrupts the other unpacks when one package fails, and waits for them to stop
        byte[] deb = sampleDeb();
        try (ContentStore store = ContentStore.open(dir.resolve("store"))) {
            Digest d = store.put(deb);
            UnpackCache cache = new UnpackCache(store, UnpackLimits.DEFAULT);
            Thread.currentThread().interrupt();
            try {
                assertThrows(RuntimeException.class, () -> cache.unpack(d, "sample"));
            } finally {
                Thread.interrupted(); // clear it, whatever unpack left
            }
            try (Stream<Path> staged = Files.list(store.root().resolve("tmp"))) {
                assertEquals(0, staged.count(), "the staged blob is removed");
            }
            assertTrue(!Files.exists(store.root().resolve("memo").resolve(UnpackCache.STEP.id()))
                    || records(store, UnpackCache.STEP.id()) == 0, "nothing recorded");
            assertEquals(1, new dev.kiln.store.StoreInventory(store).blobs().size(), "only the .deb");
        }
    }

    @Test
    void theUnpackedCopyIsTheSameTreeAsReadingInMemoryAndIsReadFromTheStoreTheSecondTime() throws IOException {
        byte[] deb = sampleDeb();
        DebPackage inMemory = DebPackage.read(new ByteArrayInputStream(deb), "sample");
        try (ContentStore store = ContentStore.open(dir.resolve("store"))) {
            Digest d = store.put(deb);
            UnpackCache cache = new UnpackCache(store, UnpackLimits.DEFAULT);
            DebPackage first = cache.unpack(d, "sample");
            assertEquals(inMemory.data(), first.data());
            assertEquals(inMemory.control(), first.control());
            assertEquals(inMemory.skipped(), first.skipped());
            assertArrayEquals(inMemory.controlFile(), first.controlFile());
            Entry data = first.data().get("/usr/bin/data").orElseThrow();
            assertTrue(data.content() instanceof SliceContent, "file bytes stay on disk: " + data.content().getClass());
            assertArrayEquals(new byte[200_000], data.content().readAllBytes());
            assertEquals("#!/bin/sh\necho tool\n", new String(first.data().get("/usr/bin/tool").orElseThrow().content().readAllBytes(),
                    StandardCharsets.UTF_8));
            assertEquals(1, records(store, UnpackCache.STEP.id()));

            // the .deb gone, the memo still answers: nothing is decompressed again
            Files.delete(store.blobPath(d));
            DebPackage second = new UnpackCache(store, UnpackLimits.DEFAULT).unpack(d, "sample");
            assertEquals(first.data(), second.data());
        }
    }

    @Test
    void aDamagedUnpackedCopyIsUnpackedAgain() throws IOException {
        byte[] deb = sampleDeb();
        try (ContentStore store = ContentStore.open(dir.resolve("store"))) {
            Digest d = store.put(deb);
            UnpackCache cache = new UnpackCache(store, UnpackLimits.DEFAULT);
            DebPackage first = cache.unpack(d, "sample");
            Path blob = unpackedBlob(store);
            blob.toFile().setWritable(true);
            Files.write(blob, new byte[] {1, 2, 3}); // truncated: the header and the index are gone
            DebPackage again = cache.unpack(d, "sample");
            assertEquals(first.data(), again.data());
        }
    }

    /** The unpacked blob the (only) memo record leads to: the record names it on its {@code blob} line. */
    static Path unpackedBlob(ContentStore store) throws IOException {
        try (Stream<Path> s = Files.list(store.root().resolve("memo").resolve(UnpackCache.STEP.id()))) {
            Digest record = Digest.parse(Files.readString(s.findFirst().orElseThrow()).strip());
            String blobLine = Files.readString(store.blobPath(record)).lines().filter(l -> l.startsWith("blob ")).findFirst().orElseThrow();
            return store.blobPath(Digest.parse(blobLine.split(" ")[1]));
        }
    }

    @Test
    void aRecordLeadingToAnotherPackagesFilesIsAMissNotThoseFiles() throws IOException {
        byte[] deb = sampleDeb();
        try (ContentStore store = ContentStore.open(dir.resolve("store"))) {
            Digest d = store.put(deb);
            UnpackCache cache = new UnpackCache(store, UnpackLimits.DEFAULT);
            DebPackage honest = cache.unpack(d, "sample");
            Path memo;
            try (Stream<Path> s = Files.list(store.root().resolve("memo").resolve(UnpackCache.STEP.id()))) {
                memo = s.findFirst().orElseThrow();
            }
            // a record written for another .deb, put where this one's memo leads
            String record = Files.readString(store.blobPath(Digest.parse(Files.readString(memo).strip())));
            Digest forged = store.put(record.replace("deb " + d, "deb " + Digest.of("another package")).getBytes());
            Files.writeString(memo, forged + "\n");
            assertEquals(honest.data(), cache.unpack(d, "sample").data());
            assertNotEquals(forged.toString(), Files.readString(memo).strip(), "the memo leads to a new record");
        }
    }

    @Test
    void otherLimitsAreAnotherMemoKeySoARefusalIsNeverSkipped() throws IOException {
        byte[] deb = sampleDeb();
        try (ContentStore store = ContentStore.open(dir.resolve("store"))) {
            Digest d = store.put(deb);
            new UnpackCache(store, UnpackLimits.DEFAULT).unpack(d, "sample");
            UnpackCache strict = new UnpackCache(store, UnpackLimits.DEFAULT.withMaxEntryBytes(1000));
            AssembleException e = org.junit.jupiter.api.Assertions.assertThrows(AssembleException.class, () -> strict.unpack(d, "sample"));
            assertTrue(e.getMessage().contains("over the limit"), e.getMessage());
            assertNotEquals(0, records(store, UnpackCache.STEP.id()));
        }
    }
}
