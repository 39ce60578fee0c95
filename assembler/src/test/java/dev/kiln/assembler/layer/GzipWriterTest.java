package dev.kiln.assembler.layer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.oci.LayerDigests;
import dev.kiln.store.Digest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class GzipWriterTest {
    record Input(String name, byte[] bytes) {
        @Override
        public String toString() {
            return name + " (" + bytes.length + " bytes)";
        }
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Text-like: words from a small vocabulary with numbers, the way control files and scripts look. */
    static byte[] texty(int n, long seed) {
        String[] words = {"usr", "lib", "x86_64-linux-gnu", "Depends:", "libc6", "(>=", "2.36)", "the", "if", "then",
            "fi", "echo", "\"$1\"", "Package:", "Version:", "1:2.3.4-5+deb12u1", "\n", "\n", "/", "=", "{", "}"};
        Random r = new Random(seed);
        ByteArrayOutputStream out = new ByteArrayOutputStream(n + 64);
        while (out.size() < n) {
            out.writeBytes(words[r.nextInt(words.length)].getBytes(UTF_8));
            out.write(r.nextInt(10) == 0 ? '0' + r.nextInt(10) : ' ');
        }
        byte[] b = out.toByteArray();
        return java.util.Arrays.copyOf(b, n);
    }

    static Stream<Input> inputs() {
        List<Input> in = new ArrayList<>();
        in.add(new Input("empty", new byte[0]));
        in.add(new Input("one byte", new byte[] {'k'}));
        in.add(new Input("two bytes", new byte[] {0, 0}));
        in.add(new Input("three equal bytes", new byte[] {7, 7, 7}));
        for (int n : new int[] {32767, 32768, 32769, 65535, 65536, 65537}) {
            in.add(new Input("random " + n, random(n, n)));
            in.add(new Input("text " + n, texty(n, n)));
        }
        in.add(new Input("zeros 1 MiB", new byte[1 << 20]));
        in.add(new Input("random 1 MiB", random(1 << 20, 42)));
        in.add(new Input("text 1 MiB", texty(1 << 20, 7)));
        byte[] period = new byte[300_000];
        for (int i = 0; i < period.length; i++) {
            period[i] = (byte) "abcab".charAt(i % 5);
        }
        in.add(new Input("short period", period));
        byte[] farRepeat = new byte[200_000];
        byte[] chunk = random(32_600, 3);
        for (int i = 0; i + chunk.length <= farRepeat.length; i += chunk.length) {
            System.arraycopy(chunk, 0, farRepeat, i, chunk.length);
        }
        in.add(new Input("repeats at the window's edge", farRepeat));
        byte[] mixed = new byte[400_000];
        System.arraycopy(random(100_000, 5), 0, mixed, 0, 100_000);
        System.arraycopy(texty(200_000, 5), 0, mixed, 100_000, 200_000);
        in.add(new Input("random then text then zeros", mixed));
        // across GzipWriter's chunks: matches reach back over a boundary into the previous chunk
        in.add(new Input("text over three chunks", texty(2 * GzipWriter.CHUNK + 12_345, 11)));
        in.add(new Input("exactly two chunks", texty(2 * GzipWriter.CHUNK, 12)));
        byte[] spanning = new byte[GzipWriter.CHUNK + 40_000];
        byte[] motif = random(20_000, 13);
        for (int i = 0; i + motif.length <= spanning.length; i += motif.length) {
            System.arraycopy(motif, 0, spanning, i, motif.length);
        }
        in.add(new Input("a motif repeated over a chunk boundary", spanning));
        return in.stream();
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GzipWriter w = new GzipWriter(out)) {
            w.write(data);
        }
        return out.toByteArray();
    }

    static byte[] gunzip(byte[] gz) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    @ParameterizedTest
    @MethodSource("inputs")
    void roundTripsThroughTheJdksInflater(Input input) throws IOException {
        assertArrayEquals(input.bytes(), gunzip(gzip(input.bytes())));
    }

    @ParameterizedTest
    @MethodSource("inputs")
    void rawDeflateInflatesAndStopsExactlyAtItsEnd(Input input) throws Exception {
        byte[] raw = DeterministicDeflater.deflate(input.bytes());
        Inflater inflater = new Inflater(true);
        inflater.setInput(raw);
        byte[] out = new byte[input.bytes().length + 1];
        int n = inflater.inflate(out);
        assertTrue(inflater.finished(), "the stream has a final block");
        assertEquals(0, inflater.getRemaining(), "no bytes after the final block");
        assertEquals(input.bytes().length, n);
        assertArrayEquals(input.bytes(), java.util.Arrays.copyOf(out, n));
        inflater.end();
    }

    @ParameterizedTest
    @MethodSource("inputs")
    void outputDoesNotDependOnHowWritesAreSplit(Input input) throws IOException {
        byte[] whole = gzip(input.bytes());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Random r = new Random(input.bytes().length);
        try (GzipWriter w = new GzipWriter(out)) {
            int off = 0;
            while (off < input.bytes().length) {
                int n = Math.min(input.bytes().length - off, r.nextInt(5) == 0 ? 1 : r.nextInt(70_000));
                if (n == 1) {
                    w.write(input.bytes()[off]);
                } else {
                    w.write(input.bytes(), off, n);
                }
                w.flush();
                off += n;
            }
        }
        assertArrayEquals(whole, out.toByteArray());
    }

    @ParameterizedTest
    @MethodSource("inputs")
    void outputDoesNotDependOnTheWindowsRoom(Input input) throws IOException {
        // the smallest window slides every 32 KiB (and a block's bytes move out of it for a stored
        // block); one with room for everything never slides; one in between slides at other places
        byte[] data = input.bytes();
        byte[] dictionary = random(DeterministicDeflater.WSIZE, data.length);
        List<byte[]> outputs = new ArrayList<>();
        for (int room : new int[] {0, 5 * DeterministicDeflater.WSIZE + 17, data.length}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            DeterministicDeflater d = new DeterministicDeflater(out, dictionary, room);
            Random r = new Random(room);
            for (int off = 0; off < data.length; ) {
                int n = Math.min(data.length - off, 1 + r.nextInt(100_000));
                d.write(data, off, n);
                off += n;
            }
            d.finish();
            outputs.add(out.toByteArray());
        }
        for (byte[] o : outputs) {
            assertArrayEquals(outputs.get(0), o);
        }
        Inflater inflater = new Inflater(true);
        inflater.setDictionary(dictionary);
        inflater.setInput(outputs.get(0));
        byte[] back = new byte[data.length + 1];
        int n = 0;
        try {
            while (!inflater.finished() && n < back.length) {
                int k = inflater.inflate(back, n, back.length - n);
                if (k == 0 && inflater.needsDictionary()) {
                    inflater.setDictionary(dictionary);
                }
                n += k;
            }
        } catch (java.util.zip.DataFormatException e) {
            throw new AssertionError(e);
        }
        assertTrue(inflater.finished());
        assertArrayEquals(data, java.util.Arrays.copyOf(back, n));
        inflater.end();
    }

    @Test
    void headerIsFixedAndTrailerHoldsCrcAndSize() throws IOException {
        byte[] gz = gzip("hello\n".getBytes(UTF_8));
        assertArrayEquals(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff}, java.util.Arrays.copyOf(gz, 10));
        // crc32("hello\n") = 0x363a3020, ISIZE 6
        assertArrayEquals(new byte[] {0x20, 0x30, 0x3a, 0x36, 6, 0, 0, 0},
                java.util.Arrays.copyOfRange(gz, gz.length - 8, gz.length));
    }

    @Test
    void emptyInputIsTheSmallestValidGzip() throws IOException {
        byte[] gz = gzip(new byte[0]);
        assertEquals(20, gz.length);
        assertEquals(0x03, gz[10]);
        assertEquals(0x00, gz[11]);
    }

    @Test
    void reportsBothDigestsAndSizesWhileWriting() throws IOException {
        byte[] data = texty(200_000, 11);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LayerDigests d;
        try (GzipWriter w = new GzipWriter(out)) {
            w.write(data);
            d = w.finish();
        }
        assertEquals(Digest.of(out.toByteArray()), d.compressed());
        assertEquals(out.size(), d.compressedSize());
        assertEquals(Digest.of(data), d.uncompressed());
        assertEquals(data.length, d.uncompressedSize());
    }

    @ParameterizedTest
    @MethodSource("inputs")
    void outputDoesNotDependOnTheNumberOfThreads(Input input) throws IOException {
        byte[] one = gzipOn(1, input.bytes());
        assertArrayEquals(one, gzipOn(2, input.bytes()));
        assertArrayEquals(one, gzipOn(5, input.bytes()));
        assertArrayEquals(input.bytes(), gunzip(one));
    }

    static byte[] gzipOn(int threads, byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GzipWriter w = new GzipWriter(out, threads)) {
            w.write(data);
        }
        return out.toByteArray();
    }

    @Test
    void chunkedOutputIsPinnedByAGoldenDigest() throws IOException {
        // Three chunks, so the dictionary hand-over and the sync flushes are pinned too.
        byte[] data = texty(2 * GzipWriter.CHUNK + 777, 2026);
        assertEquals("sha256:6ba7174fc7f0617196713bc97787414b28b9057856a9cd4d54b997d3f6ccdcfd", Digest.of(gzip(data)).toString());
    }

    @Test
    void outputIsPinnedByAGoldenDigest() throws IOException {
        // If this changes, every layer digest kiln has ever produced changes: bump the layer format version.
        byte[] data = texty(300_000, 2024);
        assertEquals("sha256:f9e1356aaf972e75d12dd1c5a0e09065fa519050cbcd081179fff86d36ac3976", Digest.of(gzip(data)).toString());
    }

    @Test
    void incompressibleInputGrowsByAtMostTheStoredBlockOverhead() throws IOException {
        byte[] data = random(1 << 20, 99);
        byte[] gz = gzip(data);
        // a block ends every BLOCK_SYMBOLS literals; each stored block costs 5 bytes; gzip framing 18;
        // each chunk ends with an empty stored block (5 bytes), the last with an empty final block (at most 3)
        int blocks = data.length / DeterministicDeflater.BLOCK_SYMBOLS + 1;
        int chunks = data.length / GzipWriter.CHUNK + 1;
        assertTrue(gz.length <= data.length + 18 + 5 * blocks + 5 * chunks + 3, "size " + gz.length);
    }

    static Process run(Path dir, String... command) throws IOException {
        return new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    }

    static boolean onPath(String tool) {
        return Stream.of(System.getenv("PATH").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    }

    @Test
    void gzipToolAcceptsTheOutput(@TempDir Path dir) throws Exception {
        assumeTrue(onPath("gzip"), "gzip on PATH");
        byte[] data = texty(500_000, 1);
        Path gz = dir.resolve("x.gz");
        Files.write(gz, gzip(data));
        Process t = run(dir, "gzip", "-t", gz.toString());
        assertTrue(t.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, t.exitValue(), new String(t.getInputStream().readAllBytes(), UTF_8));
        Process d = new ProcessBuilder("gzip", "-dc", gz.toString()).start();
        byte[] back = d.getInputStream().readAllBytes();
        assertTrue(d.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, d.exitValue());
        assertArrayEquals(data, back);
    }

    @Test
    void ratioOnARealHostFileIsWithinFivePercentOfGzip4(@TempDir Path dir) throws Exception {
        assumeTrue(onPath("gzip"), "gzip on PATH");
        Path file = Stream.of("/usr/bin/dpkg", "/var/lib/dpkg/status", "/usr/bin/bash")
                .map(Path::of).filter(Files::isReadable).findFirst().orElse(null);
        assumeTrue(file != null, "a real file to compress");
        byte[] data = Files.readAllBytes(file);
        long start = System.nanoTime();
        byte[] ours = gzip(data);
        long nanos = System.nanoTime() - start;
        Process p = new ProcessBuilder("gzip", "-4", "-n", "-c", file.toString()).start();
        byte[] theirs = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        System.out.printf("%s: %d bytes; kiln gzip %d, gzip -4 %d (%.2f%%), %.1f MB/s (first run, cold JIT)%n",
                file, data.length, ours.length, theirs.length, 100.0 * ours.length / theirs.length,
                data.length / (nanos / 1e3));
        assertArrayEquals(data, gunzip(ours));
        assertTrue(ours.length <= theirs.length * 1.05, ours.length + " vs gzip -4 " + theirs.length);
    }
}
