package dev.kiln.fetcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.store.ContentStore;
import dev.kiln.store.Digest;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTransportTest {
    @TempDir
    Path dir;

    /** A network transport that only records what it was asked for. */
    private static final class Recording implements Transport {
        final List<URI> asked = new ArrayList<>();

        @Override
        public Body get(URI uri) {
            asked.add(uri);
            throw new NotFoundException(uri + ": HTTP 404 (not found)");
        }
    }

    @Test
    void readsFileUrisFromDiskAndSendsTheRestToTheNetwork() throws IOException {
        Path file = Files.write(Files.createDirectories(dir.resolve("repo/pool")).resolve("a.deb"), new byte[] {1, 2, 3, 4, 5});
        Recording network = new Recording();
        Transport t = FileTransport.over(network);
        try (Transport.Body b = t.get(file.toUri())) {
            assertEquals(5, b.length());
            assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, b.stream().readAllBytes());
        }
        try (Transport.Body b = t.get(file.toUri(), 3)) {
            assertEquals(3, b.start());
            assertEquals(2, b.length());
            assertArrayEquals(new byte[] {4, 5}, b.stream().readAllBytes());
        }
        assertTrue(network.asked.isEmpty(), "a file: URI never reaches the network");
        assertThrows(NotFoundException.class, () -> t.get(URI.create("http://127.0.0.1:9/debian/x")));
        assertEquals(List.of(URI.create("http://127.0.0.1:9/debian/x")), network.asked);
        assertSame(t, FileTransport.over(t), "wrapping twice adds nothing");
    }

    @Test
    void aMissingFileIsNotFoundAndNamesItsPath() {
        Transport t = FileTransport.over(new Recording());
        Path gone = dir.resolve("nowhere/dists/recipes/InRelease");
        NotFoundException e = assertThrows(NotFoundException.class, () -> t.get(gone.toUri()));
        assertTrue(e.getMessage().contains(gone + ": no such file"), e.getMessage());
        assertTrue(e.getMessage().contains("the directory " + dir.resolve("nowhere") + " does not exist"), e.getMessage());
        assertEquals("fetch.not-found", e.code());
    }

    @Test
    void aPackageFromAFileRepositoryIsHashedAsItIsCopiedIntoTheStore() throws IOException {
        byte[] deb = new byte[100_000];
        Arrays.fill(deb, (byte) 7);
        Path file = Files.write(dir.resolve("hello.deb"), deb);
        try (ContentStore store = ContentStore.open(dir.resolve("store"))) {
            Fetcher fetcher = new Fetcher(new Recording(), store).withRetries(1, java.time.Duration.ofMillis(1));
            FetchResult r = fetcher.fetch(List.of(Download.of("hello", file.toUri(), deb.length, Digest.of(deb))));
            assertEquals(1, r.fetched());
            assertTrue(store.contains(Digest.of(deb)));

            byte[] pinned = new byte[100_000];
            Arrays.fill(pinned, (byte) 8);
            byte[] flipped = pinned.clone();
            flipped[50_000] ^= 1;
            Path other = Files.write(dir.resolve("other.deb"), flipped);
            FetchException e = assertThrows(FetchException.class,
                    () -> fetcher.fetch(List.of(Download.of("other", other.toUri(), pinned.length, Digest.of(pinned)))));
            assertTrue(!store.contains(Digest.of(pinned)) && !store.contains(Digest.of(flipped)), "nothing of it published");
            assertTrue(e.getMessage().contains(other.toString()), e.getMessage());
        }
    }
}
