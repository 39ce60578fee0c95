package dev.kiln.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RootReaderTest {
    @TempDir
    Path dir;

    private static Set<Digest> set(Digest... ds) {
        return new TreeSet<>(List.of(ds));
    }

    @Test
    void findsALockfilesReleaseAndPackagePinsAndTheFilesOwnDigest() throws Exception {
        Digest release = Digest.of("Release");
        Digest a = Digest.of("a.deb");
        Digest b = Digest.of("b.deb");
        String json = LockfileFixture.lockJson(release, List.of(a, b));
        Path lock = Files.writeString(dir.resolve("image.lock.json"), json);

        Set<Digest> found = RootReader.scanning().references(lock);

        Digest spec = Digest.of("examples/base.yaml contents");
        assertEquals(set(release, a, b, spec, Digest.of(json.getBytes(StandardCharsets.UTF_8))), found);
    }

    @Test
    void ignoresHexThatIsNotADigest() throws Exception {
        String hex = Digest.of("x").hex();
        Path f = Files.writeString(dir.resolve("f"), String.join("\n",
                "\"sha256\": \"" + hex + "0\"",              // 65 digits
                "sha256:" + hex.toUpperCase(java.util.Locale.ROOT),
                "\"md5sum\": \"" + hex + "\"",
                "sha512:" + hex,
                hex));
        assertEquals(set(Digest.of(Files.readAllBytes(f))), RootReader.scanning().references(f));
    }

    @Test
    void findsDigestsThatStraddleTheReadChunks() throws Exception {
        Digest first = Digest.of("first");
        Digest second = Digest.of("second");
        Digest not = Digest.of("not");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String t1 = "\"sha256\":  \"" + first.hex() + "\"";
        out.write(new byte[(1 << 20) - 30]);                    // binary padding, token across the 1 MiB mark
        out.write(t1.getBytes(StandardCharsets.US_ASCII));
        out.write(new byte[(1 << 20) - t1.length() + 30 - 7 - 64]); // the next token ends exactly at 2 MiB
        out.write(("sha256:" + second.hex()).getBytes(StandardCharsets.US_ASCII));
        out.write(("sha256:" + not.hex()).getBytes(StandardCharsets.US_ASCII));
        out.write('f'); // makes the last one 65 hex digits: no digest
        Path f = Files.write(dir.resolve("big"), out.toByteArray());
        assertEquals(2 << 20, Files.size(f) - 7 - 64 - 1);

        Set<Digest> found = RootReader.scanning().references(f);

        assertEquals(set(first, second, Digest.of(out.toByteArray())), found);
    }

    @Test
    void aDirectoryIsReadFileByFile() throws Exception {
        Path layout = Files.createDirectories(dir.resolve("layout/blobs/sha256"));
        byte[] layer = "layer bytes".getBytes(StandardCharsets.UTF_8);
        Files.write(layout.resolve(Digest.of(layer).hex()), layer);
        Digest config = Digest.of("config");
        Path index = Files.writeString(dir.resolve("layout/index.json"), "{\"digest\":\"" + config + "\"}");

        Set<Digest> found = RootReader.scanning().references(dir.resolve("layout"));

        assertEquals(set(Digest.of(layer), config, Digest.of(Files.readAllBytes(index))), found);
    }

    @Test
    void anUnreadableRootIsAStoreError() {
        Path missing = dir.resolve("missing.lock.json");
        StoreException e = assertThrows(StoreException.class, () -> RootReader.scanning().references(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }
}
