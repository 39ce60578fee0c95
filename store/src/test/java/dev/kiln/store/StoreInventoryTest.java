package dev.kiln.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreInventoryTest {
    @TempDir
    Path dir;

    @Test
    void listsEachBlobWithItsSizeAndWhatRefersToIt() throws Exception {
        try (ContentStore s = ContentStore.open(dir.resolve("store"))) {
            Digest release = s.put("Release".getBytes(StandardCharsets.UTF_8));
            Digest deb = s.put(new byte[3000]);
            Digest index = s.put(new byte[5]);
            Digest orphan = s.put(new byte[7]);
            s.putMemo("debian-index-v1", Digest.of("Packages"), index);
            s.putMemo("pgp-verify-v1", Digest.of("InRelease"), release);
            Path lock = Files.writeString(dir.resolve("image.lock.json"), LockfileFixture.lockJson(release, List.of(deb)));
            Path gone = Files.writeString(dir.resolve("old.lock.json"), LockfileFixture.lockJson(release, List.of(orphan)));
            s.addRoot(lock);
            s.addRoot(gone);
            Files.delete(gone);

            List<StoreInventory.Blob> blobs = new StoreInventory(s).blobs();

            List<StoreInventory.Blob> expected = new java.util.ArrayList<>(List.of(
                    new StoreInventory.Blob(release, 7, List.of(lock), List.of("pgp-verify-v1")),
                    new StoreInventory.Blob(deb, 3000, List.of(lock), List.of()),
                    new StoreInventory.Blob(index, 5, List.of(), List.of("debian-index-v1")),
                    new StoreInventory.Blob(orphan, 7, List.of(), List.of())));
            expected.sort(java.util.Comparator.comparing(StoreInventory.Blob::digest));
            assertEquals(expected, blobs);
            assertTrue(blobs.stream().filter(StoreInventory.Blob::unreferenced).map(StoreInventory.Blob::digest).toList()
                    .equals(List.of(orphan)));
            List<String> lines = StoreInventory.render(blobs);
            assertTrue(lines.contains(deb + "    2.9 KiB  root " + lock), lines.toString());
            assertTrue(lines.contains(orphan + "        7 B  (unreferenced)"), lines.toString());
            assertEquals("4 blobs, 2.9 KiB", lines.get(4));
        }
    }

    @Test
    void usageCountsFilesAndBytesPerArea() throws Exception {
        try (ContentStore s = ContentStore.open(dir.resolve("store"))) {
            s.put(new byte[1000]);
            s.put(new byte[24]);
            s.putMemo("debian-solve-v1", Digest.of("k"), Digest.of(new byte[24]));
            s.putState("release-date", Digest.of("bookworm"), "2024-08-10T09:47:47Z");
            s.addRoot(dir.resolve("image.lock.json"));
            Files.write(s.tmpDir().resolve("stage-1.part"), new byte[2048]);
            Files.createDirectories(s.cachesDir().resolve("ccache/a"));
            Files.write(s.cachesDir().resolve("ccache/a/obj.o"), new byte[100]);
            Files.createDirectories(s.logsDir().resolve("hello"));
            Files.write(s.logsDir().resolve("hello/last.log"), new byte[10]);

            StoreInventory.Usage u = new StoreInventory(s).usage();

            assertEquals(List.of(
                    new StoreInventory.Area("blobs", 2, 1024),
                    new StoreInventory.Area("memo", 1, 72),
                    new StoreInventory.Area("state", 1, 20),
                    new StoreInventory.Area("roots", 1, dir.resolve("image.lock.json").toAbsolutePath().toString().length()),
                    new StoreInventory.Area("dirs", 0, 0),
                    new StoreInventory.Area("caches", 1, 100),
                    new StoreInventory.Area("logs", 1, 10),
                    new StoreInventory.Area("tmp", 1, 2048)), u.areas());
            assertEquals(8, u.files());
            assertEquals(List.of(
                    "blobs         2 files    1.0 KiB",
                    "memo          1 files       72 B",
                    "state         1 files       20 B",
                    "roots         1 files " + String.format("%10s", u.areas().get(3).bytes() + " B"),
                    "dirs          0 files        0 B",
                    "caches        1 files      100 B",
                    "logs          1 files       10 B",
                    "tmp           1 files    2.0 KiB",
                    "total         8 files " + String.format("%10s", StoreInventory.humanSize(u.bytes())) + "  " + s.root()),
                    u.render());
        }
    }

    @Test
    void sizesReadTheSameInEveryLocale() {
        java.util.Locale before = java.util.Locale.getDefault();
        try {
            java.util.Locale.setDefault(java.util.Locale.GERMANY);
            assertEquals("0 B", StoreInventory.humanSize(0));
            assertEquals("1023 B", StoreInventory.humanSize(1023));
            assertEquals("1.0 KiB", StoreInventory.humanSize(1024));
            assertEquals("1.5 MiB", StoreInventory.humanSize(3 << 19));
            assertEquals("4.0 GiB", StoreInventory.humanSize(4L << 30));
            assertEquals("8.0 EiB", StoreInventory.humanSize(Long.MAX_VALUE));
        } finally {
            java.util.Locale.setDefault(before);
        }
    }
}
