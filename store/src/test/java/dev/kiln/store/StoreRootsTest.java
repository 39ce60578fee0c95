package dev.kiln.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Root registration, and the handle's life cycle around the store lock. */
class StoreRootsTest {
    @TempDir
    Path dir;

    @Test
    void aRootIsARecordNamedByTheDigestOfItsAbsolutePath() throws Exception {
        try (ContentStore s = ContentStore.open(dir.resolve("store"))) {
            Path lock = dir.resolve("app/../app/image.lock.json");
            s.addRoot(lock);
            String abs = dir.resolve("app/image.lock.json").toAbsolutePath().toString();
            Path record = s.root().resolve("roots").resolve(Digest.of(abs).hex());
            assertEquals(abs, Files.readString(record, StandardCharsets.UTF_8));
            assertEquals(List.of(Path.of(abs)), s.roots(), "registered even before the file exists");
        }
    }

    @Test
    void registeringTwiceKeepsOneRecordAndRootsAreSorted() {
        try (ContentStore s = ContentStore.open(dir.resolve("store"))) {
            s.addRoot(dir.resolve("b.lock.json"));
            s.addRoot(dir.resolve("a.lock.json"));
            s.addRoot(dir.resolve("b.lock.json"));
            assertEquals(List.of(dir.resolve("a.lock.json"), dir.resolve("b.lock.json")), s.roots());
        }
    }

    @Test
    void removingARootUnregistersIt() {
        try (ContentStore s = ContentStore.open(dir.resolve("store"))) {
            s.addRoot(dir.resolve("a.lock.json"));
            assertTrue(s.removeRoot(dir.resolve("a.lock.json")));
            assertFalse(s.removeRoot(dir.resolve("a.lock.json")));
            assertEquals(List.of(), s.roots());
        }
    }

    @Test
    void aClosedHandleRefusesToWriteButReads() {
        ContentStore s = ContentStore.open(dir.resolve("store"));
        Digest d = s.put(new byte[] {1});
        s.close();
        s.close();
        StoreException e = assertThrows(StoreException.class, () -> s.put(new byte[] {2}));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(StoreException.class, () -> s.stage(Digest.of("x"), 1));
        assertThrows(StoreException.class, () -> s.addRoot(dir.resolve("x")));
        assertEquals(1, s.read(d).length);
    }

    @Test
    void theStoreHasALockFile() {
        try (ContentStore s = ContentStore.open(dir.resolve("store"))) {
            assertTrue(Files.isRegularFile(s.root().resolve("store.lock")));
        }
    }

    @Test
    void handlesOpenedThroughDifferentSpellingsOfThePathShareOneLock() {
        Path root = dir.resolve("store");
        try (ContentStore a = ContentStore.open(root);
             ContentStore b = ContentStore.open(dir.resolve("x/../store"))) {
            a.put(new byte[] {1});
            b.put(new byte[] {2});
        }
        try (ContentStore only = ContentStore.open(root)) {
            assertEquals(2, new StoreGc(only).gc(List.of()).blobsDeleted(), "all handles were released");
        }
    }
}
