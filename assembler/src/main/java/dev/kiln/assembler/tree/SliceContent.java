package dev.kiln.assembler.tree;

import dev.kiln.store.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.nio.file.Files;
import java.util.Objects;

/**
 * File bytes that lie in a range of a file on disk (an unpacked package in the store): only the
 * place, size and digest are in the heap. The file must not change while the tree is in use; store
 * blobs never do.
 */
public final class SliceContent implements Content {
    private final Path file;
    private final long offset;
    private final long size;
    private final Digest digest;

    public SliceContent(Path file, long offset, long size, Digest digest) {
        if (offset < 0 || size < 0) {
            throw new IllegalArgumentException("a slice at " + offset + " of " + size + " bytes");
        }
        this.file = Objects.requireNonNull(file, "file");
        this.offset = offset;
        this.size = size;
        this.digest = Objects.requireNonNull(digest, "digest");
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public Digest digest() {
        return digest;
    }

    @Override
    public InputStream open() {
        try {
            InputStream in = Files.newInputStream(file);
            try {
                in.skipNBytes(offset); // a seek: the stream is a file channel's
            } catch (IOException e) {
                in.close();
                throw e;
            }
            return new BoundedStream(in, size);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + size + " bytes at " + offset + " of " + file, e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Content c && c.size() == size && c.digest().equals(digest);
    }

    @Override
    public int hashCode() {
        return digest.hashCode();
    }

    @Override
    public String toString() {
        return digest.shortHex() + " (" + size + " bytes)";
    }

    /** At most {@code remaining} bytes of {@code in}; a file cut short reads as an error, not as less. */
    private static final class BoundedStream extends InputStream {
        private final InputStream in;
        private long remaining;

        BoundedStream(InputStream in, long remaining) {
            this.in = in;
            this.remaining = remaining;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining == 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw new IOException("the file ends " + remaining + " bytes early");
            }
            remaining -= n;
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
