package dev.kiln.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The content-addressed store on disk. Immutable byte strings live under {@code blobs/sha256/<hex>};
 * small named records (memo entries, per-suite state) under {@code memo/} and {@code state/}.
 * Every write is staged in {@code tmp/}, hashed while written, fsynced and renamed into place, so
 * a reader only ever sees whole, verified files, and "already there" counts as success.
 */
public final class ContentStore {
    private static final String LAYOUT_VERSION = "1";

    private final Path root;
    private final Path blobs;
    private final Path tmp;
    private final Path memo;
    private final Path state;

    private ContentStore(Path root) {
        this.root = root;
        this.blobs = root.resolve("blobs").resolve("sha256");
        this.tmp = root.resolve("tmp");
        this.memo = root.resolve("memo");
        this.state = root.resolve("state");
    }

    /** Opens (creating if needed) the store at {@code root}. */
    public static ContentStore open(Path root) {
        Objects.requireNonNull(root, "root");
        ContentStore s = new ContentStore(root.toAbsolutePath().normalize());
        try {
            Files.createDirectories(s.blobs);
            Files.createDirectories(s.tmp);
            Files.createDirectories(s.memo);
            Files.createDirectories(s.state);
            Path marker = s.root.resolve("kiln-store");
            if (!Files.exists(marker)) {
                s.writeAtomically(marker, ("kiln store layout " + LAYOUT_VERSION + "\n").getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new StoreException("cannot create the store at " + s.root + ": " + e.getMessage()
                    + "\n  expected: a writable directory (set --store or KILN_STORE to move it)", e);
        }
        return s;
    }

    /**
     * The default location: {@code $KILN_STORE}, else {@code $XDG_CACHE_HOME/kiln}, else {@code ~/.cache/kiln}.
     */
    public static Path defaultRoot(Map<String, String> env) {
        String explicit = env.get("KILN_STORE");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "kiln");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "kiln");
    }

    public Path root() {
        return root;
    }

    /** Where the blob would live; it may not exist. */
    public Path blobPath(Digest digest) {
        return blobs.resolve(digest.hex());
    }

    public boolean contains(Digest digest) {
        return Files.isRegularFile(blobPath(digest));
    }

    /** The blob's path if the store has it. */
    public Optional<Path> blob(Digest digest) {
        Path p = blobPath(digest);
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }

    public byte[] read(Digest digest) {
        try {
            return Files.readAllBytes(blobPath(digest));
        } catch (NoSuchFileException e) {
            throw new StoreException("the store has no blob " + digest + " (looked in " + blobs + ")", e);
        } catch (IOException e) {
            throw new StoreException("cannot read blob " + digest + ": " + e.getMessage(), e);
        }
    }

    public Digest put(byte[] bytes) {
        Digest d = Digest.of(bytes);
        if (contains(d)) {
            return d;
        }
        try {
            Path staged = stage();
            try {
                try (FileChannel ch = FileChannel.open(staged, StandardOpenOption.WRITE)) {
                    ch.write(java.nio.ByteBuffer.wrap(bytes));
                    ch.force(true);
                }
                publish(staged, d);
            } finally {
                Files.deleteIfExists(staged);
            }
        } catch (IOException e) {
            throw new StoreException("cannot write a blob into the store at " + root + ": " + e.getMessage(), e);
        }
        return d;
    }

    /**
     * Copies a stream into the store, hashing as it goes. With an expected digest (and size, or -1),
     * bytes that do not match are never published: the staged file is removed and a
     * {@link StoreException} says what was expected and found.
     */
    public Digest put(InputStream in, Digest expected, long expectedSize) {
        if (expected != null && contains(expected)) {
            return expected;
        }
        Path staged = null;
        try {
            staged = stage();
            MessageDigest md = Digest.newSha256();
            long n;
            try (OutputStream raw = Files.newOutputStream(staged, StandardOpenOption.WRITE);
                 DigestOutputStream out = new DigestOutputStream(raw, md)) {
                n = copy(in, out, expectedSize);
            }
            Digest actual = Digest.fromRaw(md.digest());
            if (expectedSize >= 0 && n != expectedSize) {
                throw new StoreException("size mismatch: expected " + expectedSize + " bytes, found " + n);
            }
            if (expected != null && !expected.equals(actual)) {
                throw new StoreException("content mismatch: expected " + expected + ", found " + actual);
            }
            try (FileChannel ch = FileChannel.open(staged, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            publish(staged, actual);
            return actual;
        } catch (IOException e) {
            throw new StoreException("cannot write a blob into the store at " + root + ": " + e.getMessage(), e);
        } finally {
            if (staged != null) {
                try {
                    Files.deleteIfExists(staged);
                } catch (IOException ignored) {
                    // a leftover in tmp/ is harmless: it is never read as a blob
                }
            }
        }
    }

    /**
     * Starts writing a blob whose digest is known in advance (a download pinned by a lock). Bytes
     * are appended and hashed as they come; after a dropped connection the caller can resume at
     * {@link Staging#length()}. Only {@link Staging#commit()} publishes, and only if size and
     * digest match; {@link Staging#close()} without commit removes the staged file.
     */
    public Staging stage(Digest expected, long expectedSize) {
        try {
            return new Staging(stage(), expected, expectedSize);
        } catch (IOException e) {
            throw new StoreException("cannot stage a blob in " + tmp + ": " + e.getMessage(), e);
        }
    }

    /** A blob being written: see {@link #stage(Digest, long)}. */
    public final class Staging implements AutoCloseable {
        private final Path file;
        private final Digest expected;
        private final long expectedSize;
        private final MessageDigest md = Digest.newSha256();
        private final OutputStream out;
        private long length;
        private boolean done;

        private Staging(Path file, Digest expected, long expectedSize) throws IOException {
            this.file = file;
            this.expected = expected;
            this.expectedSize = expectedSize;
            this.out = new java.io.BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.WRITE), 1 << 16);
        }

        /** Bytes written so far: where a resumed download starts. */
        public long length() {
            return length;
        }

        /**
         * Appends bytes. Refuses (and writes nothing) once the total would pass the expected size, so a
         * server that sends more than the lock says cannot fill the disk.
         */
        public void write(byte[] b, int off, int len) {
            if (expectedSize >= 0 && length + len > expectedSize) {
                throw new StoreException("size mismatch: expected " + expectedSize + " bytes, found more ("
                        + (length + len) + " so far)");
            }
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw new StoreException("cannot write to " + file + ": " + e.getMessage()
                        + "\n  fix: free space on the store's filesystem (" + root + ")", e);
            }
            md.update(b, off, len);
            length += len;
        }

        /** Verifies size and digest, fsyncs and publishes; a mismatch publishes nothing. */
        public Digest commit() {
            try {
                out.flush();
                out.close();
                Digest actual = Digest.fromRaw(md.digest());
                if (expectedSize >= 0 && length != expectedSize) {
                    throw new StoreException("size mismatch: expected " + expectedSize + " bytes, found " + length);
                }
                if (expected != null && !expected.equals(actual)) {
                    throw new StoreException("content mismatch: expected " + expected + ", found " + actual);
                }
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
                publish(file, actual);
                done = true;
                return actual;
            } catch (IOException e) {
                throw new StoreException("cannot publish a blob into " + root + ": " + e.getMessage()
                        + "\n  fix: free space on the store's filesystem", e);
            } finally {
                close();
            }
        }

        @Override
        public void close() {
            try {
                out.close();
            } catch (IOException ignored) {
                // the staged file is removed below either way
            }
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a leftover in tmp/ is never read as a blob
            }
        }
    }

    /** Looks up a memo record: the output digest of step {@code step} for input key {@code key}. */
    public Optional<Digest> memo(String step, Digest key) {
        Path p = memo.resolve(step).resolve(key.hex());
        try {
            String text = Files.readString(p, StandardCharsets.US_ASCII).trim();
            Digest d = Digest.parse(text);
            return contains(d) ? Optional.of(d) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            // a damaged record is a cache miss, not an error: the step is recomputed
            return Optional.empty();
        }
    }

    public void putMemo(String step, Digest key, Digest value) {
        checkName(step);
        try {
            Path dir = memo.resolve(step);
            Files.createDirectories(dir);
            writeAtomically(dir.resolve(key.hex()), (value + "\n").getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new StoreException("cannot record memo " + step + "/" + key.shortHex() + ": " + e.getMessage(), e);
        }
    }

    /** A small named state record (for example the newest Release date seen for a suite). */
    public Optional<String> state(String kind, Digest key) {
        try {
            return Optional.of(Files.readString(state.resolve(kind).resolve(key.hex()), StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StoreException("cannot read state " + kind + "/" + key.shortHex() + ": " + e.getMessage(), e);
        }
    }

    public void putState(String kind, Digest key, String value) {
        checkName(kind);
        try {
            Path dir = state.resolve(kind);
            Files.createDirectories(dir);
            writeAtomically(dir.resolve(key.hex()), value.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new StoreException("cannot write state " + kind + "/" + key.shortHex() + ": " + e.getMessage(), e);
        }
    }

    private Path stage() throws IOException {
        Files.createDirectories(tmp);
        return Files.createTempFile(tmp, "stage-", ".part");
    }

    private void publish(Path staged, Digest d) throws IOException {
        Path target = blobPath(d);
        try {
            Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            // another process published the same bytes first: that is success
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the store's tmp/ and blobs/ must be on one filesystem", e);
        }
    }

    private void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path staged = stage();
        try {
            try (FileChannel ch = FileChannel.open(staged, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(bytes));
                ch.force(true);
            }
            Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(staged);
        }
    }

    private static long copy(InputStream in, OutputStream out, long limit) throws IOException {
        byte[] buf = new byte[1 << 16];
        long total = 0;
        for (int r; (r = in.read(buf)) > 0; ) {
            total += r;
            if (limit >= 0 && total > limit) {
                throw new StoreException("size mismatch: expected " + limit + " bytes, found more");
            }
            out.write(buf, 0, r);
        }
        return total;
    }

    private static void checkName(String name) {
        if (!name.matches("[a-z0-9][a-z0-9.-]*")) {
            throw new IllegalArgumentException("record kinds are lowercase words, found '" + name + "'");
        }
    }
}
