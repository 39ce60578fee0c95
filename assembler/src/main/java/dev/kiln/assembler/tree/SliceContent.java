package dev.kiln.assembler.tree;

import dev.kiln.store.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * File bytes that lie in a range of a file on disk (an unpacked package in the store): only the
 * place, size and digest are in the heap. The file must not change while the tree is in use; store
 * blobs never do. A slice of bytes hashed in this process (just unpacked) is read as it is; one
 * {@link #checked} (a store file written by an earlier run, which a damaged or shared store may
 * have changed) is hashed as it is read, and a reader that reaches its end with other bytes gets a
 * {@link DamagedContentException} instead of the last of them.
 */
public final class SliceContent implements Content {
    /** The file, found on the first read (one the store brings in only then), else given. */
    private final Supplier<Path> file;
    private final long offset;
    private final long size;
    private final Digest digest;
    private final boolean check;
    /** What the bytes are, for a message when they are damaged: {@code tiny 1.0: /etc/tiny.conf}. */
    private final String owner;

    public SliceContent(Path file, long offset, long size, Digest digest) {
        this(constant(file), offset, size, digest, false, null);
    }

    private SliceContent(Supplier<Path> file, long offset, long size, Digest digest, boolean check, String owner) {
        if (offset < 0 || size < 0) {
            throw new IllegalArgumentException("a slice at " + offset + " of " + size + " bytes");
        }
        this.file = Objects.requireNonNull(file, "file");
        this.offset = offset;
        this.size = size;
        this.digest = Objects.requireNonNull(digest, "digest");
        this.check = check;
        this.owner = owner;
    }

    /**
     * A slice whose bytes are held to {@code digest} whenever they are read to the end; {@code
     * owner} says what they are in a message.
     */
    public static SliceContent checked(Path file, long offset, long size, Digest digest, String owner) {
        return new SliceContent(constant(file), offset, size, digest, true, owner);
    }

    /**
     * {@link #checked(Path, long, long, Digest, String)} in a file {@code file} gives on the first
     * read (it may bring the file into the store then, and must give the same file each time).
     */
    public static SliceContent checked(Supplier<Path> file, long offset, long size, Digest digest, String owner) {
        return new SliceContent(file, offset, size, digest, true, owner);
    }

    private static Supplier<Path> constant(Path file) {
        Objects.requireNonNull(file, "file");
        return () -> file;
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
            InputStream in = Files.newInputStream(file.get());
            try {
                in.skipNBytes(offset); // a seek: the stream is a file channel's
            } catch (IOException e) {
                in.close();
                throw e;
            }
            return new BoundedStream(in, size, check ? this : null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + size + " bytes at " + offset + " of " + file.get(), e);
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

    /**
     * At most {@code remaining} bytes of {@code in}; a file cut short reads as an error, not as less.
     * With a slice to {@code check}, the bytes are hashed on the way and the read that ends them
     * fails if they are not the slice's.
     */
    private static final class BoundedStream extends InputStream {
        private final InputStream in;
        private long remaining;
        private final SliceContent check;
        private final MessageDigest md;

        BoundedStream(InputStream in, long remaining, SliceContent check) {
            this.in = in;
            this.remaining = remaining;
            this.check = check;
            this.md = check == null ? null : Digest.newSha256();
            if (check != null && remaining == 0) {
                verify();
            }
        }

        private void verify() {
            Digest found = Digest.fromRaw(md.digest());
            if (!found.equals(check.digest)) {
                throw new DamagedContentException("the store's file " + check.file.get() + " is damaged: " + check.owner + " ("
                        + check.size + " bytes at " + check.offset + ") should hash to " + check.digest + ", found " + found
                        + "\n  fix: repair the store (this removes what is damaged), then build again", check.file.get());
            }
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
            if (md != null) {
                md.update(b, off, n);
                if (remaining == 0) {
                    verify();
                }
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
