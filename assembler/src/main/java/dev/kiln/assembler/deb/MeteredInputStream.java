package dev.kiln.assembler.deb;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Counts the bytes that pass and fails once more than {@code limit} have: the decompression-bomb
 * guard sits under the tar reader, so headers and long names count too. Skips are read, so they
 * count as well.
 */
final class MeteredInputStream extends FilterInputStream {
    /** Thrown through the archive readers; {@link DebReader} recognises it and reports the limit. */
    static final class LimitExceeded extends IOException {
        private static final long serialVersionUID = 1L;

        LimitExceeded(long limit) {
            super("more than " + limit + " bytes");
        }
    }

    private final long limit;
    private long count;

    MeteredInputStream(InputStream in, long limit) {
        super(in);
        this.limit = limit;
    }

    long count() {
        return count;
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0) {
            add(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        int n = in.read(buf, off, len);
        if (n > 0) {
            add(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buf = new byte[8192];
        long skipped = 0;
        while (skipped < n) {
            int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public synchronized void mark(int readlimit) {
    }

    @Override
    public synchronized void reset() throws IOException {
        throw new IOException("mark/reset not supported");
    }

    @Override
    public void close() {
        // the caller owns the underlying stream
    }

    private void add(int n) throws IOException {
        count += n;
        if (count > limit) {
            throw new LimitExceeded(limit);
        }
    }
}
