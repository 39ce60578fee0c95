package dev.kiln.oci.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.kiln.oci.ImageLayout;
import dev.kiln.oci.LayerDigests;
import dev.kiln.oci.TarWriter;
import dev.kiln.store.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;

/**
 * A layer made by hand for tests of what moves images around (layouts, archives, registries,
 * signatures), with the OCI module only: entries in path order, written with {@link TarWriter},
 * gzipped by the JDK (these tests pin no layer digest). The assembler's own layers are tested
 * where they are made.
 */
public final class TestLayer {
    private record Item(TarWriter.Header header, byte[] content) {
    }

    private final Map<String, Item> items = new TreeMap<>();

    private TestLayer() {
    }

    public static TestLayer builder() {
        return new TestLayer();
    }

    /** A directory at {@code path} ({@code /etc}); the root is never written. */
    public TestLayer dir(String path, int mode, long uid, long gid, long mtime) {
        if (!path.equals("/")) {
            items.put(path, new Item(TarWriter.Header.of(path.substring(1) + "/", TarWriter.Type.DIRECTORY, null, mode, uid, gid, 0,
                    mtime), null));
        }
        return this;
    }

    public TestLayer file(String path, int mode, long uid, long gid, long mtime, byte[] content) {
        items.put(path, new Item(TarWriter.Header.of(path.substring(1), TarWriter.Type.FILE, null, mode, uid, gid, content.length,
                mtime), content.clone()));
        return this;
    }

    public TestLayer file(String path, int mode, long uid, long gid, long mtime, String content) {
        return file(path, mode, uid, gid, mtime, content.getBytes(UTF_8));
    }

    public TestLayer symlink(String path, String target, int mode, long uid, long gid, long mtime) {
        items.put(path, new Item(TarWriter.Header.of(path.substring(1), TarWriter.Type.SYMLINK, target, mode, uid, gid, 0, mtime),
                null));
        return this;
    }

    /** The uncompressed tar. */
    public byte[] tar() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            for (Item i : items.values()) {
                TarWriter.writeHeader(out, i.header());
                if (i.content() != null) {
                    out.write(i.content());
                    TarWriter.pad(out, i.content().length);
                }
            }
            TarWriter.finish(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Writes the gzipped tar to {@code out}, hashing both forms as it goes. */
    public LayerDigests writeGzip(OutputStream out) throws IOException {
        byte[] tar = tar();
        MessageDigest compressed = Digest.newSha256();
        CountingStream counted = new CountingStream(new DigestOutputStream(out, compressed));
        try (GZIPOutputStream gz = new GZIPOutputStream(new NotClosing(counted))) {
            gz.write(tar);
        }
        return new LayerDigests(Digest.fromRaw(compressed.digest()), counted.count, Digest.of(tar), tar.length);
    }

    /** Writes the layer into {@code layout}. */
    public LayerDigests writeTo(ImageLayout layout) {
        return layout.writeLayer(this::writeGzip);
    }

    private static final class CountingStream extends OutputStream {
        private final OutputStream out;
        long count;

        CountingStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }
    }

    /** Lets the gzip stream finish without closing the layout's file under it. */
    private static final class NotClosing extends OutputStream {
        private final OutputStream out;

        NotClosing(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
